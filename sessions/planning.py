"""The monthly rhythm of a Lab: when its sessions of 2–3 consecutive working days can take place.

Pure functions, no database: the demo data and the rhythm planner screen both call them, and a
resident then adjusts the proposal by hand.
"""
import datetime

import holidays

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
