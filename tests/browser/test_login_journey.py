"""A person logs in with a code received by e-mail, or with a password and an authenticator app, then logs out."""
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail

from transfo.celery import app as celery_app

from ..factories import make_user
from .accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "un-mot-de-passe-solide"
CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)



@pytest.fixture
def mail_goes_out_at_once():
    """Celery in the server's process even when REDIS_URL names a broker, so the mail lands in the outbox."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def verified_user():
    user = make_user(password=PASSWORD, first_name="Camille")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def totp_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_person_logs_in_with_a_code_from_the_mail_and_logs_out(live_server, page, mail_goes_out_at_once):
    user = verified_user()

    page.goto(live_server.url + "/accounts/login/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Recevoir un code de connexion").click()
    assert serious_violations(page) == []
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_role("button", name="Demander un code").click()
    page.wait_for_url(live_server.url + "/accounts/login/code/confirm/")
    assert serious_violations(page) == []
    code = CODE.search(mail.outbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirmer").click()

    page.wait_for_url(live_server.url + "/espace/")
    logout = page.get_by_role("button", name="Se déconnecter")
    assert logout.is_visible()
    logout.click()
    # The phone's offline copies are emptied before the logout is posted: wait for its answer.
    page.get_by_role("link", name="Se connecter").wait_for()
    assert page.get_by_role("link", name="Se connecter").is_visible()
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_person_turns_on_an_authenticator_app_then_is_asked_for_its_code_at_login(live_server, page):
    user = verified_user()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(live_server.url + "/espace/")

    page.goto(live_server.url + "/accounts/2fa/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Activer").click()
    # Turning on a second factor asks for the password again.
    assert serious_violations(page) == []
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_url(re.compile(r".*/accounts/2fa/totp/activate/$"))
    assert serious_violations(page) == []
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code de l'authentificateur").fill(totp_code(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url(re.compile(r".*/accounts/2fa/.*"))
    assert serious_violations(page) == []
    page.get_by_role("button", name="Se déconnecter").click()
    # The phone's offline copies are emptied before the logout is posted: wait for its answer.
    page.get_by_role("link", name="Se connecter").wait_for()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(live_server.url + "/accounts/2fa/authenticate/")
    assert serious_violations(page) == []
    assert page.get_by_role("button", name="Se déconnecter").count() == 0


def test_person_with_an_authenticator_enters_its_code_and_is_logged_in(live_server, page):
    user = verified_user()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(live_server.url + "/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Connexion").click()

    page.wait_for_url(live_server.url + "/espace/")
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
