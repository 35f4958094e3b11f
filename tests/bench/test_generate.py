"""The benchmark's data generator: the proportions of a programme, the same rows every time, once only."""
import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from wagtail.models import Page

from ambassadors.models import Ambassador
from bench.generate import (
    PASSWORD,
    PROGRAMME_SLUG,
    count_rows,
    expected_counts,
    generate,
    lab_count,
    persona_emails,
)
from bench.pages import measure_queries
from cases.models import Case, ProgressEntry
from docs.models import ArticlePage, DocumentationIndexPage, LabPage
from docs.rights import sync_everything
from programmes.models import Lab, LabMembership
from sessions.models import AgendaItem, Attendance, EventStatus, Session

pytestmark = pytest.mark.django_db

SCALE = 0.05


def fingerprint():
    """What the generator decided, leaving out what the database numbers itself (ids)."""
    return {
        "labs": list(Lab.objects.order_by("slug").values_list("slug", "start_date", "end_date")),
        "people": list(Ambassador.objects.order_by("email").values_list("email", "first_name", "last_name", "circle")),
        "sessions": list(
            Session.objects.order_by("lab__slug", "number").values_list("lab__slug", "number", "start_date", "status", "visibility")
        ),
        "agenda": list(AgendaItem.objects.order_by("session__number", "day", "start_time").values_list("title", "kind", "case__slug")),
        "attendance": list(
            Attendance.objects.order_by("session__number", "ambassador__email", "day").values_list("response", "attended")
        ),
        "cases": list(Case.objects.order_by("slug").values_list("slug", "stage", "visibility", "created_at")),
        "entries": list(
            ProgressEntry.objects.order_by("case__slug", "entry_date", "created_at").values_list("done", "author__email", "created_at")
        ),
        "pages": list(Page.objects.order_by("path").values_list("slug", "path", "url_path", "title", "content_type__model")),
    }


def test_scale_gives_the_programme_proportions():
    assert lab_count(SCALE) == 1
    assert lab_count(1) == 7
    assert lab_count(100) == 700

    pages_before = Page.objects.count()

    result = generate(SCALE)

    expected = expected_counts(SCALE)
    assert result["created"] is True
    assert Lab.objects.count() == expected["labs"]
    assert LabMembership.objects.filter(role=LabMembership.Role.RESIDENT).count() == expected["residents"]
    assert LabMembership.objects.filter(role=LabMembership.Role.HOST).count() == expected["hosts"]
    assert Ambassador.objects.filter(circle=Ambassador.Circle.AMBASSADOR).count() == expected["ambassadors"]
    assert Ambassador.objects.filter(circle=Ambassador.Circle.NETWORK).count() == expected["network"]
    assert Session.objects.count() == expected["sessions"]
    assert Case.objects.count() == expected["cases"]
    assert Page.objects.live().count() - pages_before == expected["pages"]
    # ~1,000 journal entries for 42 cases at S=1: about 24 a case.
    assert 16 * expected["cases"] <= ProgressEntry.objects.count() <= 32 * expected["cases"]
    # Each day of a session has its agenda; announced and held sessions have their answers.
    session_days = sum(session.day_count for session in Session.objects.all())
    assert AgendaItem.objects.count() == 4 * session_days
    assert Attendance.objects.filter(session__status=EventStatus.DRAFT).count() == 0
    assert Attendance.objects.filter(session__status=EventStatus.HELD, attended=True).exists()
    # Every ambassador with an account is in the teams of two or three of the Lab's six cases.
    teams = Ambassador.objects.filter(user__isnull=False).annotate(cases_in=Count("cases"))
    assert sorted(person.cases_in for person in teams) == [2, 2, 2, 3, 3]


def test_pages_are_a_valid_wagtail_tree_and_are_served():
    generate(SCALE)
    index = DocumentationIndexPage.objects.get()
    article = ArticlePage.objects.order_by("path").first()

    assert index.numchild == Page.objects.child_of(index).count()
    assert article.get_parent().specific == LabPage.objects.get(lab=article.lab)
    assert list(Page.find_problems()) == [[], [], [], [], []]
    # Where the platform keeps a Lab's pages: the next migrate has none to move.
    assert sync_everything()["pages_moved"] == 0
    response = Client().get(article.url)
    assert response.status_code == 200
    assert article.title in response.content.decode()
    assert Client().get(index.url).status_code == 200


def test_personas_can_log_in_and_reach_their_pages():
    generate(SCALE)
    personas = persona_emails()
    lab = Lab.objects.order_by("slug").first()
    client = Client()

    response = client.post(reverse("account_login"), {"login": personas["ambassador"], "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("espace:espace")
    assert client.get(reverse("espace:espace")).status_code == 200
    assert client.get(reverse("my_cases:my_cases")).status_code == 200
    assert LabMembership.objects.filter(user__email=personas["resident"], lab=lab).exists()


def test_generation_is_deterministic_and_runs_once():
    generate(SCALE)
    first, counts = fingerprint(), count_rows()

    again = generate(SCALE)

    assert again["created"] is False
    assert count_rows() == counts
    # Wiping the data and generating again gives the very same rows.
    Page.objects.filter(depth__gt=3).delete()
    Lab.objects.filter(programme__slug=PROGRAMME_SLUG).delete()
    from django.contrib.auth import get_user_model

    from programmes.models import Collectivite, Programme

    Programme.objects.filter(slug=PROGRAMME_SLUG).delete()
    Collectivite.objects.all().delete()
    get_user_model().objects.all().delete()
    Page.fix_tree()
    generate(SCALE)
    assert fingerprint() == first


def test_every_measured_page_answers_on_generated_data():
    generate(SCALE)

    result = measure_queries(host="testserver")

    pages = result["pages"]
    # The yardsticks exist only when the benchmark asks for them (TRANSFO_BENCHMARK_VIEWS).
    assert (pages["floor"]["status"], pages["auth"]["status"]) == ("absent", "absent")
    others = {key: page["status"] for key, page in pages.items() if key not in ("floor", "auth")}
    assert others == {key: 200 for key in others}
    assert pages["search"]["url"] == "/documentation/recherche/?q=usagers"
    assert pages["calendar"]["url"] == f"/labs/{result['targets']['lab']}/calendrier/?mois={result['targets']['month']}"
