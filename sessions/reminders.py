"""Reminders a week and a day before each announced session and InterTransfo, each sent once per person.

Run every hour by Celery beat (``sessions.send_reminders``). A reminder is due in a window of
days rather than on one day, so that a worker down for a day still sends it late rather than
never; each mail's outbox key (``session-<pk>-reminder-7d-<person pk>``, for an InterTransfo
``gathering-<pk>-reminder-7d-<person key>``) makes any later run, or a second worker, send
nothing more. People who answered "absent" for every day are left alone; the others —
"present", "not sure" or no answer yet for at least one day — are reminded.
"""
import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ambassadors.models import Ambassador

from .invitations import mail_invited
from .invitees import invitations_of
from .models import Attendance, EventStatus, Gathering, GatheringAttendance, Session

# (label, first day it is due, last day it is due), in days before the session's first day.
REMINDERS = (("7d", 7, 5), ("1d", 1, 1))


def reminder_due(event, today: datetime.date) -> str | None:
    """Which reminder ("7d" or "1d") a session or InterTransfo is due for on ``today``, if any."""
    days_left = (event.start_date - today).days
    for label, earliest, latest in REMINDERS:
        if latest <= days_left <= earliest:
            return label
    return None


def people_to_remind(session: Session):
    """Active people invited to the session who have not answered "absent" for every day."""
    still_coming = Attendance.objects.filter(session=session, ambassador=OuterRef("pk")).exclude(
        response=Attendance.Response.NO
    )
    return (
        Ambassador.objects.filter(lab_id=session.lab_id, is_active=True)
        .filter(Exists(still_coming))
        .order_by("last_name", "first_name", "pk")
    )


def invitations_to_remind(gathering: Gathering) -> list:
    """People still invited to the InterTransfo who have not answered "absent" for every day."""
    still_coming = GatheringAttendance.objects.filter(invitation=OuterRef("pk")).exclude(
        response=GatheringAttendance.Response.NO
    )
    return [invitation for invitation in invitations_of(gathering).filter(Exists(still_coming)) if invitation.is_active]


def send_due_reminders(today: datetime.date | None = None, *, base_url: str | None = None) -> int:
    """Queue the reminders due on ``today`` (the local date by default); the number queued.

    Running it again the same day, or on the next days of a window, queues nothing more.
    """
    today = today or timezone.localdate()
    horizon = max(earliest for _label, earliest, _latest in REMINDERS)
    window = {
        "status": EventStatus.ANNOUNCED,
        "start_date__gt": today,
        "start_date__lte": today + datetime.timedelta(days=horizon),
    }
    queued = 0
    events = [
        (session, people_to_remind(session))
        for session in Session.objects.filter(**window).select_related("lab")
        if reminder_due(session, today)
    ] + [
        (gathering, invitations_to_remind(gathering))
        for gathering in Gathering.objects.filter(**window).select_related("programme", "host_lab")
        if reminder_due(gathering, today)
    ]
    for event, people in events:
        name = f"reminder-{reminder_due(event, today)}"
        queued += mail_invited(event, people, kind=name, name=name, base_url=base_url)
    return queued
