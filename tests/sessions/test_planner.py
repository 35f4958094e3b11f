"""The rhythm planner: propose a Lab's whole calendar, adjust it, save it all or nothing."""
import datetime

import holidays
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from programmes.models import Coordination, LabMembership
from sessions.models import EventStatus, Session
from sessions.planning import RhythmError, date_warnings, save_rhythm

from ..factories import (
    make_ambassador,
    make_collectivite,
    make_lab,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def days_of(first, last):
    return [first + offset * DAY for offset in range((last - first).days + 1)]


def planner_url(lab):
    return reverse("calendar:planner", kwargs={"lab_slug": lab.slug})


def resident_of(lab):
    user = make_user()
    LabMembership.objects.create(lab=lab, user=user, role=LabMembership.Role.RESIDENT)
    return user


def ambassador_of(lab):
    user = make_user()
    make_ambassador(lab, user=user)
    return user


def future_lab(**overrides):
    """A Lab that starts in five weeks and lasts eighteen months, whatever day the tests run."""
    today = timezone.localdate()
    programme = make_programme(start_date=today - 365 * DAY, end_date=today + 4 * 365 * DAY)
    start = today + 35 * DAY
    return make_lab(programme=programme, start_date=start, end_date=start + 540 * DAY, **overrides)


def rows_post(lab, rows, **settings):
    """What the planner's second form sends: the settings it carries and one row per session."""
    data = {
        "action": "save",
        "first_date": settings.get("first_date", lab.start_date.isoformat()),
        "session_count": str(settings.get("session_count", max(len(rows), 1))),
        "days_per_session": str(settings.get("days_per_session", 2)),
        "place_name": settings.get("place_name", ""),
        "place_address": settings.get("place_address", ""),
        "sessions-TOTAL_FORMS": str(len(rows)),
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "1",
        "sessions-MAX_NUM_FORMS": "24",
    }
    for index, (first_day, last_day) in enumerate(rows):
        data[f"sessions-{index}-first_day"] = first_day.isoformat() if hasattr(first_day, "isoformat") else first_day
        data[f"sessions-{index}-last_day"] = last_day.isoformat() if hasattr(last_day, "isoformat") else last_day
    return data


def proposed_rows(response):
    return [(row["form"].cleaned_data["first_day"], row["form"].cleaned_data["last_day"]) for row in response.context["rows"]]


# --- Proposing on real calendars -------------------------------------------------------------

PUBLIC_HOLIDAYS_2017_2018 = [
    datetime.date(2017, 4, 17),  # lundi de Pâques
    datetime.date(2017, 5, 1),
    datetime.date(2017, 5, 8),
    datetime.date(2017, 5, 25),  # Ascension
    datetime.date(2017, 6, 5),  # lundi de Pentecôte
    datetime.date(2017, 7, 14),
    datetime.date(2017, 11, 1),
    datetime.date(2017, 12, 25),
    datetime.date(2018, 1, 1),
    datetime.date(2018, 4, 2),
    datetime.date(2018, 5, 1),
    datetime.date(2018, 5, 8),
    datetime.date(2018, 5, 10),
    datetime.date(2018, 5, 21),
]


def test_planner_proposes_seventeen_monthly_sessions_from_2017_without_holidays_or_august(client):
    lab = make_lab(
        collectivite=make_collectivite(departement="75"),
        start_date=datetime.date(2017, 1, 9),
        end_date=datetime.date(2018, 6, 30),
    )
    client.force_login(resident_of(lab))

    response = client.post(
        planner_url(lab),
        {"action": "propose", "first_date": "2017-01-09", "session_count": "17", "days_per_session": "2"},
    )

    rows = proposed_rows(response)
    days = [day for first, last in rows for day in days_of(first, last)]
    assert response.status_code == 200
    assert len(rows) == 17
    assert rows[0] == (datetime.date(2017, 1, 9), datetime.date(2017, 1, 10))
    assert all((last - first).days == 1 for first, last in rows)
    assert [day for day in days if day in PUBLIC_HOLIDAYS_2017_2018] == []
    assert [day for day in days if day in holidays.France(years=[2017, 2018])] == []
    assert [day for day in days if day.month == 8 or day.weekday() >= 5] == []
    assert len({(first.year, first.month) for first, _ in rows}) == 17
    assert 'value="2017-01-09"' in response.content.decode()


def test_planner_proposes_around_good_friday_in_moselle(client):
    lab = make_lab(
        collectivite=make_collectivite(departement="57"),
        start_date=datetime.date(2017, 4, 1),
        end_date=datetime.date(2018, 6, 30),
    )
    client.force_login(resident_of(lab))

    response = client.post(
        planner_url(lab),
        {"action": "propose", "first_date": "2017-04-13", "session_count": "1", "days_per_session": "2"},
    )

    # Thursday 13 and Good Friday 14 April would fit elsewhere; in Moselle, Tuesday 18 after Easter Monday.
    assert proposed_rows(response) == [(datetime.date(2017, 4, 18), datetime.date(2017, 4, 19))]


def test_planner_shows_a_proposal_running_past_the_lab_end_as_rows_to_correct(client):
    lab = future_lab()
    client.force_login(resident_of(lab))

    response = client.post(
        planner_url(lab),
        {"action": "propose", "first_date": lab.start_date.isoformat(), "session_count": "24", "days_per_session": "2"},
    )

    late_rows = [row for row in response.context["rows"] if row["errors"]]
    assert response.status_code == 200
    assert late_rows != []
    assert all(row["form"].cleaned_data["last_day"] > lab.end_date for row in late_rows)
    assert "La session doit avoir lieu pendant le labo" in response.content.decode()


@pytest.mark.parametrize(
    "field, value",
    [("session_count", "25"), ("session_count", "0"), ("days_per_session", "4"), ("first_date", "2030-13-45")],
)
def test_planner_refuses_bad_settings_with_a_message(client, field, value):
    lab = future_lab()
    client.force_login(resident_of(lab))
    data = {"action": "propose", "first_date": lab.start_date.isoformat(), "session_count": "3", "days_per_session": "2"}

    response = client.post(planner_url(lab), {**data, field: value})

    assert response.status_code == 400
    assert len(response.context["settings_form"].errors[field]) == 1
    assert response.context["formset"] is None


def test_planner_refuses_a_first_date_outside_the_lab(client):
    lab = future_lab()
    client.force_login(resident_of(lab))

    response = client.post(
        planner_url(lab),
        {"action": "propose", "first_date": (lab.end_date + DAY).isoformat(), "session_count": "3", "days_per_session": "2"},
    )

    assert response.status_code == 400
    assert "Le premier jour doit tomber pendant le labo" in response.content.decode()


def test_planner_defaults_to_the_lab_start_and_monthly_sessions_until_its_end(client):
    lab = future_lab()
    client.force_login(resident_of(lab))

    response = client.get(planner_url(lab))

    form = response.context["settings_form"]
    assert response.status_code == 200
    assert form.initial["first_date"] == lab.start_date
    assert 16 <= form.initial["session_count"] <= 18


def test_planner_defaults_to_the_day_after_the_last_kept_session(client):
    lab = future_lab()
    announced = make_session(
        lab, number=0, start_date=lab.start_date + 3 * DAY, end_date=lab.start_date + 4 * DAY, status=EventStatus.ANNOUNCED
    )
    client.force_login(resident_of(lab))

    response = client.get(planner_url(lab))

    assert response.context["settings_form"].initial["first_date"] == announced.end_date + DAY
    assert response.context["replanning"].next_number == 1


# --- Saving ----------------------------------------------------------------------------------


def test_planner_saves_the_adjusted_rows_all_at_once_as_numbered_drafts(client):
    lab = future_lab()
    client.force_login(resident_of(lab))
    start = lab.start_date + 7 * DAY
    rows = [(start, start + DAY), (start + 30 * DAY, start + 32 * DAY), (start + 61 * DAY, start + 61 * DAY)]

    response = client.post(planner_url(lab), rows_post(lab, rows, place_name="Hôtel de ville", place_address="2 rue Pierre"))

    sessions = list(Session.objects.filter(lab=lab).order_by("number"))
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar:month", kwargs={"lab_slug": lab.slug}) + f"?mois={start:%Y-%m}"
    assert [(s.number, s.start_date, s.end_date) for s in sessions] == [
        (number, first, last) for number, (first, last) in enumerate(rows)
    ]
    assert {(s.status, s.place_name, s.place_address) for s in sessions} == {
        (EventStatus.DRAFT, "Hôtel de ville", "2 rue Pierre")
    }


def test_planner_numbers_rows_in_date_order_whatever_order_they_come_in(client):
    lab = future_lab()
    client.force_login(resident_of(lab))
    start = lab.start_date + 7 * DAY
    rows = [(start + 40 * DAY, start + 41 * DAY), (start, start + DAY)]

    client.post(planner_url(lab), rows_post(lab, rows))

    assert list(Session.objects.filter(lab=lab).order_by("number").values_list("number", "start_date")) == [
        (0, start),
        (1, start + 40 * DAY),
    ]


def bad_rows(lab):
    start = lab.start_date + 7 * DAY
    return {
        "dates reversed": ([(start + DAY, start)], "Le dernier jour précède le premier."),
        "four days": ([(start, start + 3 * DAY)], "Une session dure au plus 3 jours consécutifs."),
        "overlapping rows": (
            [(start, start + DAY), (start + DAY, start + 2 * DAY)],
            "Ces dates chevauchent celles de la session n° 1 proposée.",
        ),
        "outside the lab": ([(lab.end_date, lab.end_date + DAY)], "La session doit avoir lieu pendant le labo"),
        "in the past": (
            [(timezone.localdate() - 10 * DAY, timezone.localdate() - 9 * DAY)],
            "La session doit commencer après aujourd",
        ),
        "not a date": ([("2030-02-30", "demain")], "Dernier jour : Saisissez une date valide."),
        "empty row": ([("", "")], "Premier jour : Champ requis."),
    }


@pytest.mark.parametrize(
    "case", ["dates reversed", "four days", "overlapping rows", "outside the lab", "in the past", "not a date", "empty row"]
)
def test_planner_refuses_a_bad_row_with_a_message_and_saves_nothing(client, case):
    lab = future_lab()
    draft = make_session(lab, number=0, start_date=lab.start_date + 60 * DAY, end_date=lab.start_date + 61 * DAY)
    client.force_login(resident_of(lab))
    start = lab.start_date + 100 * DAY
    rows, message = bad_rows(lab)[case]
    # A good row next to the bad one is not saved either.
    rows = [*rows, (start, start + DAY)]

    response = client.post(planner_url(lab), rows_post(lab, rows))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Rien n'a été enregistré." in response.content.decode()
    assert list(Session.objects.filter(lab=lab)) == [draft]
    assert response.context["rows"][0]["errors"] != []


@pytest.mark.parametrize(
    "forged",
    [
        {"sessions-TOTAL_FORMS": "1000"},
        {"sessions-TOTAL_FORMS": "abc"},
        {"sessions-TOTAL_FORMS": "0"},
        {"action": "tout-casser"},
    ],
)
def test_planner_refuses_a_forged_form_without_error_page(client, forged):
    lab = future_lab()
    client.force_login(resident_of(lab))
    start = lab.start_date + 7 * DAY

    response = client.post(planner_url(lab), {**rows_post(lab, [(start, start + DAY)]), **forged})

    assert response.status_code == 400
    assert Session.objects.filter(lab=lab).count() == 0


def test_planner_refuses_more_than_24_rows(client):
    lab = future_lab()
    client.force_login(resident_of(lab))
    start = lab.start_date + 7 * DAY
    rows = [(start + 20 * index * DAY, start + 20 * index * DAY) for index in range(25)]

    response = client.post(planner_url(lab), rows_post(lab, rows))

    assert response.status_code == 400
    assert Session.objects.filter(lab=lab).count() == 0


def test_planner_of_a_forged_lab_slug_answers_404_and_saves_nothing(client):
    lab = future_lab()
    other = future_lab()
    client.force_login(resident_of(lab))
    start = other.start_date + 7 * DAY

    missing = client.post(
        reverse("calendar:planner", kwargs={"lab_slug": "labo-qui-n-existe-pas"}), rows_post(other, [(start, start + DAY)])
    )
    not_mine = client.post(planner_url(other), rows_post(other, [(start, start + DAY)]))

    assert (missing.status_code, not_mine.status_code) == (404, 404)
    assert Session.objects.count() == 0


# --- Re-planning -----------------------------------------------------------------------------


@pytest.fixture
def running_lab():
    """A Lab half-way through: four sessions held, the next one announced, five drafts after it."""
    today = timezone.localdate()
    programme = make_programme(start_date=today - 3 * 365 * DAY, end_date=today + 3 * 365 * DAY)
    lab = make_lab(programme=programme, start_date=today - 150 * DAY, end_date=today + 400 * DAY)
    held = [
        make_session(lab, number=n, start_date=today - (140 - 30 * n) * DAY, end_date=today - (139 - 30 * n) * DAY,
                     status=EventStatus.HELD)
        for n in range(4)
    ]
    announced = make_session(lab, number=4, start_date=today + 20 * DAY, end_date=today + 21 * DAY,
                             status=EventStatus.ANNOUNCED)
    drafts = [
        make_session(lab, number=n, start_date=today + (30 * n - 90) * DAY, end_date=today + (30 * n - 89) * DAY)
        for n in range(5, 10)
    ]
    return lab, held, announced, drafts


def test_replanning_keeps_held_and_announced_sessions_and_replaces_future_drafts(client, running_lab):
    lab, held, announced, drafts = running_lab
    client.force_login(resident_of(lab))
    start = announced.end_date + 10 * DAY
    rows = [(start + 30 * index * DAY, start + (30 * index + 2) * DAY) for index in range(3)]
    before = {s.pk: (s.number, s.start_date, s.end_date, s.status, s.updated_at) for s in [*held, announced]}

    response = client.post(planner_url(lab), rows_post(lab, rows))

    sessions = Session.objects.filter(lab=lab)
    after = {s.pk: (s.number, s.start_date, s.end_date, s.status, s.updated_at) for s in sessions if s.pk in before}
    new = sessions.exclude(pk__in=before).order_by("number")
    assert response.status_code == 302
    assert after == before
    assert Session.objects.filter(pk__in=[draft.pk for draft in drafts]).count() == 0
    assert [(s.number, s.start_date) for s in new] == [(5 + index, first) for index, (first, _) in enumerate(rows)]


def test_replanning_refuses_a_row_before_the_last_kept_session(client, running_lab):
    lab, _, announced, _ = running_lab
    client.force_login(resident_of(lab))
    start = announced.start_date - 5 * DAY

    response = client.post(planner_url(lab), rows_post(lab, [(start, start + DAY)]))

    assert response.status_code == 400
    assert "fin de la session n° 4 qui est conservée" in response.content.decode()
    assert Session.objects.filter(lab=lab).count() == 10


def test_replanning_page_says_which_drafts_will_be_replaced(client, running_lab):
    lab = running_lab[0]
    client.force_login(resident_of(lab))

    response = client.get(planner_url(lab))

    assert [s.number for s in response.context["replanning"].replaced] == [5, 6, 7, 8, 9]
    assert "Les 5 brouillons à venir (n° 5 à 9) seront remplacés" in response.content.decode()


def test_save_rhythm_on_a_given_day_keeps_the_past_and_continues_the_numbers():
    lab = make_lab(start_date=datetime.date(2017, 1, 9), end_date=datetime.date(2018, 6, 30))
    resident = resident_of(lab)
    past_draft = make_session(lab, number=0, start_date=datetime.date(2017, 1, 9), end_date=datetime.date(2017, 1, 10))
    cancelled = make_session(lab, number=1, start_date=datetime.date(2017, 4, 3), end_date=datetime.date(2017, 4, 4),
                             status=EventStatus.CANCELLED)
    future_draft = make_session(lab, number=2, start_date=datetime.date(2017, 5, 9), end_date=datetime.date(2017, 5, 10))

    created = save_rhythm(
        lab=lab,
        proposals=[(datetime.date(2017, 4, 4), datetime.date(2017, 4, 5))],
        planned_by=resident,
        today=datetime.date(2017, 3, 15),
    )

    # The cancelled session keeps its number but frees its dates.
    assert [(s.number, s.start_date) for s in created] == [(2, datetime.date(2017, 4, 4))]
    assert set(Session.objects.filter(lab=lab)) == {past_draft, cancelled, created[0]}
    assert not Session.objects.filter(pk=future_draft.pk).exists()


def test_save_rhythm_refuses_someone_who_does_not_run_the_lab():
    lab = future_lab()
    start = lab.start_date + 7 * DAY

    with pytest.raises(PermissionDenied):
        save_rhythm(lab=lab, proposals=[(start, start + DAY)], planned_by=ambassador_of(lab))

    assert Session.objects.count() == 0


def test_save_rhythm_names_every_faulty_row():
    lab = future_lab()
    start = lab.start_date + 7 * DAY

    with pytest.raises(RhythmError) as refusal:
        save_rhythm(
            lab=lab,
            proposals=[(start, start + DAY), (start + 40 * DAY, start + 36 * DAY), (start + DAY, start + 2 * DAY)],
            planned_by=resident_of(lab),
        )

    assert sorted(refusal.value.row_errors) == [0, 1, 2]
    assert Session.objects.count() == 0


# --- Who may plan ----------------------------------------------------------------------------


@pytest.fixture
def people():
    programme = make_programme()
    lab_a, lab_b = make_lab(programme=programme), make_lab(programme=programme)
    other_programme_lab = make_lab()
    coordinator = make_user()
    Coordination.objects.create(programme=programme, user=coordinator)
    return {
        "lab": lab_a,
        "resident_a": resident_of(lab_a),
        "coordinator": coordinator,
        "superuser": make_user(is_superuser=True, is_staff=True),
        "ambassador_a": ambassador_of(lab_a),
        "ambassador_b": ambassador_of(lab_b),
        "resident_b": resident_of(lab_b),
        "ambassador_of_another_programme": ambassador_of(other_programme_lab),
        "nobody": make_user(),
    }


@pytest.mark.parametrize(
    "role, expected",
    [
        ("resident_a", 200),
        ("coordinator", 200),
        ("superuser", 200),
        ("ambassador_a", 404),
        ("ambassador_b", 404),
        ("resident_b", 404),
        ("ambassador_of_another_programme", 404),
        ("nobody", 404),
    ],
)
def test_planner_opens_only_to_those_who_run_the_lab(client, people, role, expected):
    client.force_login(people[role])

    assert client.get(planner_url(people["lab"])).status_code == expected


def test_planner_sends_an_anonymous_visitor_to_the_login(client, people):
    response = client.get(planner_url(people["lab"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_planner_refuses_an_ambassador_who_posts_a_rhythm(client, people):
    lab = people["lab"]
    client.force_login(people["ambassador_a"])
    start = lab.start_date + 7 * DAY

    response = client.post(planner_url(lab), rows_post(lab, [(start, start + DAY)]))

    assert response.status_code == 404
    assert Session.objects.count() == 0


# --- Warnings: allowed, but probably a slip ----------------------------------------------------


def first_may_day_in(lab):
    may_day = datetime.date(lab.start_date.year, 5, 1)
    return may_day if may_day > lab.start_date else may_day.replace(year=may_day.year + 1)


def test_planner_saves_a_row_on_a_public_holiday_and_warns_with_its_name_on_the_month(client):
    lab = future_lab()
    client.force_login(resident_of(lab))
    may_day = first_may_day_in(lab)

    response = client.post(planner_url(lab), rows_post(lab, [(may_day, may_day)]), follow=True)

    warnings = [str(message) for message in response.context["messages"] if message.level_tag == "warning"]
    assert Session.objects.filter(lab=lab, start_date=may_day).exists()
    assert response.context["month"] == may_day.replace(day=1)
    assert len(warnings) == 1
    assert warnings[0].startswith("Session n° 0 : Jour férié le")
    assert warnings[0].endswith(": Fête du Travail.")


def test_planner_shows_the_warnings_of_a_row_before_it_is_saved(client):
    lab = future_lab()
    client.force_login(resident_of(lab))
    may_day = first_may_day_in(lab)
    # A wrong row next to it: nothing is saved, the page comes back with both rows.
    rows = [(may_day, may_day), (lab.start_date + 7 * DAY, lab.start_date + 3 * DAY)]

    response = client.post(planner_url(lab), rows_post(lab, rows))

    assert response.status_code == 400
    assert any("Fête du Travail" in warning for warning in response.context["rows"][0]["warnings"])
    assert "Fête du Travail" in response.content.decode()


def test_date_warnings_name_the_territory_holidays_and_august():
    moselle = make_lab(
        collectivite=make_collectivite(departement="57"),
        start_date=datetime.date(2017, 1, 9),
        end_date=datetime.date(2018, 6, 30),
    )
    paris = make_lab(
        collectivite=make_collectivite(departement="75"),
        start_date=datetime.date(2017, 1, 9),
        end_date=datetime.date(2018, 6, 30),
    )
    good_friday = datetime.date(2017, 4, 14)

    assert date_warnings(moselle, good_friday, good_friday) == ["Jour férié le vendredi 14 avril 2017 : Vendredi saint."]
    assert date_warnings(paris, good_friday, good_friday) == []
    assert date_warnings(paris, datetime.date(2017, 8, 21), datetime.date(2017, 8, 22)) == [
        "La session tombe en août, quand presque personne n'est au travail."
    ]
    assert date_warnings(paris, datetime.date(2017, 7, 13), datetime.date(2017, 7, 14)) == [
        "Jour férié le vendredi 14 juillet 2017 : Fête nationale."
    ]
