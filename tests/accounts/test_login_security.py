"""One login, guarded: password guessing is refused, the rightful owner still gets in, second factor works."""
import datetime
import re
import time
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from accounts.security import attempted_login
from common.addresses import client_ip
from transfo.celery import app as celery_app

from ..factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide"
ATTACKER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """allauth's rate-limit counters live in the cache: each test starts from an empty one."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"login-{time.monotonic_ns()}"}
    }


@pytest.fixture
def mail_goes_out_at_once():
    """Celery in the test process even when REDIS_URL names a broker, so the mail lands in the outbox."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def verified_user(**overrides):
    user = make_user(password=PASSWORD, **overrides)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client, login, password, address="127.0.0.1"):
    return client.post("/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=address)


def logged_in_user(client):
    return client.get("/accounts/password/change/").wsgi_request.user


def guess_wrong(client, user, times, address=ATTACKER):
    return [log_in(client, user.email, f"essai-{number}", address).status_code for number in range(times)]


# --- Brute force -------------------------------------------------------------


def test_wrong_passwords_are_refused_with_429_before_the_twentieth(client):
    user = verified_user()

    statuses = guess_wrong(client, user, 20)

    assert 429 in statuses[:19]
    first_refusal = statuses.index(429)
    assert statuses[first_refusal:] == [429] * (20 - first_refusal)


def test_lockout_page_explains_in_french_and_offers_a_login_code(client):
    user = verified_user()
    guess_wrong(client, user, 10)

    response = log_in(client, user.email, "encore-faux", ATTACKER)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion momentanément bloquée" in page
    assert "Réessayez dans 15 minutes." in page
    assert 'href="/accounts/login/code/"' in page


def test_right_password_from_another_address_works_after_a_lockout(client):
    user = verified_user()
    guess_wrong(client, user, 20)

    response = log_in(client, user.email, PASSWORD, ELSEWHERE)

    assert response.status_code == 302
    assert logged_in_user(client) == user


def test_right_password_from_the_locked_out_address_is_refused_until_the_cool_off_ends(client):
    user = verified_user()
    guess_wrong(client, user, 10)

    refused = log_in(client, user.email, PASSWORD, ATTACKER)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    accepted = log_in(client, user.email, PASSWORD, ATTACKER)

    assert refused.status_code == 429
    assert accepted.status_code == 302
    assert logged_in_user(client) == user


def test_changing_the_case_of_the_email_does_not_reset_the_count(client):
    user = verified_user(email="camille.martin@ville.example")
    guess_wrong(client, user, 9)

    response = log_in(client, "Camille.MARTIN@ville.example", "encore-faux", ATTACKER)

    assert response.status_code == 429


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client):
    user = verified_user()
    for number in range(9):
        client.post(
            "/accounts/login/",
            {"login": user.email, "password": "faux"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )

    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "faux"}, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )

    assert response.status_code == 429


def test_failures_are_counted_in_the_database_per_address_and_login(client):
    user = verified_user()

    guess_wrong(client, user, 3)

    assert list(AccessAttempt.objects.values_list("ip_address", "username", "failures_since_start")) == [
        (ATTACKER, user.email, 3)
    ]


def test_client_address_comes_from_the_proxy_only_when_a_proxy_is_trusted(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

    settings.TRUSTED_PROXIES = []
    direct = client_ip(request)
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    behind_proxy = client_ip(request)

    # The left entry was typed by the client; the right one was appended by our proxy.
    assert direct == "10.0.0.2"
    assert behind_proxy == "203.0.113.9"


def test_garbage_in_the_forwarded_for_header_falls_back_to_the_connecting_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="pas-une-adresse")

    assert client_ip(request) == "10.0.0.2"


def test_attempted_login_reads_allauth_and_django_credentials():
    assert attempted_login(None, {"email": " Camille@Ville.example "}) == "camille@ville.example"
    assert attempted_login(None, {"username": "admin", "password": "********************"}) == "admin"


# --- One login path ----------------------------------------------------------


def test_django_admin_login_leads_to_the_single_login(client):
    response = client.get("/django-admin/login/?next=/django-admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/django-admin/"


def test_wagtail_admin_login_leads_to_the_single_login(client):
    response = client.get("/cms/login/?next=/cms/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cms/"


def test_wagtail_admin_sends_a_visitor_to_the_single_login(client):
    response = client.get("/cms/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cms/"


def coordinator():
    """Coordination of a programme: works on the platform's pages, not a member of staff."""
    from programmes.models import Coordination

    from ..factories import make_programme

    person = make_user()
    Coordination.objects.create(programme=make_programme(), user=person)
    return person


def ambassador_only():
    """Someone of a Lab with no right in either admin (the coordination has Wagtail's, docs.rights)."""
    from ..factories import make_ambassador, make_lab

    person = make_user()
    make_ambassador(make_lab(), user=person, email=person.email)
    return person


@pytest.mark.parametrize(
    "admin_url, person",
    [
        ("/django-admin/", coordinator), ("/django-admin/programmes/lab/", coordinator),
        ("/cms/", ambassador_only), ("/cms/pages/", ambassador_only),
    ],
)
def test_a_logged_in_person_without_admin_access_is_told_so_once(client, admin_url, person):
    client.force_login(person())

    # The test client raises RedirectCycleError on a loop.
    response = client.get(admin_url, follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
    assert "Vous n’avez pas accès à l’administration" in response.content.decode()


def test_a_logged_in_person_sent_to_the_login_for_the_admin_is_told_so(client):
    client.force_login(coordinator())

    response = client.get("/accounts/login/?next=/django-admin/")

    assert response.status_code == 403


def test_the_login_still_sends_a_logged_in_person_on_to_a_page_they_may_open(client):
    client.force_login(coordinator())

    response = client.get("/accounts/login/?next=/compte/")

    assert response.status_code == 302
    assert response["Location"] == "/compte/"


@pytest.mark.parametrize("admin_url", ["/django-admin/", "/cms/"])
def test_an_anonymous_visitor_reaches_the_login_page_once(client, admin_url):
    response = client.get(admin_url, follow=True)

    assert response.status_code == 200
    assert [unquote(url) for url, status in response.redirect_chain][-1] == f"/accounts/login/?next={admin_url}"


def test_staff_still_opens_the_django_admin(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))

    assert client.get("/django-admin/").status_code == 200
    assert client.get("/accounts/login/?next=/django-admin/")["Location"] == "/django-admin/"


def test_logging_in_for_an_admin_one_may_not_use_ends_on_the_refusal(client):
    person = coordinator()
    person.set_password(PASSWORD)
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)

    response = client.post(
        "/accounts/login/?next=/django-admin/", {"login": person.email, "password": PASSWORD}, follow=True
    )

    assert response.status_code == 403


def test_wagtail_admin_password_reset_is_closed_in_favour_of_the_single_one(client):
    response = client.get("/cms/password_reset/")

    assert response.status_code == 404


def test_login_page_offers_no_self_service_sign_up(client):
    page = client.get("/accounts/login/").content.decode()

    assert "/accounts/signup/" not in page
    assert "sur invitation" in page


# --- Login by code -----------------------------------------------------------


def request_code(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/login/code/", {"email": email})


def code_from_last_mail():
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)


def test_login_by_code_logs_in_with_the_code_from_the_mail(client, mail_goes_out_at_once, django_capture_on_commit_callbacks):
    user = verified_user()

    asked = request_code(client, user.email, django_capture_on_commit_callbacks)
    confirmed = client.post("/accounts/login/code/confirm/", {"code": code_from_last_mail()})

    assert asked.status_code == 302
    assert asked["Location"] == "/accounts/login/code/confirm/"
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert confirmed.status_code == 302
    assert logged_in_user(client) == user


def test_a_wrong_login_code_three_times_voids_the_code(client, mail_goes_out_at_once, django_capture_on_commit_callbacks):
    user = verified_user()
    request_code(client, user.email, django_capture_on_commit_callbacks)
    code = code_from_last_mail()

    for _ in range(3):
        client.post("/accounts/login/code/confirm/", {"code": "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"})
    response = client.post("/accounts/login/code/confirm/", {"code": code})

    # Back to "ask for a code": the right code typed after three wrong ones no longer works.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/"
    assert logged_in_user(client).is_anonymous


def test_login_code_requests_are_rate_limited_per_email(client, mail_goes_out_at_once, django_capture_on_commit_callbacks):
    user = verified_user()

    for _ in range(4):
        client.cookies.clear()
        response = request_code(client, user.email, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 3
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()


def test_password_reset_requests_are_rate_limited_per_email(client, mail_goes_out_at_once, django_capture_on_commit_callbacks):
    user = verified_user()

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post("/accounts/password/reset/", {"email": user.email}).status_code for _ in range(6)]

    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5


# --- Second factor -----------------------------------------------------------


def enable_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_totp_code(secret):
    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def test_user_with_an_authenticator_is_asked_for_the_code_after_the_password(client):
    user = verified_user()
    secret = enable_totp(user)

    after_password = log_in(client, user.email, PASSWORD)
    code_page = client.get(after_password["Location"])
    anonymous_meanwhile = logged_in_user(client).is_anonymous
    after_code = client.post("/accounts/2fa/authenticate/", {"code": current_totp_code(secret)})

    assert after_password.status_code == 302
    assert after_password["Location"] == "/accounts/2fa/authenticate/"
    assert "Authentification à deux facteurs" in code_page.content.decode()
    assert anonymous_meanwhile
    assert after_code.status_code == 302
    assert logged_in_user(client) == user


def test_a_wrong_authenticator_code_does_not_log_in(client):
    user = verified_user()
    secret = enable_totp(user)
    log_in(client, user.email, PASSWORD)
    wrong = f"{(int(current_totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})

    assert response.status_code == 200
    assert logged_in_user(client).is_anonymous


def test_second_factor_is_optional_and_its_page_is_in_french_in_the_site_layout(client):
    user = verified_user()
    client.force_login(user)

    page = client.get("/accounts/2fa/").content.decode()

    assert Authenticator.objects.filter(user=user).count() == 0
    assert '<html lang="fr">' in page
    assert 'class="skip-link"' in page
    assert "Authentification à deux facteurs" in page
    assert "Application d'authentification" in page


def test_user_confirms_their_password_then_activates_an_authenticator(client):
    user = verified_user()
    log_in(client, user.email, PASSWORD)

    asked_again = client.get("/accounts/2fa/totp/activate/")
    client.post("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": PASSWORD})
    form_page = client.get("/accounts/2fa/totp/activate/")
    secret = form_page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_totp_code(secret)})

    assert asked_again["Location"].startswith("/accounts/reauthenticate/")
    assert form_page.status_code == 200
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1


def test_inactive_user_cannot_log_in_with_the_right_password(client):
    user = verified_user()
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    log_in(client, user.email, PASSWORD)

    assert logged_in_user(client).is_anonymous
