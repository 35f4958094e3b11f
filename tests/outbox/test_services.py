"""Mail is recorded before it is sent: a failing server delays it, a duplicate never goes out."""
import datetime
import socketserver
import threading

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


# --- A mail that can never be sent ----------------------------------------------------------


class RefusingSMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend; every recipient gets the server's RCPT answer."""

    def handle(self):
        self.wfile.write(b"220 refus.example ESMTP\r\n")
        for raw in self.rfile:
            verb = raw[:4].upper()
            if verb == b"QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            if verb == b"DATA":
                self.wfile.write(b"354 End with <CRLF>.<CRLF>\r\n")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
            answer = self.server.rcpt_answer if verb == b"RCPT" else b"250 OK"
            self.wfile.write(answer + b"\r\n")


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port; set ``rcpt_answer`` to what it says to RCPT."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RefusingSMTPHandler)
    server.daemon_threads = True
    server.rcpt_answer = b"250 OK"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def retry_everything_due():
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    send_due_mail()


def test_queued_subject_is_kept_on_one_line():
    queued = queue_mail(to="camille@ville.example", subject="Cas\r\nBcc: pirate@ailleurs.example\tet\u2028suite", body_text="…")

    assert queued.subject == "Cas Bcc: pirate@ailleurs.example et suite"


def test_a_subject_saved_with_a_line_break_goes_out_on_one_line():
    # A row written before subjects were cleaned, as a case title with "\r\n" once made.
    saved = OutgoingMail.objects.create(to="camille@ville.example", subject="Le cas\r\nnuméro 2 avance", body_text="…")

    assert send_queued_mail(saved.pk) is True

    saved.refresh_from_db()
    assert saved.status == OutgoingMail.Status.SENT
    assert [message.subject for message in mail.outbox] == ["Le cas numéro 2 avance"]


def test_a_mail_the_library_refuses_is_given_up_at_once_with_its_reason():
    refused = OutgoingMail.objects.create(
        to="camille@ville.example\r\nBcc: pirate@ailleurs.example", subject="Invitation", body_text="…"
    )

    assert send_queued_mail(refused.pk) is False
    retry_everything_due()

    refused.refresh_from_db()
    assert refused.status == OutgoingMail.Status.REFUSED
    assert refused.attempts == 1
    assert refused.last_error.startswith("BadHeaderError")
    assert mail.outbox == []


def test_a_recipient_the_server_refuses_for_good_is_not_tried_again(smtp_server):
    smtp_server.rcpt_answer = b"550 5.1.1 No such user"
    refused = queue_invitation()

    send_queued_mail(refused.pk)
    retry_everything_due()

    refused.refresh_from_db()
    assert refused.status == OutgoingMail.Status.REFUSED
    assert refused.attempts == 1
    assert "No such user" in refused.last_error


def test_a_recipient_refused_for_now_is_tried_again_until_the_server_takes_it(smtp_server):
    smtp_server.rcpt_answer = b"451 4.7.1 Greylisted, try again later"
    queued = queue_invitation()

    send_queued_mail(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (OutgoingMail.Status.PENDING, 1)

    smtp_server.rcpt_answer = b"250 OK"
    retry_everything_due()

    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (OutgoingMail.Status.SENT, 2)


def test_the_admin_lists_refused_mail_with_its_reason(admin_client):
    refused = OutgoingMail.objects.create(to="camille@ville.example\nBcc: x@ailleurs.example", subject="Invitation", body_text="…")
    send_queued_mail(refused.pk)

    response = admin_client.get("/django-admin/outbox/outgoingmail/", {"status__exact": "refused"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Impossible à envoyer" in page
    assert "BadHeaderError" in page
