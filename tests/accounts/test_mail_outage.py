"""A failing mail server never turns a password reset into an error, and the mail still goes out."""
import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from outbox.models import OutgoingMail
from outbox.services import send_due_mail

from ..factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server_down(settings):
    # A real SMTP connection to a port where nothing listens: refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


def test_password_reset_answers_normally_while_the_mail_server_is_down_and_mails_later(
    client, settings, mail_server_down, django_capture_on_commit_callbacks
):
    user = make_user()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})

    assert response.status_code == 302
    assert OutgoingMail.objects.get(to=user.email).status == OutgoingMail.Status.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.update(next_attempt_at=OutgoingMail.objects.get().created_at)
    send_due_mail()

    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "password/reset/key" in mail.outbox[0].body
