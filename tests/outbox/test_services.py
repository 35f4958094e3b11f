"""Mail is recorded before it is sent: a failing server delays it, a duplicate never goes out."""
import datetime

import pytest
from django.core import mail
from django.utils import timezone

from outbox.models import OutgoingMail
from outbox.services import queue_mail, send_due_mail, send_queued_mail
from outbox.tasks import send_mail_task

from ..celery_config import celery_configured

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server_down(settings):
    # A real SMTP connection to a port where nothing listens: refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


@pytest.fixture
def broker_down():
    """Celery no longer eager, with a broker where nothing listens."""
    with celery_configured(task_always_eager=False, broker_url="redis://127.0.0.1:1/0"):
        yield


def queue_invitation(key=None):
    return queue_mail(to="camille@ville.example", subject="Invitation", body_text="Bienvenue", key=key)


def test_queued_mail_goes_out_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_invitation()

    queued.refresh_from_db()
    assert [message.to for message in mail.outbox] == [["camille@ville.example"]]
    assert queued.status == OutgoingMail.Status.SENT


def test_mail_with_an_event_key_is_sent_once_however_often_it_is_queued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_invitation(key="session-12:ambassador-3:reminder-7d")
        second = queue_invitation(key="session-12:ambassador-3:reminder-7d")

    assert second is None
    assert len(mail.outbox) == 1
    assert OutgoingMail.objects.get().pk == first.pk


def test_sending_task_run_twice_sends_once(django_capture_on_commit_callbacks):
    queued = queue_invitation()

    send_mail_task.apply(args=[queued.pk])
    send_mail_task.apply(args=[queued.pk])

    assert len(mail.outbox) == 1


def test_mail_server_down_keeps_the_mail_and_sends_it_once_it_is_back(
    mail_server_down, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_invitation()
    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.PENDING
    assert queued.attempts == 1
    assert "ConnectionRefusedError" in queued.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now())
    sent = send_due_mail()
    send_due_mail()

    queued.refresh_from_db()
    assert sent == 1
    assert queued.status == OutgoingMail.Status.SENT
    assert len(mail.outbox) == 1


def test_failed_mail_waits_before_its_next_attempt(mail_server_down):
    queued = queue_invitation()

    send_queued_mail(queued.pk)

    queued.refresh_from_db()
    assert queued.next_attempt_at > timezone.now() + datetime.timedelta(seconds=30)
    assert list(OutgoingMail.objects.due()) == []


def test_broker_down_keeps_the_mail_for_the_periodic_sweep(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_invitation()

    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.PENDING
    assert mail.outbox == []

    send_due_mail()

    assert len(mail.outbox) == 1
