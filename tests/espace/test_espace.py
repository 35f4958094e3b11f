"""Mon espace: what each role has to act on, nothing of a Lab one may not read, and where login lands."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import ProgressEntry, StageChange
from cases.models import StageProposal
from espace.models import LastVisit

from ..factories import make_entry
from .world import PASSWORD, build_world

pytestmark = pytest.mark.django_db

URL = "/espace/"


@pytest.fixture
def world():
    return build_world()


def page_of(client, user, url=URL):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def links(page):
    return set(re.findall(r'href="([^"]+)"', page))


def test_anonymous_visitor_is_sent_to_the_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_ambassador_sees_the_next_session_and_intertransfo_with_an_answer_per_day_and_a_button(client, world):
    page = page_of(client, world["people"]["ambassador"])

    assert "Invitations en attente de votre réponse" in page
    assert "Session n° 3" in page and "Atelier usagers" in page and "Médiathèque" in page
    assert "InterTransfo n° 1" in page
    assert page.count("Sans réponse") == 4  # two days of the session, two of the InterTransfo
    assert "/labs/{}/sessions/3/reponse/".format(world["lab_a"].slug) in links(page)
    assert "/calendrier/intertransfo/{}/1/reponse/".format(world["programme"].slug) in links(page)


def test_an_answered_event_leaves_the_waiting_list_and_shows_the_answer(client, world):
    ambassador = world["people"]["ambassador"]
    ambassador.ambassadorships.get().attendances.update(response="yes")

    page = page_of(client, ambassador)

    assert page.count("Présent·e") == 2
    assert "Changer ma réponse" in page
    waiting = page.split("Invitations en attente de votre réponse")[1].split("</section>")[0]
    assert "Session n° 3" not in waiting and "InterTransfo n° 1" in waiting


def test_an_answer_given_on_the_session_page_shows_at_once_though_the_page_was_just_seen(client, world):
    ambassador, session = world["people"]["ambassador"], world["upcoming"]
    before = page_of(client, ambassador)  # one's next events are now cached
    answer_url = reverse("lab_sessions:session_answer", kwargs={"lab_slug": session.lab.slug, "number": session.number})

    response = client.post(answer_url, {f"day-{day.isoformat()}": "yes" for day in session.days})
    after = page_of(client, ambassador)

    assert response.status_code == 302
    assert before.count("Présent·e") == 0 and after.count("Présent·e") == 2
    waiting = after.split("Invitations en attente de votre réponse")[1].split("</section>")[0]
    assert "Session n° 3" not in waiting


def test_ambassador_sees_their_cases_with_the_days_since_the_last_entry(client, world):
    page = page_of(client, world["people"]["ambassador"])

    assert "Accueil des usagers" in page
    assert "écrit aujourd&#x27;hui" in page or "écrit aujourd'hui" in page
    assert reverse("cases:entry_create", kwargs={"lab_slug": world["lab_a"].slug, "slug": world["case_a"].slug}) in page


def test_entries_others_wrote_since_my_last_visit_are_new_once(client, world):
    ambassador = world["people"]["ambassador"]
    page = page_of(client, ambassador)  # first visit: the last two weeks
    assert "Nouveau dans mes cas depuis ma dernière visite" in page

    # An hour later, the visit before is the first one: what was written before it is no longer
    # new, what was written since is.
    ProgressEntry.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    LastVisit.objects.filter(user=ambassador).update(visited_at=timezone.now() - datetime.timedelta(hours=1))
    make_entry(world["case_a"], author=world["people"]["relais"], done="Entretiens menés.")
    page = page_of(client, ambassador)
    new = page.split("Nouveau dans mes cas")[1].split("</section>")[0]
    assert new.count("<li>") == 1

    # Their own entries are never news to them.
    ProgressEntry.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    LastVisit.objects.filter(user=ambassador).update(visited_at=timezone.now() - datetime.timedelta(hours=1))
    make_entry(world["case_a"], author=ambassador, done="Mon entrée.")
    assert "Nouveau dans mes cas" not in page_of(client, ambassador)


def test_reloading_the_page_keeps_what_was_new(client, world):
    ambassador = world["people"]["ambassador"]
    first = page_of(client, ambassador)
    again = page_of(client, ambassador)

    assert "Nouveau dans mes cas" in first and "Nouveau dans mes cas" in again


def test_relais_sees_their_session_invitation_and_cases(client, world):
    page = page_of(client, world["people"]["relais"])

    assert "Session n° 3" in page and "Accueil des usagers" in page
    assert "À faire pour" not in page


@pytest.mark.parametrize("role", ["resident", "host"])
def test_those_who_run_a_lab_see_what_waits_in_it(client, world, role):
    lab = world["lab_a"]
    page = page_of(client, world["people"][role])

    assert "À faire pour Labo Alpha" in page
    assert "Prochaine session : n° 3" in page
    assert len(re.findall(r"0 réponses? sur 2 \(0 présent·es\)", page)) == 2  # per day: the ambassador and the relais
    assert "1 session passée sans présences ou compte rendu" in page
    assert "1 changement d&#x27;étape proposé attend votre décision" in page or "1 changement d'étape proposé" in page
    assert "1 cas sans entrée depuis plus de 30 jours" in page
    assert "1 invitation pas encore acceptée" in page
    for name in ("calendar:list", "cases:board", "ambassadors:lab_ambassadors"):
        assert reverse(name, kwargs={"lab_slug": lab.slug}) in page
    assert "InterTransfo n° 1" in page  # residents are invited too


def test_answers_per_day_are_counted(client, world):
    world["people"]["ambassador"].ambassadorships.get().attendances.filter(day=world["upcoming"].start_date).update(response="yes")

    page = page_of(client, world["people"]["resident"])

    assert "1 réponse sur 2 (1 présent·es)" in page and re.search(r"0 réponses? sur 2 \(0 présent·es\)", page)


def test_a_decided_proposal_no_longer_waits_though_the_page_was_just_seen(client, world):
    proposal = StageProposal.objects.get()
    before = page_of(client, world["people"]["resident"])  # what waits in each Lab is now cached
    StageChange.objects.create(case=world["case_a"], from_stage="cadrage", to_stage="ideation", changed_by=world["people"]["resident"])
    assert proposal.case == world["case_a"]

    assert "attend votre décision" in before
    assert "attend votre décision" not in page_of(client, world["people"]["resident"])


def test_drafts_in_moderation_are_listed_for_their_author(client, world):
    from docs.drafting import draft_session_report

    draft = draft_session_report(session=world["upcoming"], drafted_by=world["people"]["resident"])

    page = page_of(client, world["people"]["resident"])

    assert "Mes brouillons en relecture" in page
    assert reverse("wagtailadmin_pages:edit", args=[draft.pk]) in page
    assert "Mes brouillons" not in page_of(client, world["people"]["host"])


def test_coordination_sees_one_line_per_lab_of_its_programme(client, world):
    page = page_of(client, world["people"]["coordinator"])

    assert "Les labos de La Transfo" in page
    for lab in (world["lab_a"], world["lab_b"]):
        assert reverse("lab_dashboard:dashboard", kwargs={"lab_slug": lab.slug}) in links(page)
    assert "Labo Gamma" not in page
    assert "À faire pour" not in page  # a table, not the residents' cards


def test_nothing_of_another_lab_leaks(client, world):
    for role in ("resident", "host", "ambassador", "relais"):
        page = page_of(client, world["people"][role])
        assert "Secret du labo Bêta" not in page and "Session Bêta" not in page and "Labo Bêta" not in page
        assert "Ne doit pas fuiter" not in page and "Labo Gamma" not in page
    page = page_of(client, world["people"]["resident_c"])
    assert "Labo Alpha" not in page and "Accueil des usagers" not in page


def test_a_former_ambassador_no_longer_sees_the_lab(client, world):
    world["people"]["ambassador"].ambassadorships.update(is_active=False)

    page = page_of(client, world["people"]["ambassador"])

    assert "Accueil des usagers" not in page and "Session n° 3" not in page


def test_a_person_with_nothing_is_told_what_to_do_first(client, world):
    page = page_of(client, world["people"]["nobody"])

    assert "Rien ne vous attend pour l&#x27;instant" in page or "Rien ne vous attend pour l'instant" in page
    assert reverse("programmes:lab_list") in links(page)


def test_a_resident_without_any_session_is_led_to_the_rhythm_planner(client, world):
    page = page_of(client, world["people"]["resident_c"])

    assert "Planifier le rythme" in page
    assert reverse("calendar:planner", kwargs={"lab_slug": world["lab_c"].slug}) in links(page)


def test_the_page_is_in_english_too(client, world):
    page = page_of(client, world["people"]["resident"], "/en/espace/")

    assert '<html lang="en"' in page


def test_the_header_links_to_it(client, world):
    client.force_login(world["people"]["ambassador"])

    assert 'href="/espace/"' in client.get("/mes-cas/").content.decode()


# --- Where login lands ---------------------------------------------------------------------


def test_password_login_lands_here(client, world):
    response = client.post("/accounts/login/", {"login": world["people"]["ambassador"].email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/espace/"


def test_password_login_follows_next(client, world):
    response = client.post(
        "/accounts/login/?next=/mes-cas/", {"login": world["people"]["ambassador"].email, "password": PASSWORD, "next": "/mes-cas/"}
    )

    assert response["Location"] == "/mes-cas/"


def test_password_login_ignores_a_next_to_another_site(client, world):
    response = client.post(
        "/accounts/login/", {"login": world["people"]["ambassador"].email, "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/espace/"


@pytest.fixture
def mail_goes_out_at_once():
    """Celery in the test process even when REDIS_URL names a broker, so the code's mail is sent."""
    from transfo.celery import app as celery_app

    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def test_login_by_code_lands_here(client, world, mail_goes_out_at_once, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/code/", {"email": world["people"]["ambassador"].email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)

    response = client.post("/accounts/login/code/confirm/", {"code": code})

    assert response.status_code == 302
    assert response["Location"] == "/espace/"
