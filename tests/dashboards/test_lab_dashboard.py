"""The Lab dashboard's page: its charts say what its tables say, its CSV reads back, its cost is fixed."""
import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import lab_figures

from ..queries import exactly
from .lab_world import TODAY, build_lab, grow

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(client, monkeypatch):
    monkeypatch.setattr(lab_figures, "current_day", lambda: TODAY)
    lab, resident = build_lab()
    client.force_login(resident)
    return lab, client


def page_of(client, lab):
    response = client.get(reverse("lab_dashboard:dashboard", kwargs={"lab_slug": lab.slug}))
    assert response.status_code == 200
    return response.content.decode()


def svg_of(html, key):
    """The SVG of one chart, parsed: well-formed XML, or the test fails here."""
    match = re.search(rf'<figure class="chart" id="figure-{key}">.*?(<svg .*?</svg>)', html, re.S)
    assert match, key
    return ET.fromstring(match.group(1))


def values_in(svg):
    return ["".join(node.itertext()).strip() for node in svg.iter() if "value" in (node.get("class") or "").split()]


def table_of(html, key):
    match = re.search(rf'<table class="chart__table" data-table="{key}">(.*?)</table>', html, re.S)
    assert match, key
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_each_chart_has_a_title_a_summary_and_a_label(world):
    lab, client = world
    html = page_of(client, lab)
    assert "Sessions tenues : 2 sur 5 prévues ; annulées : 1." in html
    assert "Mois 5 sur 18 du labo." in html
    for key in ("rythme", "presences", "taux-sessions", "etapes", "duree-etapes", "entrees", "metiers", "directions", "evolution"):
        svg = svg_of(html, key)
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text and desc.text
    assert 'style="' not in html and "<script>" not in html


def test_the_charts_numbers_are_the_tables(world):
    lab, client = world
    html = page_of(client, lab)
    # Rhythm: the legend counts the sessions by state.
    assert values_in(svg_of(html, "rythme")) == ["2", "2", "1", "1"]
    assert [row[4] for row in table_of(html, "rythme")[1:]] == ["tenue", "tenue", "annulée", "passée, non confirmée", "prévue", "prévue"]
    # Attendance: each person's rate, and each session's.
    assert values_in(svg_of(html, "presences")) == [f"{row[3]} %" for row in table_of(html, "taux-personnes")[1:]] == ["50 %", "67 %", "0 %"]
    assert values_in(svg_of(html, "taux-sessions")) == [row[4] for row in table_of(html, "taux-sessions")[1:]] == ["67", "0"]
    heat = svg_of(html, "presences")
    letters = ["".join(node.itertext()) for node in heat.iter(f"{SVG}text") if node.get("class") == "mark"]
    assert letters == ["P", "P", "E", "A", "P", "P", "A", "?"]
    # Cases: the last month's count of each stage, abandoned included.
    stages = table_of(html, "etapes")
    last = dict(zip(stages[0][1:], stages[-1][1:]))
    # Each band drawn (a stage some case was at) is labelled with its last month's count.
    drawn = [stage for stage in stages[0][1:] if any(row[stages[0].index(stage)] != "0" for row in stages[1:])]
    assert drawn == ["Cadrage", "Enquête / immersion", "Idéation", "Abandonné"]
    assert values_in(svg_of(html, "etapes")) == [last[stage] for stage in drawn] == ["1", "0", "1", "1"]
    assert values_in(svg_of(html, "duree-etapes")) == [row[1] for row in table_of(html, "duree-etapes")[1:]] == ["29", "57", "40"]
    assert values_in(svg_of(html, "entrees")) == [row[1] for row in table_of(html, "entrees")[1:]] == ["0", "2", "0", "1", "1"]
    # Who takes part.
    assert values_in(svg_of(html, "metiers")) == [row[1] for row in table_of(html, "metiers")[1:]] == ["2"]
    assert values_in(svg_of(html, "directions")) == ["1", "1"]
    evolution = table_of(html, "evolution")[1:]
    drawn = values_in(svg_of(html, "evolution"))
    assert drawn == [row[1] for row in evolution] + [row[2] for row in evolution] + [row[3] for row in evolution]
    assert "Accueil des usagers" in html  # the stale case


def test_a_table_downloads_as_csv_and_reads_back(world):
    lab, client = world
    response = client.get(reverse("lab_dashboard:csv", kwargs={"lab_slug": lab.slug, "table": "taux-personnes"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{lab.slug}-taux-personnes-2016-10-15.csv"'
    content = response.content
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Personne", "Jours présent·e", "Jours comptés", "Taux (%)"],
        ["Alice Arnaud", "2", "4", "50"],
        ["Bruno Bertin", "2", "3", "67"],
        ["Chloé Colin", "0", "1", "0"],
    ]


def targets_in(svg):
    """(label, y, dash pattern) of each target line drawn."""
    drawn = []
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "target":
            line, text = group.find(f"{SVG}line"), group.find(f"{SVG}text")
            drawn.append(("".join(text.itertext()).strip(), line.get("y1"), line.get("stroke-dasharray")))
    return drawn


def grid_y(svg, label):
    """Where the chart's axis writes ``label``: its grid lines' labels are the texts at its left."""
    (y,) = [node.get("y") for node in svg.iter(f"{SVG}text") if node.get("text-anchor") == "end" and node.text == label]
    return y


def test_the_labs_targets_are_drawn_summed_up_and_tabled(world):
    lab, client = world
    lab.target_metiers, lab.target_directions = 3, 2
    lab.save()
    html = page_of(client, lab)
    # This month: Alice and Chloé, one métier (both librarians), two directions.
    assert "Ce mois-ci : 2 personnes, 1 métiers différents sur un objectif de 3, 2 directions différentes sur un objectif de 2." in html
    svg = svg_of(html, "evolution")
    targets = targets_in(svg)
    # Each a labelled dash-dot line, level with its value on the axis (which now reaches 5, above the target 3).
    assert [(label, y) for label, y, _dash in targets] == [
        ("Objectif : 3 métiers", grid_y(svg, "3")), ("Objectif : 2 directions", grid_y(svg, "2")),
    ]
    assert all(dash for _label, _y, dash in targets)
    assert grid_y(svg, "5")
    # The numbers drawn are still the table's; the table carries the targets.
    evolution = table_of(html, "evolution")
    assert evolution[0][4:] == ["Objectif : métiers différents", "Objectif : directions différentes"]
    assert {tuple(row[4:]) for row in evolution[1:]} == {("3", "2")}
    assert values_in(svg) == [row[1] for row in evolution[1:]] + [row[2] for row in evolution[1:]] + [row[3] for row in evolution[1:]]
    response = client.get(reverse("lab_dashboard:csv", kwargs={"lab_slug": lab.slug, "table": "evolution"}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Mois", "Personnes", "Métiers différents", "Directions différentes",
        "Objectif : métiers différents", "Objectif : directions différentes",
    ]
    assert rows[-1] == ["2016-10", "2", "1", "2", "3", "2"]


def test_one_target_alone_is_the_only_one_shown(world):
    lab, client = world
    lab.target_metiers = 4
    lab.save()
    html = page_of(client, lab)
    assert "Ce mois-ci : 2 personnes, 1 métiers différents sur un objectif de 4, 2 directions." in html
    assert [label for label, _y, _dash in targets_in(svg_of(html, "evolution"))] == ["Objectif : 4 métiers"]
    assert table_of(html, "evolution")[0][4:] == ["Objectif : métiers différents"]


def test_without_a_target_nothing_speaks_of_one(world):
    lab, client = world
    html = page_of(client, lab)
    assert "Ce mois-ci : 2 personnes, 1 métiers, 2 directions." in html
    assert targets_in(svg_of(html, "evolution")) == []
    assert "bjectif" not in html[html.index('id="people-title"'):]  # the section of who takes part
    response = client.get(reverse("lab_dashboard:csv", kwargs={"lab_slug": lab.slug, "table": "evolution"}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Mois", "Personnes", "Métiers différents", "Directions différentes"]
    assert rows[-1] == ["2016-10", "2", "1", "2"]


def test_an_unknown_table_is_a_404(world):
    lab, client = world
    response = client.get(reverse("lab_dashboard:csv", kwargs={"lab_slug": lab.slug, "table": "inconnu"}))
    assert response.status_code == 404


def test_a_case_title_like_a_formula_stays_text_in_the_csv(world):
    lab, client = world
    from cases.models import Case

    Case.objects.filter(slug="accueil").update(title="=HYPERLINK(1)")
    response = client.get(reverse("lab_dashboard:csv", kwargs={"lab_slug": lab.slug, "table": "cas-en-sommeil"}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "'=HYPERLINK(1)"


def page_queries(client, lab):
    with CaptureQueriesContext(connection) as queries:
        page_of(client, lab)
    return len(queries)


def test_the_page_costs_the_same_queries_at_any_size(world):
    lab, client = world
    small = page_queries(client, lab)
    grow(lab, sessions=10, people=12, cases=8)
    assert page_queries(client, lab) == small == exactly(9)
    lab.target_metiers, lab.target_directions = 12, 8  # read with the Lab's row
    lab.save()
    assert page_queries(client, lab) == small


def test_a_cached_dashboard_reads_no_figure_again_and_shows_a_change_at_once(world):
    lab, client = world
    first = page_of(client, lab)
    again = page_queries(client, lab)
    grow(lab, sessions=1, people=1, cases=0)
    after_change = page_of(client, lab)

    assert again == exactly(3)  # the person, their roles, the Lab: the figures come from the cache
    assert after_change != first
    assert "2017-01-03" in after_change and "2017-01-03" not in first  # the session added, in the rhythm table


def test_the_lab_page_links_the_dashboard_for_those_who_run_it(world):
    lab, client = world
    response = client.get(lab.get_absolute_url())
    assert reverse("lab_dashboard:dashboard", kwargs={"lab_slug": lab.slug}) in response.content.decode()


def test_an_ambassador_of_the_lab_neither_sees_the_link_nor_opens_the_dashboard(world):
    from ..factories import make_ambassador, make_user

    lab, client = world
    person = make_user()
    make_ambassador(lab, user=person)
    client.force_login(person)
    dashboard = reverse("lab_dashboard:dashboard", kwargs={"lab_slug": lab.slug})
    assert dashboard not in client.get(lab.get_absolute_url()).content.decode()
    assert client.get(dashboard).status_code == 404


def test_a_lab_with_nothing_yet_shows_its_empty_charts(client):
    from programmes.models import LabMembership

    from ..factories import make_lab, make_user

    lab, resident = make_lab(), make_user()
    LabMembership.objects.create(lab=lab, user=resident, role=LabMembership.Role.HOST)
    client.force_login(resident)
    html = page_of(client, lab)
    assert "Sessions tenues : 0 sur 0 prévues ; annulées : 0." in html
    for key in ("rythme", "presences", "taux-sessions", "etapes", "duree-etapes", "entrees", "metiers", "directions", "evolution"):
        svg_of(html, key)  # each still a well-formed image
