"""A calendar follows a session or an InterTransfo that moves, changes or is cancelled.

Read as a calendar application does: icalendar parses the feed, recurring-ical-events says which
events fall on which days. Each day keeps its UID (the event and the day's rank) when its date
changes, and its SEQUENCE rises with every change that matters to someone attending.
"""
import datetime

import icalendar
import pytest
import recurring_ical_events
from django.urls import reverse
from django.utils.http import http_date

from programmes.models import Coordination
from sessions.gatherings import update_gathering
from sessions.models import CalendarFeedToken, EventStatus, Session
from sessions.services import add_agenda_item, cancel_session, update_session, write_minutes

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

WEEK = datetime.timedelta(weeks=1)


@pytest.fixture
def world():
    programme = make_programme()
    lab = make_lab(programme=programme, name="La Transfo de Mulhouse")
    reader = make_user()
    make_ambassador(lab, user=reader)
    session = make_session(
        lab, number=3, start_date=datetime.date(2017, 3, 14), end_date=datetime.date(2017, 3, 15),
        place_name="Hôtel de ville", status=EventStatus.ANNOUNCED,
    )
    make_agenda_item(session, day=session.start_date, start_time=datetime.time(9, 30), end_time=datetime.time(17))
    return {"programme": programme, "lab": lab, "reader": reader, "session": session}


def feed(client, world, **headers):
    client.force_login(world["reader"])
    return client.get(reverse("calendar:lab_feed", kwargs={"lab_slug": world["lab"].slug}), **headers)


def calendar_of(response):
    return icalendar.Calendar.from_ical(response.content)


def days_of(calendar, prefix):
    """The events of the feed whose UID starts with ``prefix``, by UID."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith(prefix)}


def on(calendar, day):
    """The UIDs a calendar application shows on ``day``."""
    return sorted(str(event["UID"]) for event in recurring_ical_events.of(calendar).at(day))


def test_a_moved_session_keeps_its_events_with_a_higher_sequence(client, world):
    session = world["session"]
    prefix = f"session-{session.pk}-"
    before = calendar_of(feed(client, world))

    update_session(session=session, start_date=session.start_date + WEEK, end_date=session.end_date + WEEK)

    after = calendar_of(feed(client, world))
    old, new = days_of(before, prefix), days_of(after, prefix)
    assert sorted(old) == sorted(new) == [f"{prefix}day-1@transfo", f"{prefix}day-2@transfo"]
    assert all(new[uid]["SEQUENCE"] > old[uid]["SEQUENCE"] for uid in old)
    assert on(after, datetime.date(2017, 3, 14)) == []
    assert on(after, datetime.date(2017, 3, 21)) == [f"{prefix}day-1@transfo"]
    assert on(after, datetime.date(2017, 3, 22)) == [f"{prefix}day-2@transfo"]
    session.refresh_from_db()
    assert new[f"{prefix}day-1@transfo"]["LAST-MODIFIED"].dt == session.updated_at.replace(microsecond=0)


def test_a_cancelled_session_keeps_its_events_cancelled_with_a_higher_sequence(client, world):
    session = world["session"]
    prefix = f"session-{session.pk}-"
    before = days_of(calendar_of(feed(client, world)), prefix)

    cancel_session(session=session)

    after_calendar = calendar_of(feed(client, world))
    after = days_of(after_calendar, prefix)
    assert sorted(after) == sorted(before)
    assert {str(event["STATUS"]) for event in after.values()} == {"CANCELLED"}
    assert all(after[uid]["SEQUENCE"] == before[uid]["SEQUENCE"] + 1 for uid in before)
    assert on(after_calendar, datetime.date(2017, 3, 14)) == [f"{prefix}day-1@transfo"]


def test_an_added_day_gets_the_next_rank_and_a_removed_one_leaves_the_feed(client, world):
    session = world["session"]
    prefix = f"session-{session.pk}-"
    two_days = days_of(calendar_of(feed(client, world)), prefix)

    update_session(session=session, end_date=datetime.date(2017, 3, 16))
    three_days_calendar = calendar_of(feed(client, world))
    three_days = days_of(three_days_calendar, prefix)
    update_session(session=session, end_date=datetime.date(2017, 3, 15))
    two_again = days_of(calendar_of(feed(client, world)), prefix)

    assert sorted(three_days) == sorted([*two_days, f"{prefix}day-3@transfo"])
    assert on(three_days_calendar, datetime.date(2017, 3, 16)) == [f"{prefix}day-3@transfo"]
    assert str(three_days[f"{prefix}day-3@transfo"]["SUMMARY"]).endswith("(jour 3/3)")
    assert all(three_days[uid]["SEQUENCE"] > two_days[uid]["SEQUENCE"] for uid in two_days)
    # The removed day is simply absent; the days left say, by their SEQUENCE, that they changed.
    assert sorted(two_again) == sorted(two_days)
    assert all(two_again[uid]["SEQUENCE"] > three_days[uid]["SEQUENCE"] for uid in two_days)


def test_new_hours_and_a_new_place_raise_the_sequence_but_the_minutes_do_not(client, world):
    session = world["session"]
    uid = f"session-{session.pk}-day-1@transfo"
    first = days_of(calendar_of(feed(client, world)), uid)[uid]

    add_agenda_item(session=session, day=session.start_date, start_time=datetime.time(8), end_time=datetime.time(9),
                    title="Café d'accueil")
    earlier = days_of(calendar_of(feed(client, world)), uid)[uid]
    update_session(session=Session.objects.get(pk=session.pk), place_name="Salle des fêtes")
    moved = days_of(calendar_of(feed(client, world)), uid)[uid]
    write_minutes(session=Session.objects.get(pk=session.pk), minutes="Nous avons travaillé.")
    with_minutes = days_of(calendar_of(feed(client, world)), uid)[uid]

    assert earlier.start.time() == datetime.time(8)
    assert earlier["SEQUENCE"] > first["SEQUENCE"]
    assert earlier["LAST-MODIFIED"].dt >= first["LAST-MODIFIED"].dt
    assert str(moved["LOCATION"]) == "Salle des fêtes"
    assert moved["SEQUENCE"] > earlier["SEQUENCE"]
    assert with_minutes["SEQUENCE"] == moved["SEQUENCE"]


def test_a_moved_gathering_keeps_its_events_with_a_higher_sequence(client, world):
    coordinator = make_user()
    Coordination.objects.create(programme=world["programme"], user=coordinator)
    gathering = make_gathering(world["programme"], start_date=datetime.date(2017, 6, 19), end_date=datetime.date(2017, 6, 20))
    prefix = f"gathering-{gathering.pk}-"
    before = days_of(calendar_of(feed(client, world)), prefix)

    update_gathering(gathering=gathering, changed_by=coordinator, base_url="http://testserver/",
                     start_date=datetime.date(2017, 6, 26), end_date=datetime.date(2017, 6, 27))

    after_calendar = calendar_of(feed(client, world))
    after = days_of(after_calendar, prefix)
    assert sorted(after) == sorted(before) == [f"{prefix}day-1@transfo", f"{prefix}day-2@transfo"]
    assert all(after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"] for uid in before)
    assert on(after_calendar, datetime.date(2017, 6, 19)) == []
    assert on(after_calendar, datetime.date(2017, 6, 27)) == [f"{prefix}day-2@transfo"]


def test_the_feed_says_how_often_to_fetch_it_again(client, world):
    calendar = calendar_of(feed(client, world))

    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["REFRESH-INTERVAL"].dt == datetime.timedelta(hours=6)
    assert icalendar.vDuration.from_ical(str(calendar["X-PUBLISHED-TTL"])) == datetime.timedelta(hours=6)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in feed(client, world).content


# --- Last-Modified and If-Modified-Since -----------------------------------------------------------


def personal(client, token, **headers):
    return client.get(reverse("calendar_feeds:personal", kwargs={"token": token}), **headers)


def test_a_calendar_application_asking_if_modified_since_gets_a_304_until_a_change(client, world):
    token = CalendarFeedToken.objects.create(user=world["reader"], token="jeton-depuis").token
    first = personal(client, token)

    unchanged = personal(client, token, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    update_session(session=world["session"], place_name="Salle des fêtes")
    changed = personal(client, token, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    again = personal(client, token, HTTP_IF_MODIFIED_SINCE=changed["Last-Modified"])

    assert first.status_code == 200
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert changed.status_code == 200
    assert "Salle des fêtes" in changed.content.decode()
    assert changed["Last-Modified"] != first["Last-Modified"]
    assert again.status_code == 304


def test_a_session_gone_from_the_feed_is_a_change_too(client, world):
    other = make_session(world["lab"], number=9, start_date=datetime.date(2017, 5, 2), end_date=datetime.date(2017, 5, 2))
    first = feed(client, world)

    unchanged = feed(client, world, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    other.delete()
    changed = feed(client, world, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert f"session-{other.pk}-" not in changed.content.decode()


def test_an_old_if_modified_since_gets_the_whole_feed(client, world):
    first = feed(client, world)

    response = feed(client, world, HTTP_IF_MODIFIED_SINCE=http_date(0))

    assert first.has_header("Last-Modified")
    assert response.status_code == 200
    assert days_of(calendar_of(response), f"session-{world['session'].pk}-")
