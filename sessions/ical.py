"""Calendar subscriptions: iCalendar feeds of sessions and InterTransfo, and the private feed tokens.

Every day of a session is its own event: a phone then shows "day 2/3" with that day's hours and
programme, instead of one block across three days and nights.

A day's UID names the event and the day's rank in it (``session-<pk>-day-<rank>``), not its date:
a session moved by a week keeps its events, which a calendar then moves instead of deleting and
creating them again. Each change that matters to someone attending (dates, hours, place,
cancellation) raises the event's ``sequence``, the SEQUENCE of all its days. A day removed from
an event (three days become two) is absent from the next version of the feed, whose other days
carry the raised SEQUENCE: a subscribed calendar drops it. (The change mail's invitation
lists the days left; a day it no longer has stays in a calendar that accepted the first one.)
The invitations carry the same UIDs and SEQUENCE as the feeds, so that accepting one in a mail
and subscribing to a feed make one event, not two.
"""
import datetime
import hashlib
import re
import secrets
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.cache import quote_etag
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vDuration

from programmes.rules import labs_seen_whole_by

from .models import AgendaItem, CalendarFeedToken, EventStatus, Session

CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often a calendar application should fetch a feed again (RFC 7986; Outlook's own property).
REFRESH_INTERVAL = datetime.timedelta(hours=6)
ICAL_STATUS = {
    EventStatus.DRAFT: "TENTATIVE",
    EventStatus.ANNOUNCED: "CONFIRMED",
    EventStatus.HELD: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def with_feed_details(sessions):
    """What a feed reads of each session, fetched in three queries whatever their number."""
    return sessions.select_related("lab").prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("day", "start_time"))
    )


def with_gathering_feed_details(gatherings):
    """What a feed reads of each InterTransfo, fetched in two queries whatever their number."""
    return gatherings.select_related("programme", "host_lab").prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("day", "start_time"))
    )


def _location(event):
    address = ", ".join(line.strip() for line in event.place_address.splitlines() if line.strip())
    return ", ".join(part for part in (event.place_name, address) if part)


def _day_summary(base, index, count):
    if count == 1:
        return base
    return gettext("%(event)s (jour %(day)s/%(days)s)") % {"event": base, "day": index + 1, "days": count}


def day_uid(event, rank: int) -> str:
    """The UID of the ``rank``-th day (from 1) of a session or an InterTransfo: kept when it moves."""
    kind = "gathering" if event._meta.model_name == "gathering" else "session"
    return f"{kind}-{event.pk}-day-{rank}@transfo"


def _event(*, uid, summary, day, items, description_lines, location, url, status, modified, sequence):
    zone = ZoneInfo(settings.TIME_ZONE)
    if items:
        start = datetime.datetime.combine(day, min(item.start_time for item in items), tzinfo=zone)
        end = datetime.datetime.combine(day, max(item.end_time for item in items), tzinfo=zone)
    else:
        # A day without a programme yet is an all-day event (DTSTART;VALUE=DATE).
        start, end = day, day + datetime.timedelta(days=1)
    lines = [*description_lines, url]
    return Event.new(
        uid=uid,
        summary=summary,
        start=start,
        end=end,
        description="\n".join(lines),
        location=location or None,
        url=url,
        status=ICAL_STATUS[status],
        # DTSTAMP is when this copy was made; LAST-MODIFIED when the session last changed.
        stamp=timezone.now(),
        last_modified=modified,
        sequence=sequence,
    )


def session_events(session, *, absolute):
    """One VEVENT per day of ``session``; ``absolute(path)`` makes the link back absolute."""
    url = absolute(session.get_absolute_url())
    base = gettext("%(lab)s — session n° %(number)s") % {"lab": session.lab.name, "number": session.number}
    items = list(session.agenda_items.all())
    days = session.days
    for index, day in enumerate(days):
        day_items = [item for item in items if item.day == day]
        description = [
            f"{item.start_time:%H:%M}–{item.end_time:%H:%M} {item.title}" for item in day_items
        ] or [gettext("Programme à venir.")]
        yield _event(
            uid=day_uid(session, index + 1),
            summary=_day_summary(base, index, len(days)),
            day=day,
            items=day_items,
            description_lines=description,
            location=_location(session),
            url=url,
            status=session.status,
            modified=session.updated_at,
            sequence=session.sequence,
        )


def gathering_events(gathering, *, absolute):
    """One VEVENT per day of an InterTransfo, with that day's hours and agenda when it has one.

    Reads ``gathering.agenda_items.all()``: fetch them with ``with_gathering_feed_details``.
    """
    url = absolute(gathering.get_absolute_url())
    base = gettext("InterTransfo n° %(number)s") % {"number": gathering.number}
    if gathering.title:
        base = f"{base} — {gathering.title}"
    items = list(gathering.agenda_items.all())
    days = gathering.days
    about = [gathering.objectives] if gathering.objectives else []
    if gathering.host_lab:
        about.insert(0, gettext("Accueillie par %(lab)s") % {"lab": gathering.host_lab.name})
    for index, day in enumerate(days):
        day_items = [item for item in items if item.day == day]
        agenda = [f"{item.start_time:%H:%M}–{item.end_time:%H:%M} {item.title}" for item in day_items]
        yield _event(
            uid=day_uid(gathering, index + 1),
            summary=_day_summary(base, index, len(days)),
            day=day,
            items=day_items,
            description_lines=[*about, *agenda],
            location=_location(gathering),
            url=url,
            status=gathering.status,
            modified=gathering.updated_at,
            sequence=gathering.sequence,
        )


def build_calendar(*, uid: str, name: str, sessions, gatherings, absolute) -> bytes:
    """The iCalendar text of ``sessions`` (see ``with_feed_details``) and ``gatherings``.

    ``uid`` names the calendar itself and stays the same from one download to the next.
    """
    calendar = Calendar.new(
        uid=uid,
        prodid="-//Transfo//Calendrier des sessions//FR",
        name=name,
        calscale="GREGORIAN",
        method="PUBLISH",
    )
    # RFC 7986 wants the value type said (REFRESH-INTERVAL;VALUE=DURATION); Outlook reads the other.
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    days = []
    for session in sessions:
        days += [session.start_date, session.end_date]
        for event in session_events(session, absolute=absolute):
            calendar.add_component(event)
    for gathering in gatherings:
        days += [gathering.start_date, gathering.end_date]
        for event in gathering_events(gathering, absolute=absolute):
            calendar.add_component(event)
    if days:
        # Only the years the events need: the full 1970–2038 zone history weighs 10 kB.
        calendar.add_missing_timezones(
            first_date=min(days) - datetime.timedelta(days=366), last_date=max(days) + datetime.timedelta(days=366)
        )
    return calendar.to_ical()


def event_days(event, *, absolute):
    """The VEVENTs of a session's or an InterTransfo's days, as the feeds give them."""
    days = session_events if isinstance(event, Session) else gathering_events
    return list(days(event, absolute=absolute))


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = name or "Transfo"
    return organizer


def invitation_calendar(days, *, method: str, email: str, name: str) -> str:
    """An iTIP message (RFC 5546) inviting one person to ``days`` (``event_days``), or cancelling them.

    ``method`` is "REQUEST" (an invitation, or its update: a calendar application offers to
    accept or decline it and updates the event it already has, by UID and SEQUENCE) or "CANCEL".
    """
    calendar = Calendar.new(prodid="-//Transfo//Invitations//FR", method=method)
    for day in days:
        copy = Event.from_ical(day.to_ical())
        copy["ORGANIZER"] = _organizer()
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params.update(
            {"CN": name or email, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}
        )
        copy["ATTENDEE"] = attendee
        if method == "CANCEL":
            copy["STATUS"] = "CANCELLED"
        calendar.add_component(copy)
    if days:
        first = min(day.start.date() if isinstance(day.start, datetime.datetime) else day.start for day in days)
        calendar.add_missing_timezones(
            first_date=first - datetime.timedelta(days=366), last_date=first + datetime.timedelta(days=366)
        )
    return calendar.to_ical().decode()


_STAMP_LINE = re.compile(rb"^DTSTAMP[:;][^\r\n]*\r?\n", re.M)


def calendar_etag(body: bytes) -> str:
    """The ETag of what a calendar says: its DTSTAMP lines only say when this copy was made."""
    return quote_etag(hashlib.sha256(_STAMP_LINE.sub(b"", body)).hexdigest()[:32])


def feed_token_of(*, user) -> CalendarFeedToken:
    """The person's calendar token, created (``secrets.token_urlsafe(32)``) on first use."""
    token = CalendarFeedToken.objects.filter(user=user).first()
    if token is not None:
        return token
    try:
        with transaction.atomic():
            return CalendarFeedToken.objects.create(user=user, token=secrets.token_urlsafe(32))
    except IntegrityError:
        # The same person opened the page twice at once: the other request created it.
        return CalendarFeedToken.objects.get(user=user)


@transaction.atomic
def renew_feed_token(*, user) -> CalendarFeedToken:
    """Give the person a new secret address; the old one answers 404 from now on."""
    token = CalendarFeedToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        return feed_token_of(user=user)
    token.token = secrets.token_urlsafe(32)
    token.full_clean()
    token.save(update_fields=["token", "created_at"])
    return token


def user_of_token(token: str):
    """The active person whose feed address carries ``token``, or None."""
    if not token or len(token) > 64:
        return None
    found = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        return None
    return found.user


def sessions_of_person(user):
    """Every session the person may read in the Labs they belong to or coordinate."""
    return Session.objects.visible_to(user).filter(lab__in=labs_seen_whole_by(user).values("pk"))
