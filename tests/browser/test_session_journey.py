"""Journeys 3 and 4 in a browser: a resident plans a session and its agenda (with the keyboard
only, too), announces it, then notes who came and writes the minutes; an ambassador answers per
day from the session page, on a phone too. Every page is checked with axe."""
import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from outbox.models import OutgoingMail
from sessions.models import AgendaItem, Attendance, EventStatus, Session

from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_collectivite,
    make_lab,
    make_resident,
    make_session,
    make_user,
)
from .accessibility import serious_violations
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TODAY = timezone.localdate()


def next_monday(weeks):
    day = TODAY + datetime.timedelta(weeks=weeks)
    return day - datetime.timedelta(days=day.weekday())


@pytest.fixture
def lab():
    collectivite = make_collectivite(name="Mulhouse", seat_address="2 rue Pierre et Marie Curie\n68100 Mulhouse")
    lab = make_lab(
        name="La Transfo de Mulhouse",
        collectivite=collectivite,
        start_date=TODAY - datetime.timedelta(days=90),
        end_date=TODAY + datetime.timedelta(days=400),
    )
    make_case(lab, title="Accueil des nouveaux habitants", site_address="5 rue du Marché\n68200 Mulhouse")
    return lab


@pytest.fixture
def resident(lab):
    return make_resident(lab, user=make_user(first_name="Rosa", last_name="Résidente")).user


@pytest.fixture
def ambassadors(lab):
    return [
        make_ambassador(lab, first_name="Camille", last_name="Durand", user=make_user(first_name="Camille")),
        make_ambassador(lab, first_name="Sacha", last_name="Martin"),
    ]


def press_tab_until(page, element_id, limit=200):
    """Move the focus with the Tab key only, until it reaches the element."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def wait_until(page, expression, arg=None, timeout_ms=5000):
    """Wait until the expression is true in the page, asking from here: Playwright's own
    wait_for_function runs its text through eval() inside the page, which the site's
    Content-Security-Policy refuses."""
    for _ in range(timeout_ms // 50):
        if page.evaluate(expression, arg):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"Never true in the page: {expression}")


def wait_for_focus(page, element_id):
    """htmx moves the focus once the new content has settled, a moment after it appears."""
    wait_until(page, "id => document.activeElement && document.activeElement.id === id", element_id)
    return focused_id(page)


def test_resident_plans_a_session_and_its_agenda_then_announces_it(live_server, page, lab, resident, ambassadors):
    start = next_monday(weeks=4)
    iso = start.isoformat()
    logged_in(page, live_server, resident)
    violations = {}

    # The session: dates, place from the collectivité's seat, objectives, a case.
    page.goto(f"{live_server.url}/labs/{lab.slug}/sessions/nouvelle/")
    violations["new"] = serious_violations(page)
    page.get_by_label("Titre").fill("Immersion au guichet unique")
    page.get_by_label("Premier jour").fill(iso)
    page.get_by_label("Dernier jour").fill((start + datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Siège de la collectivité : 2 rue Pierre et Marie Curie 68100 Mulhouse").check()
    page.get_by_label("Objectifs").fill("Observer l'accueil des usagers et en tirer trois pistes.")
    page.get_by_role("checkbox", name="Accueil des nouveaux habitants").check()
    page.get_by_role("button", name="Créer la session").click()
    session = Session.objects.get(lab=lab)
    assert page.url == live_server.url + session.get_absolute_url()
    assert (session.place_name, session.day_count, session.cases.count()) == ("Mulhouse", 2, 1)
    wait_until(page, "window.htmx !== undefined")
    violations["session"] = serious_violations(page)

    # Keyboard only: Tab to the first day's fields, type, Enter to submit.
    press_tab_until(page, f"id_add-{iso}_start_time")
    page.keyboard.type("9h30")
    page.keyboard.press("Tab")
    page.keyboard.type("11h")
    press_tab_until(page, f"id_add-{iso}_title")
    page.keyboard.type("Atelier créatif : l'accueil rêvé")
    page.keyboard.press("Enter")
    page.locator("#agenda-editor li", has_text="Atelier créatif : l'accueil rêvé").wait_for()
    assert page.locator("#agenda-status").text_content().strip().startswith("« Atelier créatif : l'accueil rêvé » ajouté au ")
    # The focus stays in the form, ready for the next block.
    assert wait_for_focus(page, f"id_add-{iso}_title") == f"id_add-{iso}_title"
    assert page.get_by_label("Titre").first.input_value() == ""
    press_tab_until(page, f"id_add-{iso}_start_time")
    page.keyboard.type("14h")
    page.keyboard.press("Tab")
    page.keyboard.type("16h")
    press_tab_until(page, f"id_add-{iso}_title")
    page.keyboard.type("Restitution")
    page.keyboard.press("Enter")
    page.locator("#agenda-editor li", has_text="Restitution").wait_for()

    # An overlapping block is refused next to its form, and nothing is added.
    form = page.locator(f"form[aria-labelledby='add-title-{iso}']")
    form.get_by_label("Début").fill("10:00")
    form.get_by_label("Fin").fill("10:30")
    form.get_by_label("Titre").fill("Café")
    form.get_by_role("button", name="Ajouter ce temps").click()
    page.locator(".form-errors", has_text="Ce créneau chevauche").wait_for()
    violations["refused"] = serious_violations(page)
    assert AgendaItem.objects.filter(session=session).count() == 2

    # Edit in place with the keyboard: the row becomes a form with the focus in it.
    restitution = AgendaItem.objects.get(title="Restitution")
    page.locator(f"#edit-link-{restitution.pk}").focus()
    page.keyboard.press("Enter")
    page.locator(f"#id_edit-{restitution.pk}_day").wait_for()
    assert wait_for_focus(page, f"id_edit-{restitution.pk}_day") == f"id_edit-{restitution.pk}_day"
    press_tab_until(page, f"id_edit-{restitution.pk}_end_time")
    page.keyboard.press("Control+A")
    page.keyboard.type("16h30")
    page.keyboard.press("Enter")
    page.locator(f"#edit-link-{restitution.pk}").wait_for()
    assert wait_for_focus(page, f"edit-link-{restitution.pk}") == f"edit-link-{restitution.pk}"
    restitution.refresh_from_db()
    assert restitution.end_time == datetime.time(16, 30)

    # Reorder: the restitution moves before the workshop, each keeping its length and the gap.
    page.locator(f"#move-up-{restitution.pk}").click()
    page.locator("#agenda-status", has_text="passe avant").wait_for()
    assert [
        (item.title, item.start_time.strftime("%H:%M"), item.end_time.strftime("%H:%M"))
        for item in AgendaItem.objects.filter(session=session).order_by("start_time")
    ] == [("Restitution", "09:30", "12:00"), ("Atelier créatif : l'accueil rêvé", "15:00", "16:30")]

    # Delete, after a confirmation shown in place.
    workshop = AgendaItem.objects.get(title__startswith="Atelier")
    page.locator(f"#delete-link-{workshop.pk}").click()
    page.get_by_role("button", name="Oui, retirer ce temps").wait_for()
    violations["confirm"] = serious_violations(page)
    page.get_by_role("button", name="Oui, retirer ce temps").click()
    page.locator("#agenda-status", has_text="retiré du programme").wait_for()
    assert list(AgendaItem.objects.filter(session=session).values_list("title", flat=True)) == ["Restitution"]

    # The printable agenda.
    page.goto(f"{live_server.url}/labs/{lab.slug}/sessions/{session.number}/programme/")
    violations["print"] = serious_violations(page)
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".site-footer").is_hidden()
    page.emulate_media(media="screen")

    # Announce: everyone of the Lab is invited by mail, once.
    page.goto(live_server.url + session.get_absolute_url())
    page.get_by_role("link", name="Annoncer la session").click()
    violations["announce"] = serious_violations(page)
    page.get_by_role("button", name="Annoncer et envoyer les invitations").click()
    session.refresh_from_db()
    assert session.status == EventStatus.ANNOUNCED
    assert sorted(OutgoingMail.objects.values_list("to", flat=True)) == sorted(person.email for person in ambassadors)
    assert "invitation(s) envoyée(s)" in page.locator(".messages").text_content()

    assert violations == {name: [] for name in violations}


def test_agenda_works_with_javascript_off(live_server, browser, lab, resident):
    session = make_session(lab, number=1, start_date=next_monday(weeks=3))
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = logged_in(context.new_page(), live_server, resident)
    iso = session.start_date.isoformat()

    page.goto(live_server.url + session.get_absolute_url())
    form = page.locator(f"form[aria-labelledby='add-title-{iso}']")
    form.get_by_label("Début").fill("9h")
    form.get_by_label("Fin").fill("10h")
    form.get_by_label("Titre").fill("Veille")
    form.get_by_role("button", name="Ajouter ce temps").click()
    page.locator(".messages", has_text="« Veille » ajouté").wait_for()
    page.get_by_role("link", name="Modifier « Veille »").click()
    page.get_by_label("Titre").fill("Veille et prospective")
    page.get_by_role("button", name="Enregistrer").click()
    page.locator(".messages", has_text="« Veille et prospective » enregistré.").wait_for()
    page.get_by_role("link", name="Retirer « Veille et prospective »").click()
    page.get_by_role("button", name="Oui, retirer ce temps").click()
    page.locator(".messages", has_text="retiré du programme").wait_for()

    assert page.url.startswith(live_server.url + session.get_absolute_url())
    assert AgendaItem.objects.filter(session=session).count() == 0
    context.close()


def test_agenda_pages_for_use_without_javascript_are_accessible(live_server, page, lab, resident):
    # axe needs JavaScript: these are the pages a browser without it is sent to.
    session = make_session(lab, number=1, start_date=next_monday(weeks=3))
    item = make_agenda_item(session, title="Veille")
    base = f"{live_server.url}/labs/{lab.slug}/sessions/{session.number}/programme"
    logged_in(page, live_server, resident)
    violations = {}

    for path in ("ajouter/", f"{item.pk}/modifier/", f"{item.pk}/supprimer/"):
        page.goto(f"{base}/{path}")
        violations[path] = serious_violations(page)

    assert violations == {path: [] for path in violations}


def photo_file(tmp_path):
    path = tmp_path / "atelier.jpg"
    image = Image.new("RGB", (120, 90), (30, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (47.0, 45.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def test_resident_notes_who_came_and_writes_the_minutes(live_server, page, lab, resident, ambassadors, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    start = TODAY - datetime.timedelta(days=3)
    session = make_session(lab, number=2, start_date=start, end_date=start + datetime.timedelta(days=1), status=EventStatus.ANNOUNCED)
    make_agenda_item(session, title="Prototypage")
    for person in ambassadors:
        for day in session.days:
            Attendance.objects.create(session=session, ambassador=person, day=day, response=Attendance.Response.YES)
    logged_in(page, live_server, resident)
    violations = {}

    page.goto(live_server.url + session.get_absolute_url())
    page.get_by_role("link", name="Noter les présences").click()
    violations["attendance"] = serious_violations(page)
    first_day, second_day = (page.locator("thead th").nth(column).text_content() for column in (1, 2))
    page.get_by_label(f"Camille Durand, {first_day}").select_option(label="Présent·e")
    page.get_by_label(f"Camille Durand, {second_day}").select_option(label="Présent·e")
    page.get_by_label(f"Sacha Martin, {first_day}").select_option(label="Absent·e")
    page.get_by_role("button", name="Enregistrer les présences").click()
    session.refresh_from_db()
    assert session.status == EventStatus.HELD
    came = sorted(Attendance.objects.filter(attended=True).values_list("ambassador__first_name", flat=True))
    assert came == ["Camille", "Camille"]
    assert Attendance.objects.get(ambassador__first_name="Sacha", day=session.start_date).attended is False

    page.get_by_role("textbox", name="Compte rendu").fill("Deux jours au guichet unique ; trois pistes retenues.")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    page.locator("input[type=file][name=image]").set_input_files(str(photo_file(tmp_path)))
    page.get_by_label("Légende").fill("Le guichet unique au petit matin")
    page.get_by_role("button", name="Ajouter la photo").click()
    violations["closed"] = serious_violations(page)

    session.refresh_from_db()
    assert session.minutes == "Deux jours au guichet unique ; trois pistes retenues."
    assert page.locator(".minutes").text_content().strip() == session.minutes
    photo = page.get_by_role("img", name="Le guichet unique au petit matin")
    assert photo.evaluate("image => image.naturalWidth") == 120
    page.goto(f"{live_server.url}/labs/{lab.slug}/sessions/presences/")
    violations["rates"] = serious_violations(page)
    assert page.get_by_role("row", name="Camille Durand").text_content().count("100 %") == 1
    assert violations == {name: [] for name in violations}


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_ambassador_answers_per_day_from_the_session_page(live_server, lab, ambassadors, screen, request):
    page = request.getfixturevalue(screen)
    start = next_monday(weeks=2)
    session = make_session(lab, number=3, start_date=start, end_date=start + datetime.timedelta(days=1), title="Immersion")
    make_agenda_item(session, title="Entretiens avec des usagers")
    from sessions.services import announce_session

    announce_session(session=session)
    camille = ambassadors[0]
    logged_in(page, live_server, camille.user)
    first, second = session.days

    page.goto(live_server.url + session.get_absolute_url())
    before = serious_violations(page)
    answer = page.locator("form.answer-form")
    first_legend, second_legend = (answer.locator("legend").nth(index).text_content().strip() for index in (0, 1))
    answer.get_by_role("group", name=first_legend).get_by_label("Présent·e").check()
    answer.get_by_role("group", name=second_legend).get_by_label("Pas sûr·e").check()
    answer.get_by_role("button", name="Enregistrer ma réponse").click()

    responses = dict(Attendance.objects.filter(session=session, ambassador=camille).values_list("day", "response"))
    assert responses == {first: Attendance.Response.YES, second: Attendance.Response.MAYBE}
    assert "Merci, votre réponse est enregistrée." in page.locator(".messages").text_content()
    assert page.get_by_role("row", name="Camille Durand").text_content().count("Présent·e") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= (360 if screen == "phone_page" else 10_000)
    assert before == []
    assert serious_violations(page) == []
