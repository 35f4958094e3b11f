"""The monthly rhythm of a Lab: when its sessions of 2–3 consecutive working days can take place.

``propose_rhythm`` is a pure function, no database: the demo data and the rhythm planner screen
both call it, and a resident then adjusts the proposal by hand. ``save_rhythm`` then writes the
adjusted rhythm, all rows or none.

Re-planning touches only the future drafts. Past sessions, held ones, and announced ones (their
invitations are out: moving them belongs to the session editor, which tells the invited) are
kept as they are, and a new rhythm starts after the last of them.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass

import holidays
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

from programmes.models import Lab
from programmes.rules import runs_lab

from .models import EventStatus, Session

MAX_DAYS_PER_SESSION = 3
ONE_DAY = datetime.timedelta(days=1)


def propose_rhythm(
    *,
    start: datetime.date,
    session_count: int,
    days_per_session: int,
    holiday_subdivision: str | None,
    skip_months=(8,),
) -> list[tuple[datetime.date, datetime.date]]:
    """Propose one session a month as ``(first_day, last_day)`` pairs, in date order.

    A session is ``days_per_session`` (1–3) consecutive calendar days that are all working days:
    Monday to Friday and not a French public holiday of ``holiday_subdivision`` (the `holidays`
    subdivision, see ``Collectivite.holiday_subdivision``: "6AE" for Alsace and "57" for Moselle
    add Good Friday and 26 December; ``None`` is metropolitan France). A session never leaves its
    month, and no session falls in ``skip_months`` (August by default: nobody is at work).

    The first session is the first suitable run of days on or after ``start`` (in the month of
    ``start``, else in the next month that is not skipped, from its first day). It fixes the
    rhythm's anchor: its weekday and its week of the month (say, the second Tuesday). Each
    following month, the session is the first suitable run on or after that anchor day (the last
    such weekday when the month has no fifth one); when the end of the month comes first, the
    latest suitable run before the anchor. A month with no suitable run at all is passed over,
    so ``session_count`` sessions are always returned.

    The same arguments always give the same answer.
    """
    if not 1 <= days_per_session <= MAX_DAYS_PER_SESSION:
        raise ValueError(f"days_per_session must be between 1 and {MAX_DAYS_PER_SESSION}.")
    if session_count < 0:
        raise ValueError("session_count cannot be negative.")
    skipped = frozenset(skip_months)
    if skipped >= set(range(1, 13)):
        raise ValueError("skip_months cannot skip every month.")

    # One calendar object that fills in later years on demand (the holidays package's expand).
    public_holidays = holidays.France(subdiv=holiday_subdivision, years=start.year)

    def is_working_day(day):
        return day.weekday() < 5 and day not in public_holidays

    def fits(first_day):
        days = [first_day + offset * ONE_DAY for offset in range(days_per_session)]
        return days[-1].month == first_day.month and all(is_working_day(day) for day in days)

    def run(first_day):
        return first_day, first_day + (days_per_session - 1) * ONE_DAY

    proposals = []
    year, month = start.year, start.month
    anchor = None  # (weekday, week of the month), fixed by the first session
    # A whole year without a single fitting run cannot happen with 1–3 days; this is a safeguard.
    empty_months = 0
    while len(proposals) < session_count:
        if month not in skipped:
            if anchor is None:
                search_from = start if (year, month) == (start.year, start.month) else datetime.date(year, month, 1)
                first_day = _first_fit_from(search_from, fits)
                if first_day is not None:
                    anchor = (first_day.weekday(), (first_day.day - 1) // 7)
            else:
                target = _nth_weekday(year, month, *anchor)
                first_day = _first_fit_from(target, fits) or _last_fit_before(target, fits)
            if first_day is not None:
                proposals.append(run(first_day))
                empty_months = 0
            else:
                empty_months += 1
                if empty_months > 12:
                    raise ValueError("No working days left to place a session.")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return proposals


def _first_fit_from(day, fits):
    """The first day from ``day`` to the end of its month where a session fits, or None."""
    month = day.month
    while day.month == month:
        if fits(day):
            return day
        day += ONE_DAY
    return None


def _last_fit_before(day, fits):
    """The latest day of the month before ``day`` where a session fits, or None."""
    month = day.month
    day -= ONE_DAY
    while day.month == month:
        if fits(day):
            return day
        day -= ONE_DAY
    return None


def _nth_weekday(year, month, weekday, week):
    """The ``week``-th (0-based) ``weekday`` of the month, or its last one when there are fewer."""
    first = datetime.date(year, month, 1)
    day = first + ((weekday - first.weekday()) % 7) * ONE_DAY + week * 7 * ONE_DAY
    while day.month != month:
        day -= 7 * ONE_DAY
    return day


def public_holidays(lab: Lab, years) -> holidays.HolidayBase:
    """The public holidays of the Lab's territory in ``years``, named in the active language.

    The package names them in French unless told otherwise (whatever the process's locale).
    """
    language = "en_US" if (get_language() or "fr").startswith("en") else "fr"
    return holidays.France(subdiv=lab.collectivite.holiday_subdivision, years=years, language=language)


def date_warnings(lab: Lab, first_day: datetime.date, last_day: datetime.date) -> list[str]:
    """What is allowed but probably a slip about a session on these days, in words.

    A public holiday of the Lab's territory (named), or August, when nobody is at work: the
    planner never proposes them, but a resident may have a reason, so these are warnings, not
    errors. Days outside the Lab are an error of the model, not repeated here.
    """
    if last_day < first_day or (last_day - first_day).days >= MAX_DAYS_PER_SESSION:
        return []
    days = [first_day + offset * ONE_DAY for offset in range((last_day - first_day).days + 1)]
    calendar = public_holidays(lab, {day.year for day in days})
    warnings = [
        gettext("Jour férié le %(date)s : %(holiday)s.") % {"date": date_format(day, "l j F Y"), "holiday": calendar[day]}
        for day in days
        if day in calendar
    ]
    if any(day.month == 8 for day in days):
        warnings.append(gettext("La session tombe en août, quand presque personne n'est au travail."))
    return warnings


MAX_SESSIONS_PER_RHYTHM = 24


class RhythmError(ValidationError):
    """A rhythm refused as a whole; ``row_errors`` maps the index of each faulty row to its messages."""

    def __init__(self, row_errors: dict[int, list[str]], general_errors: list[str] | None = None):
        self.row_errors = dict(row_errors)
        self.general_errors = list(general_errors or [])
        messages = [*self.general_errors, *(message for row in self.row_errors.values() for message in row)]
        super().__init__(messages)


@dataclass(frozen=True)
class Replanning:
    """What a new rhythm of a Lab may change, on a given day."""

    kept: list  # sessions left as they are, in date order
    replaced: list  # the future drafts a new rhythm replaces, in date order
    not_before: datetime.date  # a new session starts after this day
    last_kept: Session | None  # the kept session that ends on ``not_before``, if not today
    next_number: int  # the number of the first new session

    @property
    def first_free_day(self):
        return self.not_before + ONE_DAY


def replanning_of(lab: Lab, *, today: datetime.date | None = None) -> Replanning:
    """Split a Lab's sessions into those a new rhythm keeps and the future drafts it replaces.

    A new session starts after today and after the end of every kept session that is not
    cancelled (a cancelled one frees its dates but keeps its number); numbers continue after
    the highest kept one (the first session of a Lab is n° 0, as in the programme).
    """
    today = today or timezone.localdate()
    kept, replaced = [], []
    for session in Session.objects.filter(lab=lab).order_by("start_date", "number"):
        is_future_draft = session.status == EventStatus.DRAFT and session.start_date > today
        (replaced if is_future_draft else kept).append(session)
    blocking = [session for session in kept if session.status != EventStatus.CANCELLED]
    last_kept = max(blocking, key=lambda session: session.end_date, default=None)
    if last_kept is not None and last_kept.end_date < today:
        last_kept = None
    return Replanning(
        kept=kept,
        replaced=replaced,
        not_before=last_kept.end_date if last_kept else today,
        last_kept=last_kept,
        next_number=max((session.number for session in kept), default=-1) + 1,
    )


def check_rhythm(
    *, lab: Lab, proposals, replanning: Replanning | None = None, today: datetime.date | None = None
) -> dict[int, list[str]]:
    """The French messages of each row of ``proposals`` that cannot be saved, by row index.

    A row is a ``(first_day, last_day)`` pair: 1–3 consecutive days, inside the Lab, after the
    sessions that are kept (``replanning_of``) and overlapping no other row. An empty answer
    means the whole rhythm can be saved.
    """
    replanning = replanning or replanning_of(lab, today=today)
    errors = defaultdict(list)
    lab_period = {
        "start": date_format(lab.start_date, "SHORT_DATE_FORMAT"),
        "end": date_format(lab.end_date, "SHORT_DATE_FORMAT"),
    }
    for index, (first_day, last_day) in enumerate(proposals):
        if last_day < first_day:
            errors[index].append(gettext("Le dernier jour précède le premier."))
        elif (last_day - first_day).days >= MAX_DAYS_PER_SESSION:
            errors[index].append(
                gettext("Une session dure au plus %(max)d jours consécutifs.") % {"max": MAX_DAYS_PER_SESSION}
            )
        if not (lab.contains(first_day) and lab.contains(last_day)):
            errors[index].append(gettext("La session doit avoir lieu pendant le labo (du %(start)s au %(end)s).") % lab_period)
        if first_day <= replanning.not_before:
            if replanning.last_kept is not None:
                errors[index].append(
                    gettext("La session doit commencer après le %(date)s, fin de la session n° %(number)s qui est conservée.")
                    % {
                        "date": date_format(replanning.not_before, "SHORT_DATE_FORMAT"),
                        "number": replanning.last_kept.number,
                    }
                )
            else:
                errors[index].append(
                    gettext("La session doit commencer après aujourd'hui (%(date)s).")
                    % {"date": date_format(replanning.not_before, "SHORT_DATE_FORMAT")}
                )
    rows = sorted(
        ((first_day, last_day, index) for index, (first_day, last_day) in enumerate(proposals) if first_day <= last_day),
    )
    for position, (first_day, last_day, index) in enumerate(rows):
        for other_first, other_last, other_index in rows[position + 1:]:
            if other_first > last_day:
                break
            for row, other in ((index, other_index), (other_index, index)):
                errors[row].append(
                    gettext("Ces dates chevauchent celles de la session n° %(number)s proposée.")
                    % {"number": replanning.next_number + other}
                )
    return dict(errors)


@transaction.atomic
def save_rhythm(
    *,
    lab: Lab,
    proposals,
    place_name: str = "",
    place_address: str = "",
    planned_by,
    today: datetime.date | None = None,
) -> list[Session]:
    """Replace the Lab's future drafts by one draft session per ``(first_day, last_day)`` row.

    Every row is checked first (``check_rhythm``): if one is wrong, nothing is written and
    ``RhythmError`` tells which rows and why. Otherwise the future drafts are deleted (with their
    agenda) and the new sessions are created, numbered in date order after the highest kept
    number, all at ``place_name`` / ``place_address``. Sessions held, announced, cancelled or in
    the past are never touched. ``planned_by`` must run the Lab.
    """
    if not runs_lab(planned_by, lab):
        raise PermissionDenied("runs_lab")
    proposals = [(first_day, last_day) for first_day, last_day in proposals]
    if not 1 <= len(proposals) <= MAX_SESSIONS_PER_RHYTHM:
        raise RhythmError(
            {},
            [gettext("Un rythme compte de 1 à %(max)d sessions.") % {"max": MAX_SESSIONS_PER_RHYTHM}],
        )
    # Two residents saving at once: the second waits here, then sees the first one's sessions.
    list(Lab.objects.select_for_update().filter(pk=lab.pk).values_list("pk", flat=True))
    replanning = replanning_of(lab, today=today)
    errors = check_rhythm(lab=lab, proposals=proposals, replanning=replanning)
    if errors:
        raise RhythmError(errors)
    Session.objects.filter(pk__in=[session.pk for session in replanning.replaced]).delete()
    created = []
    for offset, (first_day, last_day) in enumerate(sorted(proposals)):
        session = Session(
            lab=lab,
            number=replanning.next_number + offset,
            start_date=first_day,
            end_date=last_day,
            place_name=place_name,
            place_address=place_address,
            status=EventStatus.DRAFT,
        )
        session.full_clean()
        session.save()
        created.append(session)
    return created
