"""The pages the benchmark measures, who reads each, and what each costs in queries.

Run inside Django (``python -m bench.pages --output FILE``) against the benchmark database, it
writes every page's URL, the account it is read with, and its queries per request, counted
with Django's test client on the same database and settings as the server. A page whose URL
name does not exist (yet) is reported "absent" instead of failing the run.
"""
import argparse
import json
from dataclasses import dataclass

# Groups and their targets (ratio of the page's throughput to the floor's, same run).
FLOOR, AUTH, AUTHENTICATED, PUBLIC = "floor", "auth", "authenticated", "public"
# The programme's board reads every Lab of the programme (700 at S=100): a target of its own.
BOARD = "programme_board"
RATIO_TARGETS = {AUTH: 0.30, AUTHENTICATED: 0.05, PUBLIC: 0.85, BOARD: 0.03}
MAX_QUERIES = 10
MAX_P99_OVER_P50 = 1.5


@dataclass(frozen=True)
class BenchPage:
    key: str
    label: str
    group: str
    role: str | None = None  # "resident", "ambassador", or None for an anonymous reader
    names: tuple = ()  # URL names tried in turn
    paths: tuple = ()  # else paths tried in turn (the first answering 200 wins)
    target: str = ""  # else a URL read from the targets (a Wagtail page)
    kwargs: tuple = ()  # (URL argument, target key)
    query: tuple = ()  # (query parameter, target key or literal "=value")


PAGES = [
    BenchPage("floor", "Plancher : vue nue « ok »", FLOOR, names=("bench_floor",)),
    BenchPage("auth", "Authentification seule (login_required, « ok »)", AUTH, "resident", names=("bench_auth",)),
    BenchPage(
        "calendar", "Calendrier du labo (mois)", AUTHENTICATED, "resident", names=("calendar:month",),
        kwargs=(("lab_slug", "lab"),), query=(("mois", "month"),),
    ),
    BenchPage(
        "session", "Page d'une session", AUTHENTICATED, "ambassador", names=("lab_sessions:session_detail",),
        kwargs=(("lab_slug", "lab"), ("number", "session")),
    ),
    BenchPage(
        "attendance", "Tableau des présences du labo", AUTHENTICATED, "resident",
        names=("lab_sessions:lab_attendance",), kwargs=(("lab_slug", "lab"),),
    ),
    BenchPage("my_cases", "Mes cas", AUTHENTICATED, "ambassador", names=("my_cases:my_cases",)),
    BenchPage("espace", "Mon espace (résident·e)", AUTHENTICATED, "resident", names=("espace:espace",)),
    BenchPage("espace_ambassador", "Mon espace (ambassadeur·rice)", AUTHENTICATED, "ambassador", names=("espace:espace",)),
    BenchPage(
        "case", "Page d'un cas et sa chronologie", AUTHENTICATED, "ambassador", names=("cases:case_detail",),
        kwargs=(("lab_slug", "lab"), ("slug", "case")),
    ),
    BenchPage("board", "Tableau des cas du labo", AUTHENTICATED, "resident", names=("cases:board",), kwargs=(("lab_slug", "lab"),)),
    BenchPage(
        "lab_dashboard", "Tableau de bord du labo", AUTHENTICATED, "resident",
        names=("lab_dashboard:dashboard",), kwargs=(("lab_slug", "lab"),),
    ),
    BenchPage(
        "programme_board", "Tableau de bord InterTransfo (tous les labos)", BOARD, "resident",
        names=("programme_board:board",), kwargs=(("programme_slug", "programme"),),
    ),
    BenchPage("home", "Accueil", PUBLIC, target="home_url"),
    BenchPage("docs_index", "Index de la documentation", PUBLIC, target="index_url"),
    BenchPage("article", "Un article", PUBLIC, target="article_url"),
    BenchPage(
        "search", "Recherche dans la documentation", PUBLIC, target="search_url",
        paths=("/documentation/recherche/", "/recherche/"), query=(("q", "=usagers"),),
    ),
    BenchPage(
        "feed", "Flux RSS de la documentation", PUBLIC, names=("opendata:feed_rss", "docs:feed_rss"),
        paths=("/flux/rss/",),
    ),
    BenchPage(
        "ical", "Flux iCal personnel (jeton, sans session)", PUBLIC, names=("calendar_feeds:personal",),
        kwargs=(("token", "ical_token"),),
    ),
]
PAGES_BY_KEY = {page.key: page for page in PAGES}


def bench_targets() -> dict:
    """What the pages are read about: the first Lab, its last held session, a case of the ambassador."""
    from django.contrib.auth import get_user_model
    from wagtail.models import Site

    from bench.generate import HELD_SESSIONS, persona_emails
    from cases.models import Case
    from docs.models import ArticlePage, DocumentationIndexPage
    from programmes.models import LabMembership
    from sessions.ical import feed_token_of
    from sessions.models import Session

    User = get_user_model()
    emails = persona_emails()
    resident = User.objects.get(email=emails["resident"])
    ambassador = User.objects.get(email=emails["ambassador"])
    lab = LabMembership.objects.select_related("lab").get(user=resident).lab
    session = Session.objects.get(lab=lab, number=HELD_SESSIONS - 1)
    case = Case.objects.filter(lab=lab, team__user=ambassador).order_by("slug").first()
    article = ArticlePage.objects.live().filter(lab=lab).order_by("path").first()
    index = DocumentationIndexPage.objects.get()
    try:
        # The search is a route of the documentation index (RoutablePageMixin).
        search_url = index.url + index.reverse_subpage("search")
    except Exception:  # noqa: BLE001 — no such route (yet): the paths are tried instead
        search_url = None
    return {
        "lab": lab.slug,
        "programme": lab.programme.slug,
        "session": session.number,
        "month": f"{session.start_date:%Y-%m}",
        "case": case.slug,
        "home_url": Site.objects.get(is_default_site=True).root_page.url,
        "index_url": index.url,
        "search_url": search_url,
        "article_url": article.url if article else None,
        "ical_token": feed_token_of(user=resident).token,
        "emails": emails,
    }


def locate(page: BenchPage, targets: dict, probe=None) -> str | None:
    """The page's URL, or None when none of its names, paths or target exists."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    url = None
    if page.target:
        url = targets.get(page.target)
    kwargs = {name: targets[key] for name, key in page.kwargs}
    with translation.override("fr"):
        for name in page.names:
            if url:
                break
            try:
                url = reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
    for path in page.paths:
        if url:
            break
        if probe is not None and probe(path) == 200:
            url = path
    if url and page.query:
        url += "?" + urlencode({name: key[1:] if key.startswith("=") else targets[key] for name, key in page.query})
    return url


def measure_queries(*, host: str) -> dict:
    """Each page's URL and its queries, cold (first request) and warm (the next one)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    targets = bench_targets()
    User = get_user_model()
    clients = {None: Client(HTTP_HOST=host)}
    for role, email in targets["emails"].items():
        clients[role] = Client(HTTP_HOST=host)
        clients[role].force_login(User.objects.get(email=email))

    def probe(path):
        try:
            return clients[None].get(path).status_code
        except Exception:  # a broken page is reported by its own measurement
            return None

    pages = {}
    for page in PAGES:
        url = locate(page, targets, probe=probe)
        result = {"label": page.label, "group": page.group, "role": page.role, "url": url}
        if url is None:
            pages[page.key] = {**result, "status": "absent"}
            continue
        client = clients[page.role]
        counts, status, size = [], None, 0
        try:
            for _attempt in range(2):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                counts.append(len(queries))
                status, size = response.status_code, len(response.content)
        except Exception as error:  # noqa: BLE001 — the run goes on and says which page broke
            pages[page.key] = {**result, "status": "error", "error": f"{type(error).__name__}: {error}"}
            continue
        pages[page.key] = {
            **result, "status": status, "bytes": size, "queries_cold": counts[0], "queries": counts[1],
        }
    return {"targets": {k: v for k, v in targets.items() if k != "ical_token"}, "pages": pages}


def main(argv=None):
    import django

    parser = argparse.ArgumentParser(description="Adresses des pages mesurées et requêtes SQL par page.")
    parser.add_argument("--output", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    django.setup()
    result = measure_queries(host=args.host)
    # The addresses of the pages weighed, found here where Django is set up (bench.weights).
    from bench.weights import weight_urls

    result["weight_urls"] = weight_urls(result["targets"])
    with open(args.output, "w", encoding="utf-8") as output:
        json.dump(result, output, ensure_ascii=False, indent=2, default=str)


if __name__ == "__main__":
    main()
