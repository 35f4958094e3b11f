"""The Lab dashboard's figures against a Lab counted by hand (tests/dashboards/lab_world.py)."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import lab_figures as figures
from dashboards.lab_figures import lab_figures

from ..queries import exactly
from .lab_world import TODAY, build_lab, grow

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.fixture
def lab():
    return build_lab()[0]


def test_rhythm_counts_held_planned_cancelled_and_the_month_of_the_lab(lab):
    rhythm = lab_figures(lab, TODAY).rhythm
    assert (rhythm.held, rhythm.planned, rhythm.cancelled, rhythm.unconfirmed, rhythm.to_come) == (2, 5, 1, 1, 2)
    assert (rhythm.month_number, rhythm.month_count) == (5, 18)
    assert [s.day_count for s in rhythm.sessions][:2] == [3, 1]


def test_month_of_the_lab_before_and_after_it():
    lab = build_lab()[0]
    assert lab_figures(lab, d(2016, 5, 1)).rhythm.month_number == 0
    assert lab_figures(lab, d(2018, 1, 1)).rhythm.month_number == 18


def test_attendance_heatmap_and_rates(lab):
    attendance = lab_figures(lab, TODAY).attendance
    assert [(day.number, day.day) for day in attendance.days] == [
        (1, d(2016, 6, 14)), (1, d(2016, 6, 15)), (1, d(2016, 6, 16)), (2, d(2016, 7, 12))
    ]
    rows = {person.name: row for person, row in attendance.cells}
    P, A, E, U = figures.PRESENT, figures.ABSENT, figures.EXCUSED, figures.UNMARKED
    assert rows["Alice Arnaud"] == [P, P, E, A]
    assert rows["Bruno Bertin"] == [P, P, A, None]  # left: session 2 does not count for him
    assert rows["Chloé Colin"] == [None, None, None, U]  # joined in July
    rates = {person.name: (rate.present, rate.expected, rate.percent) for person, rate in attendance.per_person}
    assert rates == {"Alice Arnaud": (2, 4, 50), "Bruno Bertin": (2, 3, 67), "Chloé Colin": (0, 1, 0)}
    assert [(number, rate.present, rate.expected, rate.percent) for number, _, rate in attendance.per_session] == [
        (1, 4, 6, 67), (2, 0, 2, 0)
    ]
    assert attendance.overall.percent == 50


def test_cases_per_stage_by_month_keep_the_abandoned_case(lab):
    cases = lab_figures(lab, TODAY).cases
    assert cases.months == [d(2016, month, 1) for month in (6, 7, 8, 9, 10)]
    assert cases.by_month == [
        {"cadrage": 1},
        {"enquete": 1, "cadrage": 1},
        {"enquete": 1, "abandonne": 1},
        {"ideation": 1, "abandonne": 1, "cadrage": 1},
        {"ideation": 1, "abandonne": 1, "cadrage": 1},
    ]
    # Framing: A 20 days, B 46, C 20 (to today); inquiry: A 57; ideation: A 40 (to today).
    assert cases.days_in_stage == {"cadrage": (86, 3), "enquete": (57, 1), "ideation": (40, 1)}
    assert cases.average_days("cadrage") == 29
    assert cases.entries == [(d(2016, 6, 1), 0), (d(2016, 7, 1), 2), (d(2016, 8, 1), 0), (d(2016, 9, 1), 1), (d(2016, 10, 1), 1)]
    assert [case["title"] for case in cases.stale] == ["Accueil des usagers"]


def test_who_takes_part(lab):
    diversity = lab_figures(lab, TODAY).diversity
    assert diversity.metiers == [("Bibliothécaire", 2)]
    assert diversity.directions == [("Culture", 1), ("Solidarités", 1)]
    assert diversity.left == 1
    # Bruno left on 16 June: at the end of June only Alice; Chloé joins in July.
    assert [row[1:] for row in diversity.over_time] == [(1, 1, 1), (2, 1, 2), (2, 1, 2), (2, 1, 2), (2, 1, 2)]

    assert (diversity.target_metiers, diversity.target_directions) == (None, None)
    evolution = lab_figures(lab, TODAY).tables()["evolution"]
    assert evolution.columns == ["Mois", "Personnes", "Métiers différents", "Directions différentes"]
    assert evolution.rows[-1] == ["2016-10", 2, 1, 2]


def test_who_takes_part_against_the_labs_targets(lab):
    lab.target_metiers, lab.target_directions = 3, 2
    lab.save()
    evolution = lab_figures(lab, TODAY).tables()["evolution"]
    assert evolution.columns == [
        "Mois", "Personnes", "Métiers différents", "Directions différentes",
        "Objectif : métiers différents", "Objectif : directions différentes",
    ]
    # Every month carries the targets beside its counts.
    assert [row[1:] for row in evolution.rows] == [[1, 1, 1, 3, 2], [2, 1, 2, 3, 2], [2, 1, 2, 3, 2], [2, 1, 2, 3, 2], [2, 1, 2, 3, 2]]


def test_only_the_target_set_gets_a_column(lab):
    lab.target_directions = 4
    lab.save()
    evolution = lab_figures(lab, TODAY).tables()["evolution"]
    assert evolution.columns[4:] == ["Objectif : directions différentes"]
    assert evolution.rows[0] == ["2016-06", 1, 1, 1, 4]


def count_queries(lab):
    with CaptureQueriesContext(connection) as queries:
        lab_figures(lab, TODAY).tables()
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_lab(lab):
    small = count_queries(lab)
    grow(lab, sessions=12, people=15, cases=10)
    assert count_queries(lab) == small == exactly(6)
