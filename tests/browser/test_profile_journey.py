"""A person opens their account, changes their name and public consent, and finds their data to download."""
import pytest

from ambassadors.models import Ambassador

from ..factories import make_ambassador, make_lab, make_user
from .accessibility import serious_violations
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def ambassador():
    user = make_user(first_name="Camille", last_name="Durand")
    make_ambassador(make_lab(name="La Transfo de Mulhouse"), user=user, first_name="Camille", last_name="Durand")
    return user


def test_ambassador_edits_name_and_consent_then_finds_the_download(live_server, page, ambassador):
    logged_in(page, live_server, ambassador)
    page.goto(live_server.url + "/compte/")
    violations_before = serious_violations(page)

    page.get_by_label("Prénom").fill("Camila")
    page.get_by_label("J'accepte que mon nom et ma photo apparaissent sur les pages publiques").check()
    page.get_by_role("button", name="Enregistrer mon profil").click()

    ambassador.refresh_from_db()
    row = Ambassador.objects.get(user=ambassador)
    assert violations_before == []
    assert page.url == live_server.url + "/compte/"
    assert page.get_by_role("status").text_content().strip() == "Votre profil est enregistré."
    assert page.get_by_label("Prénom").input_value() == "Camila"
    assert page.get_by_label("J'accepte que mon nom et ma photo apparaissent sur les pages publiques").is_checked()
    assert (ambassador.first_name, row.first_name, row.public_consent) == ("Camila", "Camila", True)
    assert page.get_by_role("link", name="Télécharger mes données").get_attribute("href") == "/compte/donnees.json"
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/compte/", "/compte/effacement/", "/compte/effacement/termine/"])
def test_account_pages_fit_a_phone_screen(live_server, phone_page, ambassador, path):
    logged_in(phone_page, live_server, ambassador)
    phone_page.goto(live_server.url + path)

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone_page) == []


def test_profile_form_errors_are_announced_and_accessible(live_server, page, ambassador):
    logged_in(page, live_server, ambassador)
    page.goto(live_server.url + "/compte/")

    page.get_by_label("Prénom").fill("")
    # The browser would stop an empty required field: this checks the server's answer too.
    page.evaluate("document.querySelector('form.account-form').noValidate = true")
    page.get_by_role("button", name="Enregistrer mon profil").click()

    assert page.get_by_label("Prénom").get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []
