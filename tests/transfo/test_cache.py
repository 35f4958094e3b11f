"""A Redis outage costs speed, never a page: login and sessions keep working without Redis."""
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core.cache import cache

from ..factories import make_user

pytestmark = pytest.mark.django_db

# Port 1 on loopback: nothing listens, the connection is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def redis_cache_at(url):
    return {
        "default": {
            "BACKEND": "common.redis_cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_cache_at(UNREACHABLE_REDIS)


def verified_user(password="un-mot-de-passe-solide"):
    user = make_user(password=password)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_cache_answers_a_miss_while_redis_is_down(redis_down):
    cache.set("clé", "valeur")

    assert cache.get("clé", "absent") == "absent"
    assert cache.get_many(["clé"]) == {}


def test_login_works_while_redis_is_down(redis_down, client):
    user = verified_user()

    response = client.post("/accounts/login/", {"login": user.email, "password": "un-mot-de-passe-solide"})

    assert response.status_code == 302
    assert client.get("/").context["user"] == user


def test_wrong_password_answers_a_form_error_while_redis_is_down(redis_down, client):
    user = verified_user()

    response = client.post("/accounts/login/", {"login": user.email, "password": "pas-le-bon"})

    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()


@pytest.mark.services
def test_cache_stores_values_in_the_real_redis(settings):
    settings.CACHES = redis_cache_at(django_settings.REDIS_URL)

    cache.set("clé-réelle", {"labs": 7})

    assert cache.get("clé-réelle") == {"labs": 7}
    cache.delete("clé-réelle")


@pytest.mark.services
def test_session_survives_when_redis_goes_away_after_login(settings, client):
    settings.CACHES = redis_cache_at(django_settings.REDIS_URL)
    user = verified_user()
    client.post("/accounts/login/", {"login": user.email, "password": "un-mot-de-passe-solide"})

    settings.CACHES = redis_cache_at(UNREACHABLE_REDIS)

    assert client.get("/").context["user"] == user
