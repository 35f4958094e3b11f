"""A visitor reads the public site with a keyboard, on a phone, in French and English."""
import pytest
from allauth.account.models import EmailAddress

from ..factories import make_user
from .accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]




@pytest.mark.parametrize("path", ["/", "/documentation/", "/accounts/login/", "/en/", "/cette-page-n-existe-pas/"])
def test_public_page_has_no_serious_accessibility_violation(live_server, page, path):
    page.goto(live_server.url + path)

    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_public_page_fits_a_phone_screen(live_server, phone_page, path):
    phone_page.goto(live_server.url + path)

    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    assert serious_violations(phone_page) == []


def test_skip_link_is_the_first_stop_of_the_keyboard_and_leads_to_the_content(live_server, page):
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")

    assert focused == "Aller au contenu"
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_visitor_switches_the_site_to_english_and_back(live_server, page):
    page.goto(live_server.url + "/documentation/")

    page.get_by_role("button", name="English").click()
    english_url = page.url
    english_skip_link = page.locator(".skip-link").text_content()
    page.get_by_role("button", name="Français").click()

    assert english_url == live_server.url + "/en/documentation/"
    assert english_skip_link == "Skip to content"
    assert page.url == live_server.url + "/documentation/"
    assert page.locator(".skip-link").text_content() == "Aller au contenu"


def test_staff_member_logs_in_through_the_single_login_and_reaches_the_admin(live_server, page):
    user = make_user(password="un-mot-de-passe-solide", is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    page.goto(live_server.url + "/django-admin/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill("un-mot-de-passe-solide")
    page.get_by_role("button", name="Connexion").click()

    assert page.url == live_server.url + "/django-admin/"
    assert page.get_by_role("heading", level=1).first.text_content() != ""
