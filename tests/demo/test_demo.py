"""The demo data: complete, valid, identical after a second load, and its logins open a session."""
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from wagtail.models import Site

from ambassadors.models import Ambassador
from docs.models import ArticlePage, DocumentationIndexPage, FaqPage, HomePage, LabPage, LabSpace, ProgrammeSpace
from programmes.models import Coordination, Lab, LabMembership
from sessions.models import AgendaItem, EventStatus, Gathering, Session
from transfo.demo import count_rows, ensure_site_pages, load_demo
from transfo.demo.content import PROGRAMME

pytestmark = pytest.mark.django_db

SEED_FAQ = Path(settings.BASE_DIR) / "docs" / "seed" / "transfo-faq.fr.txt"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, in a transaction rolled back after its last test."""
    output = io.StringIO()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        result = load_demo(stdout=output)
    yield result, output.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_load_demo_twice_gives_the_same_counts(demo):
    result, _output = demo
    before = count_rows()

    load_demo()

    assert count_rows() == before == result["counts"]


def test_load_demo_counts_cover_every_kind_of_row(demo):
    result, _output = demo
    counts = result["counts"]

    # La Transfo 2016–2020 and the fictional programme under way (tests/demo/test_running.py).
    assert counts["programmes.Programme"] == 2
    assert counts["programmes.Lab"] == 10
    assert counts["lab_sessions.Gathering"] == 2
    assert counts["docs.ArticlePage"] == 6  # five published, one in moderation
    assert counts["docs.FaqPage"] == 1
    for label in ("lab_sessions.AgendaItem", "lab_sessions.Attendance", "cases.Case", "cases.ProgressEntry",
                  "cases.StageChange", "auth.User", "account.EmailAddress"):
        assert counts[label] > 0, label


def test_demo_sessions_pass_full_clean(demo):
    for session in Session.objects.select_related("lab"):
        session.full_clean()
    for gathering in Gathering.objects.select_related("programme", "host_lab"):
        gathering.full_clean()


def test_demo_agenda_items_pass_full_clean(demo):
    for item in AgendaItem.objects.select_related("session"):
        item.full_clean()


def test_demo_intertransfo_have_an_agenda_each_day_and_the_programme_invited_with_answers(demo):
    from sessions.invitees import gathering_invitees
    from sessions.models import GatheringAttendance

    for gathering in Gathering.objects.all():
        days_with_blocks = set(AgendaItem.objects.filter(gathering=gathering).values_list("day", flat=True))
        invited = set(gathering.invitations.values_list("key", flat=True))
        answers = GatheringAttendance.objects.filter(invitation__gathering=gathering)

        assert days_with_blocks == set(gathering.days)
        assert invited == {invitee.key for invitee in gathering_invitees(gathering)}
        assert answers.count() == len(invited) * len(gathering.days)
        assert answers.filter(attended=True).exists() and answers.filter(response="no").exists()


def test_demo_every_lab_has_its_residents_ambassadors_and_sessions(demo):
    for lab in Lab.objects.filter(programme__slug=PROGRAMME["slug"]):
        residents = lab.memberships.filter(role=LabMembership.Role.RESIDENT).count()
        hosts = lab.memberships.filter(role=LabMembership.Role.HOST).count()
        ambassadors = lab.ambassadors.filter(circle=Ambassador.Circle.AMBASSADOR).count()
        sessions = lab.sessions.count()

        assert 3 <= residents <= 4, lab.name
        assert hosts == 1, lab.name
        assert ambassadors == 20, lab.name
        assert 16 <= sessions <= 18, lab.name


def test_demo_finished_labs_held_every_session(demo):
    for lab in Lab.objects.filter(phase=Lab.Phase.CLOSED):
        assert set(lab.sessions.values_list("status", flat=True)) == {EventStatus.HELD}, lab.name


def test_demo_sessions_are_numbered_from_zero_in_date_order(demo):
    for lab in Lab.objects.all():
        numbers = list(lab.sessions.order_by("start_date").values_list("number", flat=True))
        assert numbers == list(range(len(numbers))), lab.name


def test_demo_faq_page_contains_the_seed_questions(demo):
    seed_questions = [
        line.strip() for line in SEED_FAQ.read_text(encoding="utf-8").splitlines() if line.strip().endswith("?")
    ]
    faq = FaqPage.objects.live().get()

    assert [block.value["question"] for block in faq.questions] == seed_questions


def test_every_question_of_the_demo_faq_has_its_answer(demo):
    faq = FaqPage.objects.live().get()
    answers = {block.value["question"]: block.value["answer"].source for block in faq.questions}

    # The seed leaves four questions unanswered: the demo answers them from the rest of its text.
    assert all(answer.startswith("<p>") for answer in answers.values()), [q for q, a in answers.items() if not a]
    assert "ambassadeurs" in answers["Comment impliquer les agents publics?"]
    assert answers["Qu’est ce que la transfo?"].count("<p>") == 2


def test_demo_articles_are_published_in_their_labs_places_and_listed_by_the_documentation(demo):
    articles = ArticlePage.objects.live()

    assert articles.count() == 5
    assert all(article.first_published_at and article.tags.exists() for article in articles)
    assert all(article.get_parent().specific == LabPage.objects.get(lab=article.lab) for article in articles)
    listed = set(DocumentationIndexPage.objects.get().listed_pages().values_list("pk", flat=True))
    assert {article.pk for article in articles} <= listed


def test_demo_team_gets_wagtail_rights_from_its_roles_only(demo):
    for membership in LabMembership.objects.select_related("user", "lab"):
        groups = set(membership.user.groups.values_list("pk", flat=True))
        assert LabSpace.objects.get(lab=membership.lab).group_id in groups
        assert not membership.user.groups.filter(name__in=["Editors", "Moderators"]).exists()
    for coordination in Coordination.objects.select_related("user"):
        assert coordination.user.groups.filter(pk=ProgrammeSpace.objects.get(programme_id=coordination.programme_id).group_id).exists()
        assert not coordination.user.groups.filter(name__in=["Editors", "Moderators"]).exists()


def test_demo_printed_logins_are_the_ones_returned(demo):
    result, output = demo

    for login in result["logins"]:
        assert login["email"] in output
    assert result["password"] in output


def test_demo_logins_open_a_session(demo, client):
    result, _output = demo

    for index, login in enumerate(result["logins"]):
        # One address each: more logins than allauth lets one address make in a minute.
        response = client.post(
            reverse("account_login"), {"login": login["email"], "password": result["password"]},
            REMOTE_ADDR=f"192.0.2.{index + 1}",
        )

        assert response.status_code == 302, login["email"]
        assert client.session.get("_auth_user_id"), login["email"]
        client.logout()


def test_load_demo_creates_the_site_pages_when_missing(demo):
    HomePage.objects.get().delete()

    load_demo()

    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert DocumentationIndexPage.objects.child_of(home).count() == 1
    assert ArticlePage.objects.live().count() == 5


def test_ensure_site_pages_keeps_existing_pages(demo):
    home, index = HomePage.objects.get(), DocumentationIndexPage.objects.get()

    assert ensure_site_pages() == (home, index)
