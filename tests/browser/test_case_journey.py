"""Journey 5 on a phone: an ambassador logs a journal entry with a photo; a resident moves the case on the board."""
import io

import pytest
from PIL import Image

from cases.models import Attachment, Case, Stage

from ..factories import make_ambassador, make_case, make_lab, make_resident, make_user
from .accessibility import serious_violations
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# True once the image has loaded with real pixels, false if it fails to load.
IMAGE_LOADED = """img => (img.complete && img.naturalWidth > 0) || new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth > 0));
    img.addEventListener("error", () => done(false));
})"""


@pytest.fixture
def case():
    lab = make_lab(name="La Transfo de Mulhouse")
    case = make_case(lab, title="Accueil des usagers en mairie", slug="accueil")
    return case


def photo_file(tmp_path):
    path = tmp_path / "atelier.jpg"
    output = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 90)).save(output, format="JPEG")
    path.write_bytes(output.getvalue())
    return path


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_ambassador_logs_an_entry_with_a_photo_and_sees_it_on_the_timeline(live_server, phone_page, case, tmp_path):
    user = make_user(first_name="Camille", last_name="Durand")
    case.team.add(make_ambassador(case.lab, user=user))
    logged_in(phone_page, live_server, user)
    phone_page.goto(live_server.url + case.get_absolute_url())
    case_page_violations = serious_violations(phone_page)
    case_page_fits = fits_the_phone(phone_page)

    phone_page.get_by_role("link", name="Ajouter une entrée au journal").click()
    form_violations = serious_violations(phone_page)
    form_fits = fits_the_phone(phone_page)
    phone_page.get_by_label("Ce que nous avons fait").fill("Atelier avec les agents d'accueil.")
    phone_page.get_by_label("Prochaines étapes").fill("Tester le nouveau parcours.")
    phone_page.get_by_label("Photos et fichiers").set_input_files(str(photo_file(tmp_path)))
    phone_page.get_by_role("button", name="Enregistrer l'entrée").click()

    assert (case_page_violations, form_violations) == ([], [])
    assert case_page_fits and form_fits
    assert phone_page.get_by_role("status").text_content().strip() == "Entrée ajoutée au journal de bord."
    entry = phone_page.locator(".timeline .journal-entry").first
    assert "Atelier avec les agents d'accueil." in entry.text_content()
    thumbnail = entry.get_by_role("img", name="atelier.jpg")
    # Thumbnails load lazily: bring it into view, then wait for it to load or fail.
    thumbnail.scroll_into_view_if_needed()
    assert thumbnail.evaluate(IMAGE_LOADED)
    assert Attachment.objects.get().kind == "photo"
    assert fits_the_phone(phone_page)
    assert serious_violations(phone_page) == []


def test_resident_moves_the_case_on_the_board(live_server, phone_page, case):
    resident = make_resident(case.lab).user
    logged_in(phone_page, live_server, resident)
    phone_page.goto(live_server.url + f"/labs/{case.lab.slug}/cas/")
    board_violations = serious_violations(phone_page)
    board_fits = fits_the_phone(phone_page)

    phone_page.get_by_label("Déplacer vers : Accueil des usagers en mairie").select_option(label="Idéation")
    phone_page.get_by_role("button", name="Déplacer Accueil des usagers en mairie").click()

    case.refresh_from_db()
    assert board_violations == []
    assert board_fits
    assert case.stage == Stage.IDEATION
    assert phone_page.url == live_server.url + f"/labs/{case.lab.slug}/cas/"
    column = phone_page.get_by_role("region", name="Idéation (1)")
    assert "Accueil des usagers en mairie" in column.text_content()
    assert serious_violations(phone_page) == []


def test_resident_opens_a_case_with_its_team_then_changes_the_team(live_server, phone_page, case):
    lab = case.lab
    resident = make_resident(lab).user
    camille = make_ambassador(lab, first_name="Camille", last_name="Durand", metier="Agente d'accueil")
    dominique = make_ambassador(lab, first_name="Dominique", last_name="Martin", metier="Bibliothécaire")
    logged_in(phone_page, live_server, resident)
    phone_page.goto(live_server.url + f"/labs/{lab.slug}/cas/")

    phone_page.get_by_role("link", name="Nouveau cas").click()
    form_violations = serious_violations(phone_page)
    form_fits = fits_the_phone(phone_page)
    phone_page.get_by_label("Titre").fill("Inscriptions à la cantine")
    phone_page.get_by_label("Problématique").fill("Les familles remplissent trois formulaires.")
    phone_page.get_by_label("Mots-clés").fill("restauration scolaire, démarches")
    phone_page.get_by_label("Partagé avec le programme").check()
    phone_page.get_by_label("Camille Durand — Agente d'accueil").check()
    phone_page.get_by_role("button", name="Créer le cas").click()

    created = Case.objects.get(title="Inscriptions à la cantine")
    assert (form_violations, form_fits) == ([], True)
    assert phone_page.url == live_server.url + created.get_absolute_url()
    assert phone_page.get_by_role("status").text_content().strip() == "Cas « Inscriptions à la cantine » créé."
    assert (created.stage, created.visibility) == (Stage.FRAMING, "programme")
    assert list(created.team.all()) == [camille]
    assert serious_violations(phone_page) == []

    phone_page.get_by_role("link", name="Modifier l'équipe").click()
    team_violations = serious_violations(phone_page)
    phone_page.get_by_label("Camille Durand — Agente d'accueil").uncheck()
    phone_page.get_by_label("Dominique Martin — Bibliothécaire").check()
    phone_page.get_by_role("button", name="Enregistrer l'équipe").click()

    assert team_violations == []
    assert list(created.team.all()) == [dominique]
    assert "Dominique Martin" in phone_page.get_by_role("region", name="Équipe").text_content()


def test_ambassador_browses_the_programme_cases_by_tag(live_server, page, case):
    user = make_user()
    make_ambassador(case.lab, user=user)
    case.tags.add("accueil")
    other_lab = make_lab(name="La Transfo de Dunkerque", programme=case.lab.programme)
    shared = make_case(other_lab, title="Guichet unique", visibility="programme")
    shared.tags.add("accueil")
    make_case(other_lab, title="Cantines", visibility="programme").tags.add("restauration")
    logged_in(page, live_server, user)
    page.goto(live_server.url + "/")

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Cas du programme").click()
    list_violations = serious_violations(page)
    page.get_by_label("Mot-clé").select_option(label="accueil")
    page.get_by_role("button", name="Filtrer").click()

    assert list_violations == []
    rows = page.locator("table.case-list tbody tr")
    assert sorted(rows.locator("th").all_text_contents()) == ["Accueil des usagers en mairie", "Guichet unique"]
    assert "tag=accueil" in page.url
    assert serious_violations(page) == []


def test_ambassador_pages_back_through_a_long_journal_on_the_phone(live_server, phone_page, case):
    import datetime

    from ..factories import make_entry

    user = make_user()
    case.team.add(make_ambassador(case.lab, user=user))
    for day in range(12):
        make_entry(case, entry_date=datetime.date(2016, 9, 1) + datetime.timedelta(days=day), done=f"Jour {day + 1} de terrain")
    logged_in(phone_page, live_server, user)
    phone_page.goto(live_server.url + case.get_absolute_url())
    first_page = phone_page.locator(".journal-entry").count()

    phone_page.get_by_role("link", name="Entrées plus anciennes").click()

    assert first_page == 10
    assert phone_page.get_by_text("Page 2 sur 2").is_visible()
    assert phone_page.locator(".journal-entry .journal-text").all_inner_texts() == ["Jour 2 de terrain", "Jour 1 de terrain"]
    assert fits_the_phone(phone_page)
    assert serious_violations(phone_page) == []
    phone_page.get_by_role("link", name="Entrées plus récentes").click()
    assert phone_page.locator(".journal-entry").count() == 10
