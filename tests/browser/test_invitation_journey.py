"""Journey 1, its invitation part: a resident invites someone, who opens the mail's link and joins."""
import re

import pytest
from allauth.account.models import EmailAddress

from ambassadors.models import Ambassador
from outbox.models import OutgoingMail
from programmes.models import LabMembership

from ..factories import make_ambassador, make_lab, make_user
from .accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LINK = re.compile(r"https?://[^\s\"<]+/invitations/[\w-]+/")



def log_in(page, base_url, user, password):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


@pytest.fixture
def lab():
    lab = make_lab(slug="mulhouse", name="La Transfo de Mulhouse")
    make_ambassador(lab, first_name="Alex", last_name="Déjàlà", email="alex@ville.example")
    return lab


@pytest.fixture
def resident(lab):
    user = make_user(password="un-mot-de-passe-solide", first_name="Rémi", last_name="Résident")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    LabMembership.objects.create(lab=lab, user=user, role=LabMembership.Role.RESIDENT)
    return user


def test_resident_invites_someone_who_sets_a_password_and_lands_in_mon_espace(
    live_server, browser, page, csp_free_page, lab, resident, settings
):
    # The mailed link names the public address: here, the test's server.
    settings.TRANSFO_PUBLIC_URL = live_server.url
    log_in(page, live_server.url, resident, "un-mot-de-passe-solide")
    page.goto(live_server.url + "/labs/mulhouse/ambassadeurs/")
    assert serious_violations(page) == []

    invite = page.locator("#inviter")
    invite.get_by_label(re.compile("^Prénom")).fill("Claude")
    invite.get_by_label(re.compile("^Nom")).fill("Martin")
    invite.get_by_label("E-mail").fill("claude.martin@ville.example")
    invite.get_by_label("Métier").fill("Jardinier")
    invite.get_by_label("Direction / service").fill("Espaces verts")
    invite.get_by_label("Ambassadeur·rice").check()
    invite.get_by_role("button", name="Envoyer l'invitation").click()

    assert page.get_by_text("Invitation envoyée à Claude Martin.").is_visible()
    row = page.get_by_role("row", name=re.compile("Claude Martin"))
    assert "Invité·e le" in row.text_content()

    link = LINK.search(OutgoingMail.objects.get(to="claude.martin@ville.example").body_text).group(0)
    invitee_context = browser.new_context(locale="fr-FR")
    try:
        invitee = csp_free_page(invitee_context.new_page())
        invitee.goto(link)
        assert invitee.get_by_role("heading", level=1).text_content() == "Invitation à rejoindre La Transfo de Mulhouse"
        assert serious_violations(invitee) == []

        invitee.get_by_label("Mot de passe (facultatif)").fill("un-jardin-extraordinaire-42")
        invitee.get_by_label("Le même mot de passe, une seconde fois").fill("un-jardin-extraordinaire-42")
        invitee.get_by_role("button", name="Accepter l'invitation").click()

        assert invitee.url == live_server.url + "/espace/"
        assert invitee.get_by_role("heading", level=1).text_content() == "Mon espace"
        assert invitee.get_by_role("button", name="Se déconnecter").is_visible()
    finally:
        invitee_context.close()

    assert Ambassador.objects.get(email="claude.martin@ville.example").user.email == "claude.martin@ville.example"
    page.reload()
    assert "A rejoint le labo" in page.get_by_role("row", name=re.compile("Claude Martin")).text_content()


def test_a_bad_csv_shows_every_error_with_its_line_and_an_accessible_page(live_server, page, lab, resident, tmp_path):
    csv_file = tmp_path / "ambassadeurs.csv"
    csv_file.write_text(
        "prénom;nom;e-mail;métier;direction\n"
        "Claude;Martin;claude.martin@ville.example;Jardinier;Espaces verts\n"
        "Dominique;Bernard;pas-une-adresse;Agente d'accueil;Relation usagers\n",
        encoding="utf-8",
    )
    log_in(page, live_server.url, resident, "un-mot-de-passe-solide")
    page.goto(live_server.url + "/labs/mulhouse/ambassadeurs/")

    page.locator("#importer").get_by_label("Fichier CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Importer et inviter").click()

    errors = page.locator("#import-errors")
    assert "Ligne 3 : l'adresse e-mail « pas-une-adresse » n'est pas valide." in errors.text_content()
    assert serious_violations(page) == []
    assert not Ambassador.objects.filter(email="claude.martin@ville.example").exists()


def test_an_ambassador_reads_the_list_on_a_phone(live_server, phone_page, lab):
    user = make_user(password="un-mot-de-passe-solide")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    make_ambassador(lab, user=user, first_name="Sam", last_name="Téléphone")

    log_in(phone_page, live_server.url, user, "un-mot-de-passe-solide")
    phone_page.goto(live_server.url + "/labs/mulhouse/ambassadeurs/")

    assert phone_page.get_by_role("row", name=re.compile("Sam Téléphone")).is_visible()
    assert phone_page.get_by_role("heading", name="Inviter une personne").count() == 0
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone_page) == []


def test_a_resident_can_invite_from_a_phone(live_server, phone_page, lab, resident):
    log_in(phone_page, live_server.url, resident, "un-mot-de-passe-solide")
    phone_page.goto(live_server.url + "/labs/mulhouse/ambassadeurs/")

    assert phone_page.get_by_role("button", name="Envoyer l'invitation").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone_page) == []
