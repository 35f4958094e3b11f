"""What the pages and mails of a session or an InterTransfo say of its days, and where it lives."""
import datetime
import hashlib

from django.utils.formats import date_format
from django.utils.translation import gettext

from common.public_url import public_base_url


def absolute_url(base_url: str | None, path: str) -> str:
    """``path`` at ``base_url``, or at the site's public address (TRANSFO_PUBLIC_URL)."""
    return (base_url or public_base_url()).rstrip("/") + path


def agenda_by_day(event, items=None) -> list[tuple[datetime.date, list]]:
    """The days of a session or an InterTransfo, each with its blocks in time order.

    One query, or none when ``items`` (its blocks, already fetched) are given.
    """
    if items is None:
        items = list(event.agenda_items.select_related("case").order_by("day", "start_time"))
    else:
        items = sorted(items, key=lambda item: (item.day, item.start_time))
    return [(day, [item for item in items if item.day == day]) for day in event.days]


def dates_text(event) -> str:
    """« le 3 mars 2017 » or « du 3 mars 2017 au 5 mars 2017 », for a session or an InterTransfo."""
    if event.start_date == event.end_date:
        return gettext("le %(day)s") % {"day": date_format(event.start_date, "DATE_FORMAT")}
    return gettext("du %(start)s au %(end)s") % {
        "start": date_format(event.start_date, "DATE_FORMAT"),
        "end": date_format(event.end_date, "DATE_FORMAT"),
    }


def change_fingerprint(event) -> str:
    """A short digest of a session's or InterTransfo's dates and place, to key the mails about a change."""
    described = f"{event.start_date.isoformat()}|{event.end_date.isoformat()}|{event.place_name}|{event.place_address}"
    return hashlib.sha256(described.encode()).hexdigest()[:12]
