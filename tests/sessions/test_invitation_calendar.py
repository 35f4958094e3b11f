"""The mails announcing, changing and cancelling an event carry an invitation a calendar accepts.

Read as a mail application does: Python's email parser finds the ``text/calendar; method=…``
part, icalendar reads it. Its UIDs and SEQUENCE are those of the feeds, so that the event
accepted from the mail is the one the feed updates.
"""
import datetime
import email
from email import policy

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from programmes.models import Coordination, LabMembership
from sessions.gatherings import announce_gathering, update_gathering
from sessions.models import EventStatus, Session
from sessions.reminders import send_due_reminders
from sessions.services import announce_session, cancel_session, update_session

from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_gathering,
    make_lab,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
BASE_URL = "http://testserver/"


@pytest.fixture
def world():
    programme = make_programme(start_date=TODAY - 900 * DAY, end_date=TODAY + 900 * DAY)
    lab = make_lab(programme=programme, start_date=TODAY - 120 * DAY, end_date=TODAY + 300 * DAY)
    alex = make_ambassador(lab, first_name="Alex", last_name="Martin", email="alex@test.transfo.example", user=make_user())
    sacha = make_ambassador(lab, first_name="Sacha", email="sacha@test.transfo.example")
    start = TODAY + 20 * DAY
    session = make_session(lab, number=4, start_date=start, end_date=start + DAY, place_name="Hôtel de ville")
    make_agenda_item(session, day=start, start_time=datetime.time(9, 30), end_time=datetime.time(17))
    coordinator = make_user()
    Coordination.objects.create(programme=programme, user=coordinator)
    return {"programme": programme, "lab": lab, "alex": alex, "sacha": sacha, "session": session, "coordinator": coordinator}


def sent_to(address):
    """The last mail sent to ``address``, parsed from its bytes as a mail application does."""
    message = [message for message in mail.outbox if message.to == [address]][-1]
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def invitation_in(parsed):
    """The calendar part of a parsed mail and its parsed text."""
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0], icalendar.Calendar.from_ical(parts[0].get_content())


def feed_days(client, reader_user, lab, prefix):
    client.force_login(reader_user)
    response = client.get(reverse("calendar:lab_feed", kwargs={"lab_slug": lab.slug}))
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith(prefix)}


def test_announcing_a_session_mails_each_person_an_invitation_of_every_day(world, client, django_capture_on_commit_callbacks):
    session = world["session"]

    with django_capture_on_commit_callbacks(execute=True):
        announce_session(session=session, base_url=BASE_URL)

    part, calendar = invitation_in(sent_to("alex@test.transfo.example"))
    events = sorted(calendar.walk("VEVENT"), key=lambda event: str(event["UID"]))
    assert part.get_param("method") == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(event["UID"]) for event in events] == [f"session-{session.pk}-day-1@transfo", f"session-{session.pk}-day-2@transfo"]
    assert events[0].start == datetime.datetime.combine(session.start_date, datetime.time(9, 30), tzinfo=events[0].start.tzinfo)
    assert events[1].start == session.end_date
    for event in events:
        attendee = event["ATTENDEE"]
        assert str(attendee) == "mailto:alex@test.transfo.example"
        assert (attendee.params["CN"], attendee.params["RSVP"], attendee.params["PARTSTAT"]) == ("Alex Martin", "TRUE", "NEEDS-ACTION")
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert str(event["STATUS"]) == "CONFIRMED"
    # The other person is the attendee of their own copy.
    other = invitation_in(sent_to("sacha@test.transfo.example"))[1]
    assert {str(event["ATTENDEE"]) for event in other.walk("VEVENT")} == {"mailto:sacha@test.transfo.example"}
    # The same events as in the feed, at the same version.
    member = make_user()
    LabMembership.objects.create(lab=world["lab"], user=member, role=LabMembership.Role.RESIDENT)
    feed = feed_days(client, member, world["lab"], f"session-{session.pk}-")
    assert {str(event["UID"]): event["SEQUENCE"] for event in events} == {uid: event["SEQUENCE"] for uid, event in feed.items()}
    # Kept with the queued mail, as it was sent.
    stored = OutgoingMail.objects.get(to="alex@test.transfo.example")
    assert icalendar.Calendar.from_ical(stored.calendar)["METHOD"] == "REQUEST"


def test_a_moved_session_mails_an_update_of_the_same_events(world, django_capture_on_commit_callbacks):
    session = world["session"]
    with django_capture_on_commit_callbacks(execute=True):
        announce_session(session=session, base_url=BASE_URL)
    first = invitation_in(sent_to("alex@test.transfo.example"))[1]

    with django_capture_on_commit_callbacks(execute=True):
        update_session(session=session, start_date=session.start_date + 7 * DAY, end_date=session.end_date + 7 * DAY,
                       base_url=BASE_URL)

    parsed = sent_to("alex@test.transfo.example")
    part, update = invitation_in(parsed)
    before = {str(event["UID"]): event for event in first.walk("VEVENT")}
    after = {str(event["UID"]): event for event in update.walk("VEVENT")}
    assert str(parsed["Subject"]).strip().startswith("Changement")
    assert part.get_param("method") == "REQUEST"
    assert sorted(after) == sorted(before)
    assert all(after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"] for uid in before)
    assert sorted(event.start for event in after.values()) == [session.start_date + 7 * DAY, session.end_date + 7 * DAY]


def test_a_cancelled_session_mails_a_cancellation_of_the_same_events(world, django_capture_on_commit_callbacks):
    session = world["session"]
    with django_capture_on_commit_callbacks(execute=True):
        announce_session(session=session, base_url=BASE_URL)
    first = invitation_in(sent_to("sacha@test.transfo.example"))[1]

    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(session=session, base_url=BASE_URL)

    part, cancellation = invitation_in(sent_to("sacha@test.transfo.example"))
    before = {str(event["UID"]): event["SEQUENCE"] for event in first.walk("VEVENT")}
    after = {str(event["UID"]): event for event in cancellation.walk("VEVENT")}
    assert part.get_param("method") == "CANCEL"
    assert str(cancellation["METHOD"]) == "CANCEL"
    assert sorted(after) == sorted(before)
    assert {str(event["STATUS"]) for event in after.values()} == {"CANCELLED"}
    assert all(after[uid]["SEQUENCE"] > before[uid] for uid in before)
    assert {str(event["ATTENDEE"]) for event in after.values()} == {"mailto:sacha@test.transfo.example"}
    assert Session.objects.get(pk=session.pk).status == EventStatus.CANCELLED


def test_a_reminder_carries_no_invitation(world, django_capture_on_commit_callbacks):
    session = world["session"]
    with django_capture_on_commit_callbacks(execute=True):
        announce_session(session=session, base_url=BASE_URL)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(today=session.start_date - 7 * DAY)

    assert mail.outbox
    for message in mail.outbox:
        parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
        assert "text/calendar" not in {part.get_content_type() for part in parsed.walk()}


def test_an_intertransfo_is_announced_moved_and_cancelled_in_the_calendars_too(world, django_capture_on_commit_callbacks):
    gathering = make_gathering(world["programme"], title="Faire labo ensemble", start_date=TODAY + 40 * DAY,
                               end_date=TODAY + 41 * DAY, place_name="Pavillon de l'Arsenal")
    coordinator = world["coordinator"]
    address = "alex@test.transfo.example"
    prefix = f"gathering-{gathering.pk}-"

    with django_capture_on_commit_callbacks(execute=True):
        announce_gathering(gathering=gathering, announced_by=coordinator, base_url=BASE_URL)
    announced_part, announced = invitation_in(sent_to(address))
    with django_capture_on_commit_callbacks(execute=True):
        update_gathering(gathering=gathering, changed_by=coordinator, base_url=BASE_URL,
                         start_date=TODAY + 47 * DAY, end_date=TODAY + 48 * DAY)
    moved_part, moved = invitation_in(sent_to(address))
    with django_capture_on_commit_callbacks(execute=True):
        update_gathering(gathering=gathering, changed_by=coordinator, base_url=BASE_URL, status=EventStatus.CANCELLED)
    cancelled_part, cancelled = invitation_in(sent_to(address))

    versions = [
        {str(event["UID"]): event["SEQUENCE"] for event in calendar.walk("VEVENT")}
        for calendar in (announced, moved, cancelled)
    ]
    assert [part.get_param("method") for part in (announced_part, moved_part, cancelled_part)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert all(sorted(version) == [f"{prefix}day-1@transfo", f"{prefix}day-2@transfo"] for version in versions)
    assert all(versions[0][uid] < versions[1][uid] < versions[2][uid] for uid in versions[0])
    assert sorted(event.start for event in moved.walk("VEVENT")) == [TODAY + 47 * DAY, TODAY + 48 * DAY]
    assert {str(event["STATUS"]) for event in cancelled.walk("VEVENT")} == {"CANCELLED"}
    assert {str(event["ATTENDEE"]) for event in announced.walk("VEVENT")} == {f"mailto:{address}"}
