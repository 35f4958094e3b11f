"""A visitor reads the public site with a keyboard, on a phone, in French and English."""
import pytest
from allauth.account.models import EmailAddress

from programmes.models import Visibility

from ..docs.pages import make_article, make_case_story, make_faq, make_fiche, make_lab_page, make_session_report, paragraph, point
from ..factories import make_ambassador, make_case, make_lab, make_session, make_user
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


def _documentation():
    """One page of each kind, as a visitor finds them: returns their URLs by kind."""
    lab = make_lab(name="La Transfo de Mulhouse", slug="mulhouse")
    make_ambassador(lab=lab, first_name="Inès", last_name="Consentante", public_consent=True)
    case = make_case(lab=lab, title="Réinventer l'accueil", visibility=Visibility.PUBLIC)
    session = make_session(lab=lab, visibility=Visibility.PUBLIC)
    pages = {
        "article": make_article(
            lab=lab, title="Des courriers que l'on comprend", intro="Réécrire une relance avec les usagers.",
            body=paragraph("<p>Nous avons lu le courrier à voix haute avec des usagers volontaires.</p>"),
            tags=["langage clair", "prototypage"],
        ),
        "report": make_session_report(lab=lab, session=session, title="Session n° 0 : faire connaissance",
                                      body=paragraph("<p>Trois jours pour se rencontrer.</p>"), tags=["lancement"]),
        "story": make_case_story(lab=lab, case=case, problem="Une file d'attente sans fin.", tags=["accueil"]),
        "fiche": make_fiche(lab=lab, title="Fiche : impliquer les agents",
                            hypotheses=[point("Les agents savent.", sessions=[session], cases=[case])]),
        "faq": make_faq(title="Questions fréquentes"),
        "lab": make_lab_page(lab, title="La Transfo de Mulhouse", intro="Première Transfo du programme."),
    }
    return {kind: documentation_page.url for kind, documentation_page in pages.items()}


def test_documentation_pages_have_no_serious_accessibility_violation(live_server, page):
    urls = _documentation()

    for kind in ("article", "report", "story", "fiche", "faq", "lab"):
        page.goto(live_server.url + urls[kind])
        assert serious_violations(page) == [], kind
    for path in ("/", "/documentation/", "/documentation/?type=article", "/documentation/tag/accueil/",
                 "/documentation/recherche/?q=courrier", "/transfos/"):
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path


def test_visitor_finds_an_article_by_searching_a_word_of_its_body(live_server, page):
    urls = _documentation()

    page.goto(live_server.url + "/documentation/")
    page.get_by_label("Rechercher dans la documentation").fill("volontaires")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Des courriers que l'on comprend").click()

    assert page.url == live_server.url + urls["article"]
    assert page.get_by_role("heading", level=1).text_content() == "Des courriers que l'on comprend"


def test_visitor_finds_an_article_by_its_tag(live_server, page):
    urls = _documentation()

    page.goto(live_server.url + urls["article"])
    page.get_by_role("link", name="prototypage").click()
    heading = page.get_by_role("heading", level=1).text_content()
    page.get_by_role("link", name="Des courriers que l'on comprend").click()

    assert heading == "Mot-clé « prototypage »"
    assert page.url == live_server.url + urls["article"]


def test_visitor_filters_the_documentation_without_javascript(live_server, browser):
    _documentation()
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    visitor = context.new_page()

    visitor.goto(live_server.url + "/documentation/")
    visitor.get_by_label("Type").select_option(label="fiches « code source »")
    visitor.get_by_role("button", name="Appliquer les filtres").click()
    titles = visitor.locator(".card__title").all_text_contents()
    context.close()

    assert [title.strip() for title in titles] == ["Fiche : impliquer les agents"]


@pytest.mark.parametrize("kind", ["article", "fiche", "lab"])
def test_documentation_pages_fit_a_phone_screen(live_server, phone_page, kind):
    urls = _documentation()

    phone_page.goto(live_server.url + urls[kind])

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone_page) == []


def test_documentation_index_fits_a_phone_screen(live_server, phone_page):
    _documentation()

    phone_page.goto(live_server.url + "/documentation/")

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
