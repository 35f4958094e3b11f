"""Password guessing behind the production proxy: forged addresses, several addresses, Redis down.

Each test runs as production does: X-Forwarded-For is read only when the connection comes from
our reverse proxy (TRUSTED_PROXIES), and each runs twice, with a working cache and with the cache
pointing at a Redis that does not answer (allauth's own rate limits then count nothing).
"""
import logging
import re
import socket
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory

from common.addresses import client_ip
from transfo.celery import app as celery_app

from ..factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide"
# Our reverse proxy, as the compose file's private network between the proxy and web names it.
PROXY_NETWORK = "10.217.0.0/24"
PROXY = "10.217.0.2"
ATTACKER = "203.0.113.66"
OWNER_ADDRESS = "198.51.100.7"


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["cache", "redis_down"], autouse=True)
def cache_state(request, settings):
    """A fresh working cache, or the production cache class against a Redis that is not there."""
    if request.param == "cache":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"brute-force-{time.monotonic_ns()}",
            }
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "common.redis_cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        # Each refused connection is logged as a warning: not this test's subject.
        logging.getLogger("common.redis_cache").disabled = True
    yield request.param
    logging.getLogger("common.redis_cache").disabled = False


@pytest.fixture(autouse=True)
def behind_our_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY_NETWORK]


@pytest.fixture
def mail_goes_out_at_once():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


class AuditLines(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def of(self, event):
        return [line for line in self.lines if line.startswith(f"event={event} ")]


@pytest.fixture
def audit():
    handler = AuditLines()
    logger = logging.getLogger("transfo.audit")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def verified_user(**overrides):
    user = make_user(password=PASSWORD, **overrides)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def direct(address, forged=None):
    """A request straight to the application server, with a header the client typed."""
    headers = {"REMOTE_ADDR": address}
    if forged:
        headers["HTTP_X_FORWARDED_FOR"] = forged
    return headers


def through_proxy(address, forged=None):
    """A request through our proxy, which appends the address it received the request from."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{forged}, {address}" if forged else address}


def page_without_tokens(response):
    """The page as a reader sees it: each answer carries its own masked CSRF token."""
    return re.sub(r'value="[A-Za-z0-9]{64}"', 'value=""', response.content.decode())


def log_in(client, login, password, **where):
    return client.post("/accounts/login/", {"login": login, "password": password}, **where)


def logged_in_user(client):
    return client.get("/accounts/password/change/").wsgi_request.user


def current_totp_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def wrong_totp_code(secret):
    # Not any code valid in the tolerated window around now.
    valid = {format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step)) for step in (-1, 0, 1, 2)}
    return next(code for code in (f"{number:06d}" for number in range(1_000_000)) if code not in valid)


# --- Where a request comes from -------------------------------------------------


@pytest.mark.parametrize("where", [direct, through_proxy], ids=["direct", "through_proxy"])
def test_forty_wrong_passwords_each_with_another_forged_address_still_lock_out(client, where):
    user = verified_user()

    statuses = [
        log_in(client, user.email, f"essai-{number}", **where(ATTACKER, forged=f"10.0.{number}.1")).status_code
        for number in range(40)
    ]
    right_password = log_in(client, user.email, PASSWORD, **where(ATTACKER, forged="10.9.9.9"))

    assert statuses[9:] == [429] * 31
    assert right_password.status_code == 429
    assert logged_in_user(client).is_anonymous
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.parametrize("where", [direct, through_proxy], ids=["direct", "through_proxy"])
def test_wrong_passwords_sent_under_the_owners_address_do_not_lock_the_owner_out(client, where):
    user = verified_user()
    for number in range(12):
        log_in(client, user.email, f"essai-{number}", **where(ATTACKER, forged=OWNER_ADDRESS))

    response = log_in(client, user.email, PASSWORD, **through_proxy(OWNER_ADDRESS))

    assert response.status_code == 302
    assert logged_in_user(client) == user


def test_the_client_address_is_the_first_untrusted_one_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.217.0.0/24", "192.0.2.10"]

    def address(remote, forwarded=None):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))

    # Not from a proxy of ours: the header is the client's own words.
    assert address(ATTACKER, "198.51.100.1") == ATTACKER
    # From our proxy: its entry, then past every proxy of ours, and never further left.
    assert address(PROXY, f"6.6.6.6, {ATTACKER}") == ATTACKER
    assert address(PROXY, f"6.6.6.6, {ATTACKER}, 192.0.2.10") == ATTACKER
    assert address(PROXY, "6.6.6.6,203.0.113.9 , 10.217.0.9") == "203.0.113.9"
    # A proxy of ours that forwarded nothing, or garbage: the nearest address known for sure.
    assert address(PROXY) == PROXY
    assert address(PROXY, "pas-une-adresse") == PROXY
    assert address(PROXY, f"pas-une-adresse, {ATTACKER}") == ATTACKER
    # IPv6, and the trust of nobody (the default).
    assert address(PROXY, "2001:db8::1") == "2001:db8::1"
    settings.TRUSTED_PROXIES = []
    assert address(PROXY, ATTACKER) == PROXY


# --- One place, several places --------------------------------------------------


def test_twenty_wrong_passwords_from_one_place_leave_the_owner_their_password_elsewhere(client):
    user = verified_user()
    for number in range(20):
        log_in(client, user.email, f"essai-{number}", **through_proxy(ATTACKER))

    response = log_in(client, user.email, PASSWORD, **through_proxy(OWNER_ADDRESS))

    assert response.status_code == 302
    assert logged_in_user(client) == user


def guess_from_many_places(client, login, times):
    return [
        log_in(client, login, f"essai-{number}", **through_proxy(f"203.0.113.{number + 1}")).status_code
        for number in range(times)
    ]


def test_wrong_passwords_from_many_places_stop_the_password_alone_for_that_account(client, audit, settings):
    user = verified_user()
    limit = settings.LOGIN_FAILURES_PER_ACCOUNT

    statuses = guess_from_many_places(client, user.email, limit)
    right = log_in(client, user.email, PASSWORD, **through_proxy(OWNER_ADDRESS))
    wrong = log_in(client, user.email, "encore-faux", **through_proxy("192.0.2.77"))

    # No address reached its own limit, yet the guessing stops; the right password is answered
    # exactly as a wrong one, so that it cannot be told apart.
    assert statuses == [200] * limit
    assert right.status_code == wrong.status_code == 429
    assert page_without_tokens(right) == page_without_tokens(wrong)
    assert logged_in_user(client).is_anonymous
    page = right.content.decode()
    assert "code reçu par e-mail" in page
    assert 'href="/accounts/login/code/"' in page
    assert len(audit.of("login_failed")) == limit + 2
    assert audit.of("locked_out")[-1] == (
        f"event=locked_out login={user.email} ip=192.0.2.77 scope=account failure_limit={limit}"
    )


def test_a_wrong_login_name_guessed_from_many_places_is_answered_like_a_real_one(client, settings):
    user = verified_user()
    limit = settings.LOGIN_FAILURES_PER_ACCOUNT
    guess_from_many_places(client, user.email, limit)
    guess_from_many_places(client, "personne@nulle-part.example", limit)

    real = log_in(client, user.email, "faux", **through_proxy("192.0.2.78"))
    unknown = log_in(client, "personne@nulle-part.example", "faux", **through_proxy("192.0.2.78"))

    assert real.status_code == unknown.status_code == 429
    assert page_without_tokens(real) == page_without_tokens(unknown)


def test_after_guessing_from_many_places_the_owner_gets_in_with_a_mailed_code(
    client, settings, mail_goes_out_at_once, django_capture_on_commit_callbacks
):
    user = verified_user()
    guess_from_many_places(client, user.email, settings.LOGIN_FAILURES_PER_ACCOUNT)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/code/", {"email": user.email}, **through_proxy(OWNER_ADDRESS))
    code = next(line for line in mail.outbox[-1].body.splitlines() if len(line) == 9 and line[4] == "-")
    response = client.post("/accounts/login/code/confirm/", {"code": code}, **through_proxy(OWNER_ADDRESS))

    assert response.status_code == 302
    assert logged_in_user(client) == user


def test_after_guessing_from_many_places_the_owner_gets_in_with_password_and_second_factor(client, settings):
    user = verified_user()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    guess_from_many_places(client, user.email, settings.LOGIN_FAILURES_PER_ACCOUNT)

    after_password = log_in(client, user.email, PASSWORD, **through_proxy(OWNER_ADDRESS))
    after_code = client.post(
        "/accounts/2fa/authenticate/", {"code": current_totp_code(secret)}, **through_proxy(OWNER_ADDRESS)
    )

    assert after_password.status_code == 302
    assert after_password["Location"] == "/accounts/2fa/authenticate/"
    assert after_code.status_code == 302
    assert logged_in_user(client) == user


def test_second_factor_codes_are_limited_per_account_in_the_database(client, audit, settings):
    user = verified_user()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    limit = settings.SECOND_FACTOR_FAILURES_PER_ACCOUNT
    wrong = wrong_totp_code(secret)

    for number in range(limit):
        # Each try from another address, with a new password step: nothing is kept in the session.
        log_in(client, user.email, PASSWORD, **through_proxy(f"203.0.113.{number + 1}"))
        client.post("/accounts/2fa/authenticate/", {"code": wrong}, **through_proxy(f"203.0.113.{number + 1}"))
    log_in(client, user.email, PASSWORD, **through_proxy(OWNER_ADDRESS))
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp_code(secret)}, **through_proxy(OWNER_ADDRESS))

    assert response.status_code == 200
    assert "Trop de codes erronés" in response.content.decode()
    assert logged_in_user(client).is_anonymous
    assert len(audit.of("second_factor_failed")) == limit
    assert audit.of("locked_out")[-1] == (
        f"event=locked_out user_id={user.pk} email={user.email} ip={OWNER_ADDRESS} scope=second_factor failure_limit={limit}"
    )
