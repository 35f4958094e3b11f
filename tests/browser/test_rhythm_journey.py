"""Journey 2: a resident plans the Lab's rhythm, adjusts a date, and finds the sessions in the calendar."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Coordination, LabMembership
from sessions.models import EventStatus, Session

from ..factories import make_collectivite, make_lab, make_programme, make_user
from .test_profile_journey import logged_in
from .test_public_site import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DAY = datetime.timedelta(days=1)


@pytest.fixture
def lab_and_resident():
    today = timezone.localdate()
    programme = make_programme(start_date=today - 365 * DAY, end_date=today + 4 * 365 * DAY)
    collectivite = make_collectivite(
        name="Ville de Mulhouse", departement="68", seat_address="2 rue Pierre et Marie Curie\n68100 Mulhouse"
    )
    start = today + 40 * DAY
    lab = make_lab(
        programme=programme,
        collectivite=collectivite,
        name="La Transfo de Mulhouse",
        start_date=start,
        end_date=start + 540 * DAY,
    )
    resident = make_user(first_name="Dominique", last_name="Résidente")
    LabMembership.objects.create(lab=lab, user=resident, role=LabMembership.Role.RESIDENT)
    return lab, resident


def calendar_url(live_server, name, lab):
    return live_server.url + reverse(name, kwargs={"lab_slug": lab.slug})


def propose(page, count):
    page.get_by_label("Nombre de sessions").fill(str(count))
    page.get_by_label("Jours par session").fill("2")
    page.get_by_role("button", name="Proposer").click()


def row_input(page, which, number):
    return page.get_by_label(f"{which} jour de la session n° {number}", exact=True)


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_resident_plans_adjusts_saves_and_sees_the_sessions(live_server, request, lab_and_resident, viewport):
    page = request.getfixturevalue(viewport)
    lab, resident = lab_and_resident
    logged_in(page, live_server, resident)
    page.goto(calendar_url(live_server, "calendar:planner", lab))
    planner_violations = serious_violations(page)

    propose(page, 6)
    proposal_violations = serious_violations(page)
    proposal_width = page.evaluate("document.documentElement.scrollWidth")
    first, last = row_input(page, "Premier", 1), row_input(page, "Dernier", 1)
    moved_first = datetime.date.fromisoformat(first.input_value()) + DAY
    moved_last = datetime.date.fromisoformat(last.input_value()) + DAY
    first.fill(moved_first.isoformat())
    last.fill(moved_last.isoformat())
    page.get_by_role("button", name="Enregistrer les 6 sessions").click()

    sessions = list(Session.objects.filter(lab=lab).order_by("number"))
    assert planner_violations == []
    assert proposal_violations == []
    assert [s.number for s in sessions] == [0, 1, 2, 3, 4, 5]
    assert {s.status for s in sessions} == {EventStatus.DRAFT}
    assert (sessions[1].start_date, sessions[1].end_date) == (moved_first, moved_last)
    assert sessions[0].place_name == "Ville de Mulhouse"
    assert page.url == calendar_url(live_server, "calendar:month", lab) + f"?mois={sessions[0].start_date:%Y-%m}"
    # The first message; a moved session that lands on a public holiday adds a warning after it.
    assert page.get_by_role("status").locator("li").first.text_content().strip() == "6 sessions enregistrées en brouillon (n° 0 à 5)."
    # The month shows the first session on both of its days.
    assert page.locator(".month-grid").get_by_role("link", name="Session n° 0").count() == 2
    assert serious_violations(page) == []
    if viewport == "phone_page":
        assert proposal_width <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # On a phone the grid is a list of the busy days (and the public holidays): no other day is shown.
        assert page.locator(".month-grid__day:visible:not(.month-grid__day--holiday)").count() == 2

    page.get_by_role("link", name="Frise").click()
    timeline = page.locator(".timeline")
    assert [timeline.get_by_role("link", name=f"Session n° {n}").count() for n in range(6)] == [1] * 6
    assert serious_violations(page) == []
    if viewport == "phone_page":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Liste").click()
    assert page.get_by_role("row").count() == 7
    assert serious_violations(page) == []
    if viewport == "phone_page":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_planner_refuses_a_bad_row_and_keeps_the_table(live_server, page, lab_and_resident):
    lab, resident = lab_and_resident
    logged_in(page, live_server, resident)
    page.goto(calendar_url(live_server, "calendar:planner", lab))
    propose(page, 3)
    first = row_input(page, "Premier", 0)
    start = datetime.date.fromisoformat(first.input_value())
    row_input(page, "Dernier", 0).fill((start + 3 * DAY).isoformat())

    page.get_by_role("button", name="Enregistrer les 3 sessions").click()

    assert Session.objects.filter(lab=lab).count() == 0
    assert page.get_by_role("alert").first.text_content().strip().startswith("Rien n'a été enregistré.")
    assert row_input(page, "Dernier", 0).get_attribute("aria-invalid") == "true"
    assert "Une session dure au plus 3 jours consécutifs." in page.locator("#ligne-0-erreurs").text_content()
    assert row_input(page, "Dernier", 0).input_value() == (start + 3 * DAY).isoformat()
    assert serious_violations(page) == []


def tab_to(page, element_id=None, *, text=None, limit=80):
    """Press Tab until the element (by id, or by its text) has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.id, document.activeElement.textContent.trim()]")
        if (element_id is not None and focused[0] == element_id) or (text is not None and focused[1] == text):
            return True
    raise AssertionError(f"{element_id or text} cannot be reached with the keyboard")


def next_day_with_the_keyboard(page, field):
    """Move the focused date field to the next day with the arrow keys.

    The day is one of the field's three parts, in the order of the browser's language: try each,
    put back what was not the day.
    """
    before = datetime.date.fromisoformat(field.input_value())
    for _ in range(3):
        page.keyboard.press("ArrowUp")
        if datetime.date.fromisoformat(field.input_value()) == before + DAY:
            return before + DAY
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
    raise AssertionError("the day of a date field cannot be changed with the keyboard")


def test_resident_plans_the_rhythm_with_the_keyboard_alone(live_server, page, lab_and_resident):
    lab, resident = lab_and_resident
    logged_in(page, live_server, resident)
    page.goto(calendar_url(live_server, "calendar:planner", lab))

    tab_to(page, "id_session_count")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    # Enter in the settings submits them: "Proposer".
    page.keyboard.press("Enter")
    page.wait_for_selector(".planner-table")
    tab_to(page, "id_sessions-0-first_day")
    moved_first = next_day_with_the_keyboard(page, row_input(page, "Premier", 0))
    tab_to(page, "id_sessions-0-last_day")
    moved_last = next_day_with_the_keyboard(page, row_input(page, "Dernier", 0))
    tab_to(page, text="Enregistrer les 3 sessions")
    page.keyboard.press("Enter")
    page.wait_for_url("**/calendrier/?mois=*")

    first = Session.objects.get(lab=lab, number=0)
    assert Session.objects.filter(lab=lab).count() == 3
    assert (first.start_date, first.end_date) == (moved_first, moved_last)


def test_coordinator_plans_an_intertransfo_that_every_lab_sees_in_its_calendar(live_server, page, lab_and_resident):
    lab, resident = lab_and_resident
    coordinator = make_user(first_name="Claude", last_name="Coordination")
    Coordination.objects.create(programme=lab.programme, user=coordinator)
    logged_in(page, live_server, coordinator)
    page.goto(live_server.url + reverse("intertransfo:gathering_index"))
    index_violations = serious_violations(page)

    page.get_by_role("link", name="Planifier une InterTransfo").click()
    form_violations = serious_violations(page)
    day = lab.start_date + 20 * DAY
    page.get_by_label("Titre").fill("Faire labo ensemble")
    page.get_by_label("Premier jour").fill(day.isoformat())
    page.get_by_label("Dernier jour").fill((day + DAY).isoformat())
    page.get_by_label("Labo hôte").select_option(label=lab.name)
    page.get_by_role("button", name="Enregistrer").click()
    detail_violations = serious_violations(page)
    page.get_by_role("button", name="Annoncer et inviter tous les labos").click()

    assert (index_violations, form_violations, detail_violations) == ([], [], [])
    assert page.get_by_role("heading", level=1).text_content().strip() == "InterTransfo n° 1 — Faire labo ensemble"
    assert page.get_by_role("status").text_content().strip() == "InterTransfo annoncée : 1 invitation envoyée."
    logged_in(page, live_server, resident)
    page.goto(calendar_url(live_server, "calendar:month", lab) + f"?mois={day:%Y-%m}")
    assert page.locator(".month-grid").get_by_role("link", name="InterTransfo n° 1").count() == 2


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_subscription_page_is_accessible_and_fits_a_phone(live_server, request, lab_and_resident, viewport, settings):
    # The addresses to subscribe to name the public address: here, the test's server.
    settings.TRANSFO_PUBLIC_URL = live_server.url
    page = request.getfixturevalue(viewport)
    lab, resident = lab_and_resident
    logged_in(page, live_server, resident)

    page.goto(live_server.url + reverse("calendar_feeds:subscription"))

    assert page.get_by_label("Adresse d'abonnement").input_value().startswith(live_server.url + "/calendrier/")
    assert page.get_by_label(lab.name).input_value().endswith("/labo.ics?jeton=" + resident.calendar_feed_token.token)
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 or viewport == "page"
