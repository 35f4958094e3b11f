"""The monthly rhythm: working days only, Alsace-Moselle's two extra holidays, never August."""
import datetime

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.planning import propose_rhythm

SUBDIVISIONS = [None, "6AE", "57"]


def days_of(first, last):
    return [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
def test_propose_rhythm_never_picks_a_weekend_a_holiday_or_august(subdivision):
    public_holidays = holidays.France(subdiv=subdivision, years=range(2016, 2022))

    proposals = propose_rhythm(
        start=datetime.date(2016, 6, 1), session_count=48, days_per_session=3, holiday_subdivision=subdivision
    )

    days = [day for first, last in proposals for day in days_of(first, last)]
    assert [day for day in days if day.weekday() >= 5] == []
    assert [day for day in days if day in public_holidays] == []
    assert [day for day in days if day.month == 8] == []


@pytest.mark.parametrize("subdivision", ["6AE", "57"])
def test_propose_rhythm_skips_good_friday_in_alsace_moselle(subdivision):
    # 14 April 2017 is Good Friday; the Monday after is Easter Monday everywhere.
    proposals = propose_rhythm(
        start=datetime.date(2017, 4, 14), session_count=1, days_per_session=1, holiday_subdivision=subdivision
    )

    assert proposals == [(datetime.date(2017, 4, 18), datetime.date(2017, 4, 18))]


def test_propose_rhythm_keeps_good_friday_elsewhere():
    proposals = propose_rhythm(
        start=datetime.date(2017, 4, 14), session_count=1, days_per_session=1, holiday_subdivision=None
    )

    assert proposals == [(datetime.date(2017, 4, 14), datetime.date(2017, 4, 14))]


@pytest.mark.parametrize("subdivision", ["6AE", "57"])
def test_propose_rhythm_skips_26_december_in_alsace_moselle(subdivision):
    # 26 December 2017 is a Tuesday.
    proposals = propose_rhythm(
        start=datetime.date(2017, 12, 26), session_count=1, days_per_session=2, holiday_subdivision=subdivision
    )

    assert proposals == [(datetime.date(2017, 12, 27), datetime.date(2017, 12, 28))]


def test_propose_rhythm_keeps_26_december_elsewhere():
    proposals = propose_rhythm(
        start=datetime.date(2017, 12, 26), session_count=1, days_per_session=2, holiday_subdivision=None
    )

    assert proposals == [(datetime.date(2017, 12, 26), datetime.date(2017, 12, 27))]


@pytest.mark.parametrize("days_per_session", [1, 2, 3])
def test_propose_rhythm_sessions_are_consecutive_days(days_per_session):
    proposals = propose_rhythm(
        start=datetime.date(2018, 9, 3), session_count=18, days_per_session=days_per_session,
        holiday_subdivision="57",
    )

    assert [(last - first).days for first, last in proposals] == [days_per_session - 1] * 18


def test_propose_rhythm_gives_one_session_a_month_and_the_count_asked():
    proposals = propose_rhythm(
        start=datetime.date(2016, 6, 6), session_count=17, days_per_session=3, holiday_subdivision="6AE"
    )

    months = [(first.year, first.month) for first, last in proposals]
    expected = [(2016, month) for month in (6, 7, 9, 10, 11, 12)]
    expected += [(2017, month) for month in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)]
    assert months == expected
    assert all(first.month == last.month for first, last in proposals)


def test_propose_rhythm_keeps_the_week_of_the_month():
    # 12 February 2019 is the second Tuesday; nothing gets in the way in the months after.
    proposals = propose_rhythm(
        start=datetime.date(2019, 2, 12), session_count=5, days_per_session=2, holiday_subdivision=None
    )

    assert [first for first, last in proposals] == [
        datetime.date(2019, 2, 12),
        datetime.date(2019, 3, 12),
        datetime.date(2019, 4, 9),
        datetime.date(2019, 5, 14),
        datetime.date(2019, 6, 11),
    ]


def test_propose_rhythm_moves_to_the_next_open_month_when_the_first_is_full():
    # Wednesday 31 July 2019 leaves no room for three days, and August is off.
    proposals = propose_rhythm(
        start=datetime.date(2019, 7, 31), session_count=1, days_per_session=3, holiday_subdivision=None
    )

    assert proposals == [(datetime.date(2019, 9, 2), datetime.date(2019, 9, 4))]


def test_propose_rhythm_honours_other_skipped_months():
    proposals = propose_rhythm(
        start=datetime.date(2019, 6, 3), session_count=4, days_per_session=2, holiday_subdivision=None,
        skip_months=(7, 8),
    )

    assert [first.month for first, last in proposals] == [6, 9, 10, 11]


def test_propose_rhythm_of_no_session_is_empty():
    assert propose_rhythm(
        start=datetime.date(2019, 6, 3), session_count=0, days_per_session=2, holiday_subdivision=None
    ) == []


@pytest.mark.parametrize("days_per_session", [0, 4])
def test_propose_rhythm_refuses_sessions_outside_one_to_three_days(days_per_session):
    with pytest.raises(ValueError):
        propose_rhythm(
            start=datetime.date(2019, 6, 3), session_count=3, days_per_session=days_per_session,
            holiday_subdivision=None,
        )


def test_propose_rhythm_refuses_to_skip_every_month():
    with pytest.raises(ValueError):
        propose_rhythm(
            start=datetime.date(2019, 6, 3), session_count=1, days_per_session=1, holiday_subdivision=None,
            skip_months=range(1, 13),
        )


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31)),
    session_count=st.integers(min_value=0, max_value=20),
    days_per_session=st.integers(min_value=1, max_value=3),
    subdivision=st.sampled_from(SUBDIVISIONS),
)
def test_propose_rhythm_holds_its_promises_for_any_start(start, session_count, days_per_session, subdivision):
    public_holidays = holidays.France(subdiv=subdivision, years=range(start.year, start.year + 3))

    proposals = propose_rhythm(
        start=start, session_count=session_count, days_per_session=days_per_session, holiday_subdivision=subdivision
    )

    assert len(proposals) == session_count
    assert proposals == propose_rhythm(
        start=start, session_count=session_count, days_per_session=days_per_session, holiday_subdivision=subdivision
    )
    months = [(first.year, first.month) for first, last in proposals]
    assert months == sorted(set(months))
    for first, last in proposals:
        assert first >= start
        assert (last - first).days == days_per_session - 1
        for day in days_of(first, last):
            assert day.weekday() < 5 and day not in public_holidays and day.month != 8
            assert (day.year, day.month) == (first.year, first.month)
