"""The fictional programme under way on the day of loading: what a newcomer tries first."""
import datetime

import holidays
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from cases.models import Case, ProgressEntry, Stage, StageChange
from docs.models import ArticlePage, DocumentationPage, SessionReportPage
from docs.opendata import images_by_page, published_pages
from outbox.models import OutgoingMail
from programmes.models import Lab
from sessions.models import Attendance, EventStatus, Session, SessionPhoto
from transfo.demo import count_rows, load_demo
from transfo.demo.pictures import CREDIT
from transfo.demo.running import DRAFT, PROGRAMME_SLUG

pytestmark = pytest.mark.django_db

STALE_AFTER = datetime.timedelta(days=30)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded today, once for the module, rolled back after its last test."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        result = load_demo(today=timezone.localdate())
    yield result
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def running_labs():
    return Lab.objects.filter(programme__slug=PROGRAMME_SLUG).select_related("collectivite").order_by("start_date")


def in_summer_break(day):
    # August has no session: from late July, the next one is in September.
    return (day.month, day.day) >= (7, 20) and day.month <= 8


def login_of(result, role_start, lab=None):
    return next(
        login["email"] for login in result["logins"]
        if login["role"].startswith(role_start) and (lab is None or login["lab"] == lab.slug)
    )


def test_three_labs_started_four_to_ten_months_ago_are_running(demo):
    today = timezone.localdate()
    labs = list(running_labs())

    assert len(labs) == 3
    for lab in labs:
        months = (today.year - lab.start_date.year) * 12 + today.month - lab.start_date.month
        assert 4 <= months <= 10, lab.name
        assert lab.phase == Lab.Phase.RUNNING and lab.end_date > today


def test_past_sessions_are_held_with_attendance_minutes_and_a_credited_photo(demo):
    today = timezone.localdate()
    for lab in running_labs():
        held = list(lab.sessions.filter(end_date__lt=today))

        assert len(held) >= 2, lab.name
        for session in held:
            assert session.status == EventStatus.HELD
            assert session.minutes
            assert session.attendances.filter(attended=True).exists()
            photo = SessionPhoto.objects.get(session=session)
            assert CREDIT in photo.caption and photo.image.storage.exists(photo.image.name)


def test_next_session_is_announced_within_a_fortnight_with_some_answers_in(demo):
    today = timezone.localdate()
    for lab in running_labs():
        upcoming = list(lab.sessions.filter(start_date__gt=today).order_by("start_date"))
        following = upcoming[0]

        assert not lab.sessions.filter(start_date__lte=today, end_date__gte=today).exists()
        assert following.status == EventStatus.ANNOUNCED, lab.name
        assert (following.start_date - today).days <= (45 if in_summer_break(today) else 14), lab.name
        answers = following.attendances.values_list("response", flat=True)
        assert Attendance.Response.PENDING in answers and Attendance.Response.YES in answers
        assert following.attendances.filter(answered_at__date__gte=today).count() == 0
        assert {s.status for s in upcoming[1:]} == {EventStatus.DRAFT}


def test_generated_sessions_avoid_public_holidays_and_august(demo):
    for lab in running_labs():
        for session in lab.sessions.all():
            public_holidays = holidays.France(subdiv=lab.collectivite.holiday_subdivision, years=session.start_date.year)
            for day in session.days:
                assert day.month != 8 and day.weekday() < 5 and day not in public_holidays, (lab.name, day)


def test_cases_are_at_every_stage_with_recent_entries_but_one(demo):
    now = timezone.now()
    cases = list(Case.objects.filter(lab__programme__slug=PROGRAMME_SLUG).with_last_activity())

    assert {case.stage for case in cases} == set(Stage.values)
    stale = [case for case in cases if case.last_activity < now - STALE_AFTER]
    assert len(stale) == 1
    for case in cases:
        assert case.stage_changes.order_by("-changed_at").first().to_stage == case.stage
        assert case.stage_changes.filter(changed_at__gt=now).count() == 0


def test_a_stage_proposal_waits_in_the_residents_mail(demo):
    mails = OutgoingMail.objects.filter(key__startswith="demo-stage-proposal-")

    assert mails.count() == 4  # three residents and the host of the first Lab
    assert all("proposition de passer à l'étape" in mail.subject for mail in mails)


def test_a_draft_article_waits_in_moderation(demo):
    page = ArticlePage.objects.get(slug=DRAFT["slug"])

    assert not page.live
    assert page.workflow_in_progress
    assert WorkflowState.objects.active().for_instance(page).get().status == WorkflowState.STATUS_IN_PROGRESS


def test_published_demo_pages_have_credited_pictures_shown_by_the_home_page(demo, client):
    # Lab pages published by an earlier load keep theirs as they are; the others are the demo's.
    pages = DocumentationPage.objects.live().select_related("cover_image")

    assert pages.filter(pk__in=ArticlePage.objects.all()).exists()
    assert pages.filter(pk__in=SessionReportPage.objects.all()).exists()
    for page in pages:
        assert page.cover_image is not None, page.title
        assert "CC BY-SA 4.0" in page.cover_image.title and "CC BY-SA 4.0" in page.cover_image.description
    assert client.get("/").content.decode().count('class="card__image"') == 3


def test_the_open_data_bundle_holds_the_pictures_of_the_demo_pages(demo):
    pages = published_pages()
    images = images_by_page(pages)

    assert all(images.get(page.pk) for page in pages if page.specific_class in (ArticlePage, SessionReportPage))


def test_the_newcomer_pages_answer_for_the_printed_logins(demo, client):
    result = demo
    lab = running_labs().first()
    case = lab.cases.filter(team__user__email=login_of(result, "Ambassadeur", lab)).first()
    session = lab.sessions.filter(status=EventStatus.ANNOUNCED).get()
    pages = {
        "my cases": reverse("my_cases:my_cases"),
        "case": reverse("cases:case_detail", kwargs={"lab_slug": lab.slug, "slug": case.slug}),
        "session": reverse("lab_sessions:session_detail", kwargs={"lab_slug": lab.slug, "number": session.number}),
        "calendar": reverse("calendar:month", kwargs={"lab_slug": lab.slug}),
        "planner": reverse("calendar:planner", kwargs={"lab_slug": lab.slug}),
    }
    people = {
        "resident": login_of(result, "Résident·e —", lab),
        "ambassador": login_of(result, "Ambassadeur", lab),
        "coordinator": login_of(result, "Coordination du programme — "),
    }
    for who, email in people.items():
        client.post(reverse("account_login"), {"login": email, "password": result["password"]})
        for name, url in pages.items():
            # Planning is for the people who run the Lab: to an ambassador the planner does not exist.
            expected = 404 if (who, name) == ("ambassador", "planner") else 200
            assert client.get(url).status_code == expected, (who, name)
        client.logout()


def test_the_load_command_refuses_a_bad_day():
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("load_demo", today="06/12/2026")


# These two load again, so they come last: the tests above read the first load.
def test_loading_again_the_same_day_changes_nothing(demo):
    before = count_rows()
    dated = sorted(Session.objects.values_list("lab__slug", "number", "start_date", "status", "updated_at"))

    load_demo(today=timezone.localdate())

    assert count_rows() == before
    assert sorted(Session.objects.values_list("lab__slug", "number", "start_date", "status", "updated_at")) == dated


def test_loading_on_a_later_day_moves_the_running_programme_without_duplicating(demo):
    later = timezone.localdate() + datetime.timedelta(days=40)
    before = count_rows()
    labs = {lab.slug: lab.pk for lab in running_labs()}
    case_slugs = sorted(Case.objects.filter(lab__programme__slug=PROGRAMME_SLUG).values_list("lab__slug", "slug"))

    load_demo(today=later)
    after = count_rows()
    load_demo(today=later)

    assert count_rows() == after
    for label in ("programmes.Programme", "programmes.Lab", "programmes.Collectivite", "auth.User",
                  "ambassadors.Ambassador", "programmes.LabMembership", "docs.ArticlePage", "docs.LabPage",
                  "outbox.OutgoingMail", "wagtailimages.Image", "wagtailcore.WorkflowState", "cases.Case"):
        assert after[label] == before[label], label
    assert {lab.slug: lab.pk for lab in running_labs()} == labs
    assert sorted(Case.objects.filter(lab__programme__slug=PROGRAMME_SLUG).values_list("lab__slug", "slug")) == case_slugs
    for lab in running_labs():
        numbers = list(lab.sessions.order_by("start_date").values_list("number", flat=True))
        assert numbers == list(range(len(numbers)))
        held = lab.sessions.filter(end_date__lt=later)
        assert set(held.values_list("status", flat=True)) == {EventStatus.HELD}
        assert SessionPhoto.objects.filter(session__lab=lab).count() == held.count()
        upcoming = lab.sessions.filter(start_date__gt=later).order_by("start_date").first()
        assert upcoming.status == EventStatus.ANNOUNCED
    for case in Case.objects.filter(lab__programme__slug=PROGRAMME_SLUG):
        changes = list(case.stage_changes.values_list("from_stage", "to_stage"))
        assert len(changes) == len(set(changes))
        days = list(case.entries.values_list("entry_date", flat=True))
        assert len(days) == len(set(days)) and max(days) < later
    assert StageChange.objects.filter(case__lab__programme__slug=PROGRAMME_SLUG, changed_at__date__gte=later).count() == 0
    assert ProgressEntry.objects.filter(case__lab__programme__slug=PROGRAMME_SLUG, entry_date__gte=later).count() == 0
