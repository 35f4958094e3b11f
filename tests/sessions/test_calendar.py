"""A Lab's calendar: month, timeline and list show what the reader may see, at a constant cost."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.models import Coordination, LabMembership, Visibility
from sessions.models import EventStatus

from ..queries import exactly
from ..factories import (
    make_ambassador,
    make_case,
    make_collectivite,
    make_gathering,
    make_lab,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
VIEWS = ["calendar:month", "calendar:timeline", "calendar:list"]


def url(name, lab, **query):
    address = reverse(name, kwargs={"lab_slug": lab.slug})
    return address + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def ambassador_of(lab):
    user = make_user()
    make_ambassador(lab, user=user)
    return user


def resident_of(lab):
    user = make_user()
    LabMembership.objects.create(lab=lab, user=user, role=LabMembership.Role.RESIDENT)
    return user


@pytest.fixture
def world():
    programme = make_programme()
    lab_a = make_lab(programme=programme, start_date=datetime.date(2017, 1, 9), end_date=datetime.date(2018, 6, 30))
    lab_b = make_lab(programme=programme)
    coordinator = make_user()
    Coordination.objects.create(programme=programme, user=coordinator)
    return {
        "programme": programme,
        "lab_a": lab_a,
        "lab_b": lab_b,
        "resident_a": resident_of(lab_a),
        "ambassador_a": ambassador_of(lab_a),
        "ambassador_b": ambassador_of(lab_b),
        "coordinator": coordinator,
        "ambassador_of_another_programme": ambassador_of(make_lab()),
        "nobody": make_user(),
        "superuser": make_user(is_superuser=True, is_staff=True),
    }


# --- Month -----------------------------------------------------------------------------------


def entries_by_day(response):
    return {day["date"]: day["entries"] for week in response.context["weeks"] for day in week if day["entries"]}


def test_month_shows_a_three_day_session_on_each_of_its_days(client, world):
    lab = world["lab_a"]
    session = make_session(lab, number=3, start_date=datetime.date(2017, 3, 14), end_date=datetime.date(2017, 3, 16))
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:month", lab, mois="2017-03"))

    days = entries_by_day(response)
    assert response.status_code == 200
    assert sorted(days) == [datetime.date(2017, 3, 14), datetime.date(2017, 3, 15), datetime.date(2017, 3, 16)]
    assert [entry.detail for day in sorted(days) for entry in days[day]] == ["jour 1/3", "jour 2/3", "jour 3/3"]
    assert {entry.url for entries in days.values() for entry in entries} == {session.get_absolute_url()}
    assert response.content.decode().count(f'href="{session.get_absolute_url()}"') == 3


def test_month_navigates_to_the_previous_and_next_months(client, world):
    client.force_login(world["ambassador_a"])

    december = client.get(url("calendar:month", world["lab_a"], mois="2017-12"))
    january = client.get(url("calendar:month", world["lab_a"], mois="2017-01"))

    assert (december.context["previous_query"], december.context["next_query"]) == ("2017-11", "2018-01")
    assert (january.context["previous_query"], january.context["next_query"]) == ("2016-12", "2017-02")
    assert 'href="?mois=2018-01"' in december.content.decode()


def test_month_defaults_to_the_lab_first_month_outside_its_period(client, world):
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:month", world["lab_a"]))

    assert response.context["month"] == datetime.date(2017, 1, 1)


def test_month_defaults_to_the_current_month_during_the_lab(client):
    today = timezone.localdate()
    lab = make_lab(start_date=today - 100 * DAY, end_date=today + 300 * DAY)
    client.force_login(ambassador_of(lab))

    response = client.get(url("calendar:month", lab))

    today_cells = [day for week in response.context["weeks"] for day in week if day["is_today"]]
    assert response.context["month"] == today.replace(day=1)
    assert [day["date"] for day in today_cells] == [today]
    assert 'aria-current="date"' in response.content.decode()


@pytest.mark.parametrize("month", ["2017-13", "mars", "17-03", "2017-3", "0000-01"])
def test_month_answers_a_bad_month_with_400_and_a_message(client, world, month):
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:month", world["lab_a"], mois=month))

    assert response.status_code == 400
    assert "Mois inconnu" in response.content.decode()


def test_month_shows_the_programme_gatherings(client, world):
    gathering = make_gathering(
        world["programme"], start_date=datetime.date(2017, 6, 19), end_date=datetime.date(2017, 6, 20), title="Paris"
    )
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:month", world["lab_a"], mois="2017-06"))

    days = entries_by_day(response)
    assert [(entry.kind, entry.title) for entry in days[datetime.date(2017, 6, 20)]] == [
        ("gathering", f"InterTransfo n° {gathering.number}")
    ]


def test_month_shows_another_lab_of_the_programme_only_what_it_shares(client, world):
    lab = world["lab_a"]
    make_session(lab, number=1, start_date=datetime.date(2017, 3, 6), end_date=datetime.date(2017, 3, 7))
    shared = make_session(
        lab, number=2, start_date=datetime.date(2017, 3, 20), end_date=datetime.date(2017, 3, 20),
        visibility=Visibility.PROGRAMME,
    )
    client.force_login(world["ambassador_b"])

    response = client.get(url("calendar:month", lab, mois="2017-03"))

    assert sorted(entries_by_day(response)) == [shared.start_date]


def test_month_marks_a_cancelled_session(client, world):
    make_session(
        world["lab_a"], number=1, start_date=datetime.date(2017, 3, 6), end_date=datetime.date(2017, 3, 6),
        status=EventStatus.CANCELLED,
    )
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:month", world["lab_a"], mois="2017-03"))

    assert "event--cancelled" in response.content.decode()
    assert "Annulée" in response.content.decode()


# --- Timeline --------------------------------------------------------------------------------


def test_timeline_has_one_row_per_month_of_the_lab_with_its_sessions_and_gatherings(client, world):
    lab = world["lab_a"]
    first = make_session(lab, number=0, start_date=datetime.date(2017, 1, 9), end_date=datetime.date(2017, 1, 10))
    last = make_session(lab, number=16, start_date=datetime.date(2018, 6, 11), end_date=datetime.date(2018, 6, 12))
    make_gathering(world["programme"], start_date=datetime.date(2017, 6, 19), end_date=datetime.date(2017, 6, 20))
    make_gathering(world["programme"], start_date=datetime.date(2019, 3, 18), end_date=datetime.date(2019, 3, 19))
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:timeline", lab))

    months = response.context["months"]
    by_month = {row["month"]: [(entry.kind, entry.title) for entry in row["entries"]] for row in months}
    assert [row["month"] for row in months][0::17] == [datetime.date(2017, 1, 1), datetime.date(2018, 6, 1)]
    assert len(months) == 18
    assert by_month[datetime.date(2017, 1, 1)] == [("session", f"Session n° {first.number}")]
    assert by_month[datetime.date(2018, 6, 1)] == [("session", f"Session n° {last.number}")]
    assert by_month[datetime.date(2017, 6, 1)] == [("gathering", "InterTransfo n° 1")]
    # The gathering after the Lab's end is not on its timeline.
    assert [kind for entries in by_month.values() for kind, _ in entries].count("gathering") == 1


def test_timeline_shows_a_session_across_two_months_under_both(client, world):
    lab = world["lab_a"]
    session = make_session(lab, number=5, start_date=datetime.date(2017, 5, 31), end_date=datetime.date(2017, 6, 2))
    make_gathering(world["programme"], start_date=datetime.date(2017, 6, 30), end_date=datetime.date(2017, 7, 1))
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:timeline", lab))

    by_month = {
        row["month"]: [(entry.title, entry.continued) for entry in row["entries"]] for row in response.context["months"]
    }
    assert by_month[datetime.date(2017, 5, 1)] == [("Session n° 5", False)]
    assert by_month[datetime.date(2017, 6, 1)] == [("Session n° 5", True), ("InterTransfo n° 1", False)]
    assert by_month[datetime.date(2017, 7, 1)] == [("InterTransfo n° 1", True)]
    page = response.content.decode()
    assert page.count(f'href="{session.get_absolute_url()}"') == 2
    assert "31 mai</time>–<time" in page


def test_timeline_query_count_is_the_same_with_sessions_across_months(client, world):
    lab = world["lab_a"]
    client.force_login(world["resident_a"])
    make_session(lab, number=0, start_date=datetime.date(2017, 2, 6), end_date=datetime.date(2017, 2, 7))
    within = queries_of(client, url("calendar:timeline", lab))
    for number, month in enumerate(range(3, 12), start=1):
        last = (datetime.date(2017, month + 1, 1) - DAY)
        make_session(lab, number=number, start_date=last, end_date=last + DAY)

    across = queries_of(client, url("calendar:timeline", lab))

    assert across == within == exactly(4)


def test_month_shows_a_session_across_two_months_in_both(client, world):
    lab = world["lab_a"]
    make_session(lab, number=5, start_date=datetime.date(2017, 5, 31), end_date=datetime.date(2017, 6, 2))
    client.force_login(world["ambassador_a"])

    may = entries_by_day(client.get(url("calendar:month", lab, mois="2017-05")))
    june = entries_by_day(client.get(url("calendar:month", lab, mois="2017-06")))

    assert [entry.detail for entry in may[datetime.date(2017, 5, 31)]] == ["jour 1/3"]
    assert [entry.detail for day in (datetime.date(2017, 6, 1), datetime.date(2017, 6, 2)) for entry in june[day]] == [
        "jour 2/3", "jour 3/3",
    ]


def test_timeline_marks_today_inside_the_lab_period(client):
    today = timezone.localdate()
    lab = make_lab(start_date=today - 100 * DAY, end_date=today + 300 * DAY)
    make_session(lab, number=0, start_date=today - 50 * DAY, end_date=today - 49 * DAY)
    client.force_login(ambassador_of(lab))

    response = client.get(url("calendar:timeline", lab))

    current = [row for row in response.context["months"] if row["is_current"]]
    assert [entry.kind for entry in current[0]["entries"]].count("today") == 1
    assert response.content.decode().count('aria-current="date"') == 1


# --- List ------------------------------------------------------------------------------------


def test_list_shows_number_dates_place_status_and_the_cases_the_reader_may_see(client, world):
    lab = world["lab_a"]
    session = make_session(
        lab, number=4, start_date=datetime.date(2017, 5, 9), end_date=datetime.date(2017, 5, 10),
        place_name="Hôtel de ville", status=EventStatus.ANNOUNCED, visibility=Visibility.PROGRAMME,
    )
    private_case = make_case(lab, title="Accueil des nouveaux arrivants")
    shared_case = make_case(lab, title="Cantines scolaires", visibility=Visibility.PROGRAMME)
    session.cases.add(private_case, shared_case)
    client.force_login(world["ambassador_b"])

    response = client.get(url("calendar:list", lab))

    content = response.content.decode()
    assert [s.visible_cases for s in response.context["sessions"]] == [[shared_case]]
    assert "n° 4" in content
    assert "09/05/2017 – 10/05/2017" in content
    assert "Hôtel de ville" in content and "Annoncée" in content
    assert "Cantines scolaires" in content
    assert "Accueil des nouveaux arrivants" not in content


def test_list_shows_its_own_lab_every_case_of_the_session(client, world):
    lab = world["lab_a"]
    session = make_session(lab, number=4, start_date=datetime.date(2017, 5, 9), end_date=datetime.date(2017, 5, 10))
    case = make_case(lab, title="Accueil des nouveaux arrivants")
    session.cases.add(case)
    client.force_login(world["ambassador_a"])

    response = client.get(url("calendar:list", lab))

    assert f'href="{case.get_absolute_url()}"' in response.content.decode()


@pytest.mark.parametrize(
    "reader, expected",
    [
        ("ambassador_a", ["Lab", "Programme", "Public"]),
        ("coordinator", ["Lab", "Programme", "Public"]),
        ("superuser", ["Lab", "Programme", "Public"]),
        ("ambassador_b", ["Programme", "Public"]),
        ("ambassador_of_another_programme", ["Public"]),
        ("anonymous", ["Public"]),
    ],
)
def test_a_public_session_page_names_only_the_cases_its_reader_may_open(client, world, reader, expected):
    lab = world["lab_a"]
    session = make_session(lab, number=4, visibility=Visibility.PUBLIC)
    for visibility in (Visibility.LAB, Visibility.PROGRAMME, Visibility.PUBLIC):
        session.cases.add(make_case(lab, title=str(visibility).capitalize(), visibility=visibility))
    if reader != "anonymous":
        client.force_login(world[reader])

    response = client.get(session.get_absolute_url())

    assert response.status_code == 200
    assert [case.title for case in response.context["cases"]] == expected


# --- Query counts ----------------------------------------------------------------------------


def add_sessions(lab, numbers):
    for number in numbers:
        start = lab.start_date + number * 10 * DAY
        session = make_session(lab, number=number, start_date=start, end_date=start + DAY)
        session.cases.add(make_case(lab))


def queries_of(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


CALENDAR_QUERIES = {"calendar:month": exactly(4), "calendar:timeline": exactly(4), "calendar:list": exactly(5)}


@pytest.mark.parametrize("name", VIEWS)
def test_calendar_page_query_count_does_not_grow_with_the_sessions(client, world, name):
    lab = world["lab_a"]
    client.force_login(world["resident_a"])
    query = {"mois": "2017-03"} if name == "calendar:month" else {}
    make_gathering(world["programme"], start_date=datetime.date(2017, 3, 20), end_date=datetime.date(2017, 3, 21))
    add_sessions(lab, [0])
    with_one = queries_of(client, url(name, lab, **query))
    add_sessions(lab, range(1, 3))
    with_three = queries_of(client, url(name, lab, **query))

    assert with_one == with_three == CALENDAR_QUERIES[name]


# --- Who may open it -------------------------------------------------------------------------

READERS = {
    "resident_a": 200,
    "ambassador_a": 200,
    "coordinator": 200,
    "superuser": 200,
    # Another Lab of the same programme opens the Lab's pages and sees what is shared.
    "ambassador_b": 200,
    "ambassador_of_another_programme": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("role", sorted(READERS))
def test_calendar_page_opens_to_whoever_may_open_the_lab(client, world, name, role):
    client.force_login(world[role])

    assert client.get(url(name, world["lab_a"])).status_code == READERS[role]


@pytest.mark.parametrize("name", VIEWS)
def test_calendar_page_sends_an_anonymous_visitor_to_the_login(client, world, name):
    response = client.get(url(name, world["lab_a"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", VIEWS)
def test_calendar_page_of_an_unknown_lab_answers_404(client, world, name):
    client.force_login(world["superuser"])

    assert client.get(reverse(name, kwargs={"lab_slug": "pas-de-labo"})).status_code == 404


def test_planner_link_shows_only_to_those_who_run_the_lab(client, world):
    planner = reverse("calendar:planner", kwargs={"lab_slug": world["lab_a"].slug})

    client.force_login(world["resident_a"])
    as_resident = client.get(url("calendar:month", world["lab_a"])).content.decode()
    client.force_login(world["ambassador_a"])
    as_ambassador = client.get(url("calendar:month", world["lab_a"])).content.decode()

    assert f'href="{planner}"' in as_resident
    assert f'href="{planner}"' not in as_ambassador


def test_month_shows_the_public_holidays_of_the_lab_territory(client):
    moselle = make_lab(
        collectivite=make_collectivite(departement="57"),
        start_date=datetime.date(2017, 1, 9),
        end_date=datetime.date(2018, 6, 30),
    )
    client.force_login(ambassador_of(moselle))

    response = client.get(url("calendar:month", moselle, mois="2017-04"))

    holidays = {day["date"]: day["holiday"] for week in response.context["weeks"] for day in week if day["holiday"]}
    assert holidays == {datetime.date(2017, 4, 14): "Vendredi saint", datetime.date(2017, 4, 17): "Lundi de Pâques"}
    assert "Férié : Vendredi saint" in response.content.decode()


def test_month_opens_on_the_next_session_the_reader_may_see(client):
    today = timezone.localdate()
    lab = make_lab(start_date=today - 100 * DAY, end_date=today + 300 * DAY)
    make_session(lab, number=0, start_date=today - 40 * DAY, end_date=today - 39 * DAY)
    upcoming = make_session(lab, number=1, start_date=today + 70 * DAY, end_date=today + 71 * DAY)
    make_session(lab, number=2, start_date=today + 100 * DAY, end_date=today + 101 * DAY)
    client.force_login(ambassador_of(lab))

    response = client.get(url("calendar:month", lab))

    assert response.context["month"] == upcoming.start_date.replace(day=1)
    assert response.context["has_entries"]
