"""Reminders a week and a day before each announced session: exactly once per person, never lost."""
import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from outbox.models import OutgoingMail
from outbox.services import send_due_mail
from sessions.models import Attendance, EventStatus
from sessions.reminders import send_due_reminders
from sessions.services import announce_session, cancel_session, update_session
from sessions.tasks import send_reminders_task
from transfo.celery import app as celery_app

from ..celery_config import celery_configured
from ..factories import make_agenda_item, make_ambassador, make_lab, make_session

pytestmark = pytest.mark.django_db

START = datetime.date(2031, 3, 10)
YES, NO, MAYBE = Attendance.Response.YES, Attendance.Response.NO, Attendance.Response.MAYBE


@pytest.fixture
def session():
    lab = make_lab(start_date=datetime.date(2030, 9, 1), end_date=datetime.date(2031, 12, 31))
    session = make_session(lab, number=6, start_date=START, end_date=START + datetime.timedelta(days=1))
    make_agenda_item(session, title="Atelier de prototypage")
    return session


@pytest.fixture
def invited(session):
    """Five people announced to: one says yes, one no to every day, one no then maybe, one silent, one left."""
    lab = session.lab
    people = {name: make_ambassador(lab, first_name=name) for name in ("Oui", "Non", "Peut-être", "Muet", "Parti")}
    announce_session(session=session, today=START - datetime.timedelta(days=30))
    answer(session, people["Oui"], [YES, YES])
    answer(session, people["Non"], [NO, NO])
    answer(session, people["Peut-être"], [NO, MAYBE])
    people["Parti"].is_active = False
    people["Parti"].save()
    OutgoingMail.objects.all().delete()
    mail.outbox.clear()
    return people


def answer(session, person, responses):
    for day, response in zip(session.days, responses):
        Attendance.objects.filter(session=session, ambassador=person, day=day).update(response=response)


def reminded(label, session):
    return sorted(
        OutgoingMail.objects.filter(key__startswith=f"session-{session.pk}-reminder-{label}-").values_list("to", flat=True)
    )


def emails(people, *names):
    return sorted(people[name].email for name in names)


def test_a_week_before_everyone_still_coming_gets_exactly_one_reminder(session, invited):
    queued = send_due_reminders(today=START - datetime.timedelta(days=7))

    assert queued == 3
    assert reminded("7d", session) == emails(invited, "Oui", "Peut-être", "Muet")
    assert reminded("1d", session) == []
    reminder = OutgoingMail.objects.get(to=invited["Muet"].email)
    assert reminder.subject.startswith("Dans une semaine : session n° 6")
    assert "Atelier de prototypage" in reminder.body_text
    assert "/reponse/" in reminder.body_text


def test_a_day_before_everyone_still_coming_gets_exactly_one_more(session, invited):
    send_due_reminders(today=START - datetime.timedelta(days=7))

    queued = send_due_reminders(today=START - datetime.timedelta(days=1))

    assert queued == 3
    assert reminded("1d", session) == emails(invited, "Oui", "Peut-être", "Muet")
    assert OutgoingMail.objects.count() == 6


def test_task_run_twice_sends_nothing_more(session, invited, django_capture_on_commit_callbacks):
    today = START - datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        first = send_due_reminders(today=today)
        second = send_due_reminders(today=today)
        third = send_due_reminders(today=today)

    assert (first, second, third) == (3, 0, 0)
    assert sorted(message.to[0] for message in mail.outbox) == emails(invited, "Oui", "Peut-être", "Muet")


def test_week_reminder_missed_by_a_stopped_worker_goes_out_late_but_once(session, invited):
    late = send_due_reminders(today=START - datetime.timedelta(days=5))
    again = send_due_reminders(today=START - datetime.timedelta(days=4))

    assert (late, again) == (3, 0)
    assert reminded("7d", session) == emails(invited, "Oui", "Peut-être", "Muet")


@pytest.mark.parametrize("days_before", [30, 8, 4, 2, 0, -1])
def test_no_reminder_on_other_days(session, invited, days_before):
    assert send_due_reminders(today=START - datetime.timedelta(days=days_before)) == 0


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED, EventStatus.HELD])
def test_only_announced_sessions_are_reminded(session, invited, status):
    session.status = status
    session.save()

    assert send_due_reminders(today=START - datetime.timedelta(days=1)) == 0


def test_scheduled_task_reminds_with_today_s_date(session, invited, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: START - datetime.timedelta(days=7))

    send_reminders_task.apply()
    send_reminders_task.apply()

    assert reminded("7d", session) == emails(invited, "Oui", "Peut-être", "Muet")


def test_reminders_task_is_registered_and_scheduled_every_hour():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "sessions.send_reminders" in celery_app.tasks
    assert schedule["sessions.send_reminders"] == 3600.0


@pytest.fixture
def mail_server_down(settings):
    # A real SMTP connection to a port where nothing listens: refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


def test_with_the_mail_server_down_nothing_is_lost_and_it_goes_out_later(
    session, invited, mail_server_down, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = send_due_reminders(today=START - datetime.timedelta(days=1))

    pending = OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING)
    assert queued == 3
    assert pending.count() == 3
    assert all("ConnectionRefusedError" in row.last_error for row in pending)
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    sent = send_due_mail()
    send_due_mail()
    again = send_due_reminders(today=START - datetime.timedelta(days=1))

    assert sent == 3
    assert again == 0
    assert sorted(message.to[0] for message in mail.outbox) == emails(invited, "Oui", "Peut-être", "Muet")


def test_with_redis_down_the_reminders_wait_in_the_database_for_the_sweep(
    session, invited, django_capture_on_commit_callbacks
):
    broker_down = celery_configured(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        queued = send_due_reminders(today=START - datetime.timedelta(days=7))

    assert queued == 3
    assert mail.outbox == []
    assert OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING).count() == 3

    send_due_mail()

    assert sorted(message.to[0] for message in mail.outbox) == emails(invited, "Oui", "Peut-être", "Muet")


@pytest.mark.services
def test_reminders_go_through_the_real_redis_broker(session, invited, django_capture_on_commit_callbacks):
    """Queued on the real broker, the sending task is there for a worker: nothing waits in the request."""
    import kombu

    # A queue of this test's own, so that no other test or worker on the same Redis sees it.
    queue = "test-session-reminders"
    real_broker = celery_configured(task_always_eager=False, broker_url=settings.REDIS_URL, task_default_queue=queue)
    with real_broker, kombu.Connection(settings.REDIS_URL) as connection:
        redis = connection.default_channel.client
        redis.delete(queue)
        with django_capture_on_commit_callbacks(execute=True):
            send_due_reminders(today=START - datetime.timedelta(days=1))
        waiting = redis.llen(queue)
        redis.delete(queue)

    assert waiting == 3
    assert mail.outbox == []
    assert OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING).count() == 3


def test_change_of_dates_mails_the_invited_once_per_change(session, invited):
    moved = START + datetime.timedelta(days=7)

    update_session(session=session, start_date=moved, end_date=moved + datetime.timedelta(days=1))
    update_session(session=session, start_date=moved, end_date=moved + datetime.timedelta(days=1), title="Même dates")
    update_session(session=session, place_name="Médiathèque", place_address="3 rue des Livres")

    changes = OutgoingMail.objects.filter(key__contains="-change-")
    # Everyone invited hears of it, even those who said no: the new dates may suit them.
    assert sorted(changes.values_list("to", flat=True)) == sorted(emails(invited, "Oui", "Non", "Peut-être", "Muet") * 2)
    assert changes.filter(body_text__contains="Médiathèque").count() == 4


def test_a_moved_session_is_reminded_on_its_new_dates(session, invited):
    moved = START + datetime.timedelta(days=14)
    update_session(session=session, start_date=moved, end_date=moved)

    assert send_due_reminders(today=START - datetime.timedelta(days=1)) == 0
    assert send_due_reminders(today=moved - datetime.timedelta(days=1)) == 4  # the new day asks everyone again


def test_cancelling_mails_every_invited_person_once(session, invited):
    cancel_session(session=session)
    cancel_session(session=session)

    cancels = OutgoingMail.objects.filter(key__contains="-cancel-")
    assert sorted(cancels.values_list("to", flat=True)) == emails(invited, "Oui", "Non", "Peut-être", "Muet")
    assert send_due_reminders(today=START - datetime.timedelta(days=1)) == 0


def test_mails_are_written_in_french_whatever_the_page_language(session, invited):
    from django.utils import translation

    with translation.override("en"):
        send_due_reminders(today=START - datetime.timedelta(days=1))

    assert OutgoingMail.objects.filter(subject__startswith="Demain : session n° 6").count() == 3
