"""What the ambassador's phone pages weigh: HTML + CSS + JS, each under the issue's 100 kB."""
import pytest
from django.urls import reverse

from bench.weights import (
    MAX_PAGE_BYTES,
    WEIGHT_PAGES,
    assets_of,
    measure_weights,
    page_weight,
    weight_urls,
)

from ..factories import make_ambassador, make_case, make_entry, make_lab, make_user


def client_get(client):
    """bench.weights' ``get`` over Django's test client (static files come from WhiteNoise)."""

    def get(path, headers):
        response = client.get(path, headers={key: value for key, value in headers.items() if key != "Cookie"})
        # Reading a file's whole stream closes it (the test client keeps the database connection).
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, response.headers, body

    return get


@pytest.fixture
def ambassador_world(db):
    lab = make_lab()
    user = make_user()
    ambassador = make_ambassador(lab, user=user)
    case = make_case(lab)
    case.team.add(ambassador)
    for number in range(12):
        make_entry(case, done=f"Entretien n°{number} avec les usagers de la médiathèque.")
    return {"user": user, "targets": {"lab": lab.slug, "case": case.slug}}


def test_each_phone_page_of_an_ambassador_weighs_its_html_css_and_js_under_the_limit(client, ambassador_world):
    client.force_login(ambassador_world["user"])

    weights = measure_weights(client_get(client), weight_urls(ambassador_world["targets"]), cookie=None)

    assert list(weights["pages"]) == [page.key for page in WEIGHT_PAGES] == ["my_cases", "case", "entry_form"]
    for key, page in weights["pages"].items():
        assert page["errors"] == [], key
        # The site's stylesheet and its scripts are counted with the HTML.
        assert page["html"] > 0 and page["css"] > 0 and page["js"] > 0, key
        assert page["total"] == page["html"] + page["css"] + page["js"]
        assert 0 < page["total"] <= MAX_PAGE_BYTES, (key, page["files"])
    assert {file["path"] for file in weights["pages"]["case"]["files"]} >= {
        weights["pages"]["case"]["url"], "/static/css/transfo.css", "/static/js/offline.js",
    }


def test_a_page_the_reader_may_not_open_is_reported_not_counted_as_light(client, ambassador_world):
    url = reverse("my_cases:my_cases")

    weight = page_weight(client_get(client), url)  # not logged in: sent to the login page

    assert weight["total"] == 0
    assert weight["errors"] == [f"{url}: 302"]


def test_assets_are_the_pages_own_stylesheets_and_scripts_each_once():
    html = """<html><head>
      <link rel="stylesheet" href="/static/css/transfo.css">
      <link rel="manifest" href="/manifest.webmanifest">
      <link rel="preload stylesheet" href="cases.css">
      <script src="/static/js/offline.js" defer></script>
      <script>/* inline: counted with the HTML */</script>
      <script src="https://cdn.example.org/lib.js"></script>
      <script src="/static/js/offline.js"></script>
    </head></html>"""

    assert assets_of(html, "/labs/belval/cas/") == [
        ("css", "/static/css/transfo.css"),
        ("css", "/labs/belval/cas/cases.css"),
        ("js", "/static/js/offline.js"),
    ]


def test_the_bench_report_shows_each_weight_against_the_limit_and_lists_a_page_over_it():
    from bench.run import check_targets, format_markdown, format_table

    def weighed(total):
        return {"label": "", "url": "/", "html": total - 9_000, "css": 3_000, "js": 6_000, "total": total, "files": [], "errors": []}

    weights = {"limit": MAX_PAGE_BYTES, "role": "ambassador", "pages": {
        "my_cases": weighed(18_400), "case": weighed(131_000), "entry_form": {"label": "", "url": None, "errors": ["absent"], "total": 0},
    }}
    report = {
        "meta": {"date": "2026-12-06 14:00 UTC", "commit": "abc1234", "cpus": 2, "load": "1.00", "command": "make bench",
                 "threads": 2, "connections": 8, "rounds": 3, "duration": 5},
        "scales": {"1": {"pages": {}, "counts": {}, "weights": weights}},
    }

    report["misses"] = check_targets(report)
    table = format_table("1", report["scales"]["1"])

    assert "limite 100 ko" in table
    assert [line.split()[-1] for line in table.splitlines() if line.startswith(("my_cases", "case "))] == ["ok", "LOURD"]
    assert "| case | 122.0 | 3.0 | 6.0 | 131.0 | no |" in format_markdown(report)
    assert [(miss["page"], miss["value"]) for miss in report["misses"]] == [("case", "131.0 ko"), ("entry_form", "absent")]
