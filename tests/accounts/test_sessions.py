"""Sessions live on the server: a login starts a new one, a logout or a password change ends them."""
import time
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from ..factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide"
NEW_PASSWORD = "un-autre-mot-de-passe-solide"
# Any page that needs a logged-in person: a visitor is sent to the login.
PRIVATE_PAGE = "/accounts/password/change/"
# Port 1 on loopback: nothing listens, the connection is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Sessions are cached_db and rate limits use the cache: each test starts from an empty one."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"sessions-{time.monotonic_ns()}"}
    }


def verified_user():
    user = make_user(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client, user, remember=False, address="127.0.0.1"):
    data = {"login": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post("/accounts/login/", data, REMOTE_ADDR=address)
    assert response.status_code == 302
    return response


def session_key(client):
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def client_with_session(key):
    other = Client()
    other.cookies[django_settings.SESSION_COOKIE_NAME] = key
    return other


def is_logged_in(client):
    return client.get(PRIVATE_PAGE).status_code == 200


def test_login_gives_a_new_session_key(client):
    user = verified_user()
    key_before = client.session.session_key

    log_in(client, user)

    assert session_key(client) != key_before
    assert not Session.objects.filter(session_key=key_before).exists()


def test_logout_ends_the_session_on_the_server(client):
    user = verified_user()
    log_in(client, user)
    old_key = session_key(client)

    response = client.post("/accounts/logout/")
    replayed = client_with_session(old_key).get(PRIVATE_PAGE)

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    assert replayed.status_code == 302
    assert replayed["Location"].startswith("/accounts/login/")


def test_following_a_link_to_the_logout_page_does_not_log_out(client):
    user = verified_user()
    log_in(client, user)

    page = client.get("/accounts/logout/")

    assert page.status_code == 200
    assert is_logged_in(client)


def test_password_change_ends_the_other_sessions_but_keeps_the_current_one(client):
    user = verified_user()
    phone = Client()
    log_in(client, user)
    log_in(phone, user, address="198.51.100.7")

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(phone)


def test_deactivated_user_is_out_at_their_next_request(client):
    user = verified_user()
    log_in(client, user)

    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(PRIVATE_PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_cookie_is_out_of_reach_of_scripts_and_other_sites(client):
    user = verified_user()

    log_in(client, user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_without_remember_me_the_session_ends_with_the_browser(client):
    user = verified_user()

    log_in(client, user, remember=False)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]

    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()


def test_with_remember_me_the_session_lasts_two_weeks(client):
    user = verified_user()

    log_in(client, user, remember=True)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]

    assert cookie["max-age"] == 14 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()


# --- With the real Redis as the cache, then with Redis stopped ----------------


def redis_cache_at(url):
    return {
        "default": {
            "BACKEND": "common.redis_cache.ResilientRedisCache",
            "LOCATION": url,
            # Keys of this run only: rate-limit counters in the shared Redis never leak between runs.
            "KEY_PREFIX": f"test-sessions-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def login_page_logout_round_trip(client):
    user = verified_user()
    log_in(client, user)
    private = client.get(PRIVATE_PAGE)
    old_key = session_key(client)
    logout = client.post("/accounts/logout/")
    return user, private, logout, old_key


@pytest.mark.services
def test_login_a_private_page_and_logout_work_with_redis_as_the_cache(settings, client):
    settings.CACHES = redis_cache_at(django_settings.REDIS_URL)

    user, private, logout, old_key = login_page_logout_round_trip(client)

    assert private.status_code == 200
    assert private.wsgi_request.user == user
    assert logout.status_code == 302
    assert client_with_session(old_key).get(PRIVATE_PAGE).status_code == 302


@pytest.mark.services
def test_login_a_private_page_and_logout_still_work_while_redis_is_stopped(settings, client):
    settings.CACHES = redis_cache_at(UNREACHABLE_REDIS)

    user, private, logout, old_key = login_page_logout_round_trip(client)

    assert private.status_code == 200
    assert private.wsgi_request.user == user
    assert logout.status_code == 302
    assert client_with_session(old_key).get(PRIVATE_PAGE).status_code == 302
