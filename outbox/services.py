"""Queue and send e-mail so that a request never waits for, nor fails with, the mail server."""
import datetime
import logging
import re
import smtplib

from celery.exceptions import CeleryError
from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import KombuError

from common.text import one_line

from .models import OutgoingMail

logger = logging.getLogger("transfo.outbox")

MAX_ATTEMPTS = 12
# Waits between attempts: quick at first, then up to an hour (about 10 hours in all).
RETRY_DELAYS_MINUTES = [1, 2, 5, 10, 20, 30, 60, 60, 60, 60, 60, 60]


@transaction.atomic
def queue_mail(
    *, to: str, subject: str, body_text: str, body_html: str = "", key: str | None = None, calendar: str = ""
):
    """Record a mail and send it once the surrounding transaction commits.

    ``calendar`` is the text of an iTIP invitation (``METHOD:REQUEST`` or ``CANCEL``), sent
    beside the text as a ``text/calendar; method=…`` part.

    With a ``key`` that was already queued, nothing happens and None is returned: a mail per
    event and person is sent exactly once, however often the caller runs.
    """
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(
                to=to,
                subject=one_line(subject)[:300],
                body_text=body_text,
                body_html=body_html,
                key=key,
                calendar=calendar,
            )
    except IntegrityError:
        if key and OutgoingMail.objects.filter(key=key).exists():
            return None
        raise
    transaction.on_commit(lambda: enqueue_sending(mail.pk), robust=True)
    return mail


_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.M)


def calendar_content_type(calendar: str) -> str:
    """``text/calendar; method=REQUEST``: mail applications read the method from the part's type."""
    found = _METHOD.search(calendar)
    return f"text/calendar; method={found.group(1)}" if found else "text/calendar"


def is_permanent(error: Exception) -> bool:
    """Whether ``error`` says that this mail, as it is, can never be sent.

    A header the mail library refuses (a line break in it), a recipient or a content the server
    refuses for good (a 5xx answer): retrying would only keep it pending for ever. Everything
    else (server unreachable, busy, 4xx answers, its login or sender refused, which concern
    every mail and get fixed) is tried again later.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(500 <= code < 600 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    if isinstance(error, OSError):
        # SMTP and network errors are OSErrors: unreachable, disconnected, refused login…
        return False
    return isinstance(error, (BadHeaderError, ValueError, TypeError))


def enqueue_sending(mail_id: int) -> None:
    """Hand the mail to a worker; with the broker down, the periodic task will send it later."""
    from .tasks import send_mail_task

    try:
        send_mail_task.delay(mail_id)
    except (CeleryError, KombuError, OSError) as error:
        logger.warning("Mail %s stays queued: the broker is unreachable (%s).", mail_id, error)


def send_queued_mail(mail_id: int) -> bool:
    """Send one queued mail now; True when it went out (or had already gone out).

    The row is locked while sending so two workers never both send it.
    """
    handed_over = False
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
            if mail is None or mail.status == OutgoingMail.Status.SENT:
                return True
            if mail.status in (OutgoingMail.Status.FAILED, OutgoingMail.Status.REFUSED):
                return False
            # One line again: a row saved before subjects were cleaned must not block for ever.
            message = EmailMultiAlternatives(
                subject=one_line(mail.subject), body=mail.body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[mail.to]
            )
            if mail.body_html:
                message.attach_alternative(mail.body_html, "text/html")
            if mail.calendar:
                message.attach_alternative(mail.calendar, calendar_content_type(mail.calendar))
            mail.attempts += 1
            try:
                message.send()
            except Exception as error:  # noqa: BLE001 — any mail failure is recorded, none is lost
                mail.last_error = f"{type(error).__name__}: {error}"[:2000]
                if is_permanent(error):
                    mail.status = OutgoingMail.Status.REFUSED
                elif mail.attempts >= MAX_ATTEMPTS:
                    mail.status = OutgoingMail.Status.FAILED
                else:
                    delay = RETRY_DELAYS_MINUTES[min(mail.attempts, len(RETRY_DELAYS_MINUTES)) - 1]
                    mail.next_attempt_at = timezone.now() + datetime.timedelta(minutes=delay)
                mail.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
                logger.warning("Mail %s not sent (attempt %s): %s", mail.pk, mail.attempts, mail.last_error)
                return False
            handed_over = True
            mail.status = OutgoingMail.Status.SENT
            mail.sent_at = timezone.now()
            mail.last_error = ""
            mail.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return True
    except DatabaseError:
        if not handed_over:
            raise
        # The mail server has the mail but the database lost the transaction saying so (its
        # connection was cut, as by a restart): left pending, the sweep would send it twice.
        _record_sent_again(mail_id)
        return True


def _record_sent_again(mail_id: int) -> None:
    logger.warning("Mail %s was sent but not recorded: recording it on a new connection.", mail_id)
    # The cut connection is useless; the next query opens a new one, which waits for a
    # restarting PostgreSQL (transfo.postgresql).
    connection.close()
    OutgoingMail.objects.filter(pk=mail_id).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1
    )


def send_due_mail(limit: int = 200) -> int:
    """Send the pending mails whose time has come; the number sent."""
    due_ids = list(OutgoingMail.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for mail_id in due_ids if send_queued_mail(mail_id))
