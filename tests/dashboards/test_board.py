"""The programme's board: its figures against a hand-counted programme, the same figures in its
bars, its table and its CSV, its order, its pages, its queries, and what it shows of other Labs."""
import csv
import datetime
import io
import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import ProgressEntry, Stage
from dashboards.board_figures import months_between
from dashboards.board_views import BAR_WIDTH, PER_PAGE
from programmes.models import Coordination
from sessions.invitations import record_attendance
from sessions.models import Attendance, EventStatus

from ..factories import make_ambassador, make_case, make_entry, make_lab, make_programme, make_resident, make_session, make_user
from ..queries import exactly

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
SVG = "{http://www.w3.org/2000/svg}"


def first_of_month(day, months_ago):
    month = day.month - 1 - months_ago
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def board_url(programme, **query):
    url = reverse("programme_board:board", kwargs={"programme_slug": programme.slug})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def csv_url(programme, **query):
    url = reverse("programme_board:board_csv", kwargs={"programme_slug": programme.slug})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def held_session(lab, start, marks):
    session = make_session(lab, start_date=start, end_date=start, status=EventStatus.HELD)
    for ambassador, attended in marks.items():
        Attendance.objects.create(session=session, ambassador=ambassador, day=start, attended=attended)
    return session


@pytest.fixture
def world():
    """Two Labs of a programme, counted by hand.

    Mulhouse, 18 months from the first of the month four months ago (so: month 5 of 18):
    - sessions: 3 held, 2 to come, 1 cancelled → 3 held of 5 planned;
    - attendance marked in the held sessions: 6 marks, 5 present (83 %), one of them by an
      ambassador who has left since; a mark in the cancelled session does not count;
    - cases: 2 at framing (one Lab-only with a title no other Lab may read), 1 prototyping,
      1 abandoned; 3 journal entries, 2 of them in the last 30 days.
    Metz starts next month: not started, one Lab-only case, an ambassador with a name.
    """
    programme = make_programme(start_date=TODAY - 800 * DAY, end_date=TODAY + 900 * DAY)
    start = first_of_month(TODAY, 4)
    end = first_of_month(start, -18) - DAY
    mulhouse = make_lab(programme=programme, name="La Transfo de Mulhouse", start_date=start, end_date=end)
    metz_start = first_of_month(TODAY, -1)
    metz = make_lab(programme=programme, name="La Transfo de Metz", start_date=metz_start, end_date=metz_start + 500 * DAY)
    present, sometimes, gone = (make_ambassador(mulhouse) for _ in range(3))
    gone.is_active = False
    gone.save()
    held_session(mulhouse, start + 10 * DAY, {present: True, sometimes: False, gone: True})
    held_session(mulhouse, start + 40 * DAY, {present: True, sometimes: True, gone: None})
    held_session(mulhouse, start + 70 * DAY, {present: True, sometimes: None})
    cancelled = make_session(mulhouse, start_date=start + 100 * DAY, end_date=start + 100 * DAY, status=EventStatus.CANCELLED)
    Attendance.objects.create(session=cancelled, ambassador=present, day=cancelled.start_date, attended=False)
    make_session(mulhouse, start_date=TODAY + 20 * DAY, end_date=TODAY + 20 * DAY, status=EventStatus.ANNOUNCED)
    make_session(mulhouse, start_date=TODAY + 50 * DAY, end_date=TODAY + 50 * DAY)
    secret = make_case(mulhouse, title="Le guichet secret de Mulhouse")
    make_case(mulhouse)
    make_case(mulhouse, stage=Stage.PROTOTYPING)
    make_case(mulhouse, stage=Stage.ABANDONED, lessons="Le service n'était pas prêt.")
    make_entry(secret)
    make_entry(secret)
    old = make_entry(secret)
    ProgressEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - 40 * DAY)
    make_case(metz, title="Le cas confidentiel de Metz", stage=Stage.IDEATION)
    make_ambassador(metz, first_name="Dominique", last_name="Introuvable")
    coordinator = make_user()
    Coordination.objects.create(programme=programme, user=coordinator)
    resident = make_resident(mulhouse).user
    cache.clear()
    return {"programme": programme, "mulhouse": mulhouse, "metz": metz, "coordinator": coordinator,
            "resident": resident, "present": present}


def rows_of(response):
    return {line["row"].name: line["row"] for line in response.context["lines"]}


def test_the_figures_are_those_counted_by_hand(client, world):
    client.force_login(world["coordinator"])
    response = client.get(board_url(world["programme"]))

    rows = rows_of(response)
    mulhouse, metz = rows["La Transfo de Mulhouse"], rows["La Transfo de Metz"]
    assert (mulhouse.month, mulhouse.months) == (5, 18)
    assert (mulhouse.held, mulhouse.planned) == (3, 5)
    assert (mulhouse.attended, mulhouse.marked, mulhouse.rate) == (5, 6, 83)
    assert mulhouse.stage_counts == [2, 0, 0, 1, 0, 0, 1]
    assert mulhouse.recent_entries == 2
    assert mulhouse.last_activity == TODAY
    assert (metz.month, metz.held, metz.planned, metz.rate, metz.recent_entries) == (0, 0, 0, None, 0)
    assert metz.stage_counts == [0, 0, 1, 0, 0, 0, 0]
    assert metz.last_activity is None
    summary = re.sub(r"\s+", " ", response.content.decode())
    assert "2 labos ; 3 sessions tenues sur 5 prévues ; taux de présence 83 % ; 5 cas, dont 1 abandonnés" in summary


def test_months_are_counted_from_the_first_day_both_included():
    assert months_between(datetime.date(2016, 6, 1), datetime.date(2017, 11, 30)) == 18
    assert months_between(datetime.date(2016, 6, 15), datetime.date(2016, 6, 15)) == 1
    assert months_between(datetime.date(2016, 6, 15), datetime.date(2016, 7, 14)) == 1
    assert months_between(datetime.date(2016, 6, 15), datetime.date(2016, 7, 15)) == 2


def figures_and_bars(html):
    """Per row of the table: the figures written in its cells, and the bars' drawn lengths."""
    body = html[html.index("<tbody>"):html.index("</tbody>") + len("</tbody>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        figures = re.findall(r'data-figure="(\w+)">([^<]*)<', row)
        svgs = [ElementTree.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", row, re.S)]
        rows.append((figures, svgs))
    return rows


def test_the_bars_draw_the_figures_of_the_table_on_one_scale(client, world):
    client.force_login(world["coordinator"])
    response = client.get(board_url(world["programme"]))
    html = response.content.decode()
    scales = response.context["scales"]

    (metz_figures, metz_bars), (mulhouse_figures, mulhouse_bars) = figures_and_bars(html)  # by name: Metz first
    figures = dict((kind, text) for kind, text in mulhouse_figures if kind != "stage")
    stages = [int(text) for kind, text in mulhouse_figures if kind == "stage"]
    by_kind = {}
    for svg in mulhouse_bars:
        assert svg.get("role") == "img" and svg.get("aria-label") and svg.find(f"{SVG}title").text == svg.get("aria-label")
        by_kind.setdefault(svg.get("class").split("--")[1], []).append(svg)

    def drawn(svg, part):
        rect = svg.find(f"{SVG}rect[@class='bar__{part}']")
        return 0 if rect is None else float(rect.get("width"))

    def value_on(svg, part, scale):
        return round(drawn(svg, part) / BAR_WIDTH * scale)

    held, planned = (int(number) for number in figures["sessions"].split(" / "))
    sessions = by_kind["sessions"][0]
    assert (value_on(sessions, "value", scales.planned), value_on(sessions, "extent", scales.planned)) == (held, planned)
    assert value_on(by_kind["presence"][0], "value", 100) == int(figures["presence"].rstrip(" %"))
    assert [value_on(svg, "value", scales.cases_per_stage) for svg in by_kind["stage"]] == stages
    assert value_on(by_kind["entries"][0], "value", scales.recent_entries) == int(figures["entries"])
    month, months = (int(number) for number in re.findall(r"\d+", figures["phase"]))
    assert (value_on(by_kind["phase"][0], "value", scales.months), value_on(by_kind["phase"][0], "extent", scales.months)) == (month, months)
    # Metz's one case at ideation is drawn as long as Mulhouse's one prototyping case: same scale.
    metz_stages = [svg for svg in metz_bars if "bar--stage" in svg.get("class")]
    assert drawn(metz_stages[2], "value") == drawn(by_kind["stage"][3], "value") > 0


def test_the_board_sorts_on_the_server_and_says_so(client, world):
    client.force_login(world["coordinator"])

    by_name = client.get(board_url(world["programme"]))
    by_sessions = client.get(board_url(world["programme"], tri="-sessions"))
    fewest_sessions = client.get(board_url(world["programme"], tri="sessions"))
    nonsense = client.get(board_url(world["programme"], tri="<script>"))

    def names(response):
        return [line["row"].name for line in response.context["lines"]]

    assert names(by_name) == ["La Transfo de Metz", "La Transfo de Mulhouse"]
    assert names(by_sessions) == ["La Transfo de Mulhouse", "La Transfo de Metz"]
    assert names(fewest_sessions) == ["La Transfo de Metz", "La Transfo de Mulhouse"]
    assert nonsense.status_code == 200 and names(nonsense) == names(by_name)
    html = by_sessions.content.decode()
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a href="\?tri=sessions">', html)
    assert html.count("aria-sort=") == 1


def test_many_labs_are_paginated_on_the_same_scales(client):
    programme = make_programme()
    labs = [make_lab(programme=programme, name=f"Labo {number:03}") for number in range(PER_PAGE + 3)]
    make_session(labs[0], status=EventStatus.HELD)
    make_session(labs[0], start_date=labs[0].start_date + 40 * DAY, status=EventStatus.HELD)
    make_session(labs[-1], status=EventStatus.HELD)
    coordinator = make_user()
    Coordination.objects.create(programme=programme, user=coordinator)
    client.force_login(coordinator)

    second = client.get(board_url(programme, page=2))

    assert [line["row"].name for line in second.context["lines"]] == [lab.name for lab in labs[PER_PAGE:]]
    # The last Lab's one session is half the bar of the first Lab's two, though that one is on page 1.
    drawn = re.findall(r'width="([\d.]+)"', str(second.context["lines"][-1]["sessions_bar"]))
    assert drawn == [str(BAR_WIDTH / 2)] * 2  # planned (outlined), held (filled)
    assert 'rel="prev"' in second.content.decode()


def test_the_csv_holds_every_lab_with_the_figures_of_the_page(client, world):
    client.force_login(world["resident"])

    response = client.get(csv_url(world["programme"], tri="-presence"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row["Labo"] for row in table] == ["La Transfo de Mulhouse", "La Transfo de Metz"]
    mulhouse = table[0]
    assert (mulhouse["Mois"], mulhouse["Mois en tout"]) == ("5", "18")
    assert (mulhouse["Sessions tenues"], mulhouse["Sessions prévues"], mulhouse["Taux de présence (%)"]) == ("3", "5", "83")
    assert (mulhouse["Cadrage"], mulhouse["Prototypage"], mulhouse["Abandonné"]) == ("2", "1", "1")
    assert mulhouse["Entrées (30 derniers jours)"] == "2"
    assert mulhouse["Dernière activité"] == TODAY.isoformat()
    assert table[1]["Taux de présence (%)"] == ""


def test_a_lab_name_typed_as_a_formula_stays_text_in_the_csv(client, world):
    world["metz"].name = "=HYPERLINK(\"http://exemple.test\")"
    world["metz"].save()
    client.force_login(world["coordinator"])

    table = list(csv.reader(io.StringIO(client.get(csv_url(world["programme"])).content.decode("utf-8-sig")), delimiter=";"))

    assert table[1][0] == "'=HYPERLINK(\"http://exemple.test\")"


def test_a_resident_sees_other_labs_figures_but_no_names_nor_lab_only_titles(client, world):
    client.force_login(world["resident"])

    html = client.get(board_url(world["programme"])).content.decode()
    exported = client.get(csv_url(world["programme"])).content.decode("utf-8-sig")

    assert "La Transfo de Metz" in html and "La Transfo de Metz" in exported
    for secret in ("Le cas confidentiel de Metz", "Introuvable", "Dominique", "Le guichet secret de Mulhouse"):
        assert secret not in html and secret not in exported
    # Each row leads to a page of that Lab the resident may open.
    metz_url = reverse("programmes:lab_detail", kwargs={"slug": world["metz"].slug})
    assert f'href="{metz_url}"' in html
    own = reverse("lab_dashboard:dashboard", kwargs={"lab_slug": world["mulhouse"].slug})
    assert f'href="{own}"' in html and client.get(own).status_code == 200
    assert client.get(metz_url).status_code == 200


def test_an_ambassador_does_not_open_the_board(client, world):
    ambassador = make_user()
    make_ambassador(world["mulhouse"], user=ambassador)
    client.force_login(ambassador)

    assert client.get(board_url(world["programme"])).status_code == 404
    assert client.get(csv_url(world["programme"])).status_code == 404


def test_a_change_shows_at_once_though_the_board_is_cached(client, world):
    client.force_login(world["coordinator"])
    first = rows_of(client.get(board_url(world["programme"])))["La Transfo de Metz"]
    make_session(world["metz"], start_date=world["metz"].start_date, status=EventStatus.HELD)

    again = rows_of(client.get(board_url(world["programme"])))["La Transfo de Metz"]

    assert (first.held, again.held) == (0, 1)


def test_attendance_marked_shows_at_once_though_marks_are_saved_in_bulk(client, world):
    metz = world["metz"]
    ambassador = make_ambassador(metz)
    # Held already: marking who came saves no session, only marks.
    session = make_session(metz, start_date=metz.start_date, end_date=metz.start_date, status=EventStatus.HELD)
    client.force_login(world["coordinator"])
    before = rows_of(client.get(board_url(world["programme"])))["La Transfo de Metz"]

    record_attendance(event=session, marks={(ambassador.pk, session.start_date): True}, today=metz.start_date)

    after = rows_of(client.get(board_url(world["programme"])))["La Transfo de Metz"]
    assert (before.marked, after.marked, after.rate) == (0, 1, 100)


def board_queries(client, labs):
    programme = make_programme()
    for number in range(labs):
        lab = make_lab(programme=programme)
        people = [make_ambassador(lab) for _ in range(2)]
        for offset in range(number + 1):
            held_session(lab, lab.start_date + (10 + 20 * offset) * DAY, {person: True for person in people})
            make_entry(make_case(lab, stage=Stage.IDEATION))
    coordinator = make_user()
    Coordination.objects.create(programme=programme, user=coordinator)
    client.force_login(coordinator)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(board_url(programme))
    assert len(response.context["lines"]) == labs
    return len(queries)


def test_the_board_makes_as_many_queries_for_one_lab_as_for_three(client):
    assert [board_queries(client, 1), board_queries(client, 3)] == [exactly(10)] * 2


def test_a_cached_board_reads_no_figure_again(client, world):
    client.force_login(world["coordinator"])
    client.get(board_url(world["programme"]))

    with CaptureQueriesContext(connection) as queries:
        client.get(board_url(world["programme"]))

    assert not any("lab_sessions_attendance" in query["sql"] for query in queries.captured_queries)


def test_an_unknown_programme_is_not_found(client, world):
    client.force_login(world["coordinator"])

    assert client.get(reverse("programme_board:board", kwargs={"programme_slug": "inconnu"})).status_code == 404


def test_the_intertransfo_page_links_the_board_for_those_who_may_open_it(client, world):
    board = board_url(world["programme"])
    ambassador = make_user()
    make_ambassador(world["mulhouse"], user=ambassador)

    seen = {}
    for name, person in (("coordinator", world["coordinator"]), ("resident", world["resident"]), ("ambassador", ambassador)):
        client.force_login(person)
        seen[name] = f'href="{board}"' in client.get(reverse("intertransfo:gathering_index")).content.decode()

    assert seen == {"coordinator": True, "resident": True, "ambassador": False}
