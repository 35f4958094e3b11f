"""The Content-Security-Policy in the browser: script slipped into a page does not run, and the
two admins (Wagtail's page editor, the Django admin) still work under it.

Every browser test's page fails on a refusal of the policy (tests/conftest.py, csp_free_page):
the journeys (the session editor with htmx among them) are the proof that the platform's own
pages need nothing the policy forbids. These add what no journey covers.
"""
import re

import pytest

from programmes.models import Visibility

from ..docs.pages import make_article, paragraph
from ..factories import make_lab, make_session, make_user
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

INJECTED = "<script>window.pwned = 1;</script><p id=injected style='color: red'>injecté</p>"


def inject_into_answers(page, *, keep_policy=True):
    """Serve the site's real answers with an inline script (and a style attribute) slipped into
    their HTML, as text stored unescaped would be; with ``keep_policy=False`` the answer loses its
    Content-Security-Policy header, to show that the same script then runs."""

    def handle(route):
        response = route.fetch()
        headers = dict(response.headers)
        if not keep_policy:
            headers.pop("content-security-policy", None)
        body = response.text().replace("</main>", INJECTED + "</main>", 1)
        route.fulfill(response=response, body=body, headers=headers)

    page.route(lambda url: "/static/" not in url, handle)


@pytest.fixture
def public_pages():
    lab = make_lab(name="La Transfo de Mulhouse", slug="transfo-mulhouse")
    session = make_session(lab, visibility=Visibility.PUBLIC, title="Immersion à l'accueil")
    article = make_article(lab=lab, title="Des courriers que l'on comprend")
    return {"session": session.get_absolute_url(), "article": article.url, "documentation": "/documentation/"}


@pytest.mark.parametrize("kind", ["session", "article", "documentation"])
def test_a_script_slipped_into_a_page_does_not_run(live_server, browser, public_pages, kind):
    context = browser.new_context(locale="fr-FR")
    visitor = context.new_page()
    refused = []
    visitor.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    inject_into_answers(visitor)

    visitor.goto(live_server.url + public_pages[kind])

    assert visitor.locator("#injected").text_content() == "injecté"
    assert visitor.evaluate("window.pwned") is None
    # Nor does an injected style attribute apply.
    assert visitor.locator("#injected").evaluate("element => getComputedStyle(element).color") != "rgb(255, 0, 0)"
    assert any("script-src" in text for text in refused)
    context.close()


def test_without_the_policy_the_same_script_would_run(live_server, browser, public_pages):
    context = browser.new_context(locale="fr-FR")
    visitor = context.new_page()
    inject_into_answers(visitor, keep_policy=False)

    visitor.goto(live_server.url + public_pages["session"])

    assert visitor.evaluate("window.pwned") == 1
    context.close()


def test_an_editor_changes_a_page_in_the_wagtail_editor(live_server, page):
    article = make_article(
        title="Des courriers que l'on comprend", body=paragraph("<p>Nous avons lu le courrier à voix haute.</p>")
    )
    superuser = make_user(is_staff=True, is_superuser=True)
    logged_in(page, live_server, superuser)

    page.goto(f"{live_server.url}/cms/pages/{article.pk}/edit/")
    page.get_by_role("tab", name="Promotion").click()
    page.get_by_role("tab", name="Contenu").click()
    page.locator("#id_title").fill("Des courriers que tout le monde comprend")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r".*/cms/pages/\d+/edit/$"))

    article.refresh_from_db()
    assert article.get_latest_revision().content["title"] == "Des courriers que tout le monde comprend"
    assert page.locator(".messages").inner_text() != ""


def test_staff_edits_a_lab_in_the_django_admin(live_server, page):
    lab = make_lab(name="La Transfo de Mulhouse", slug="transfo-mulhouse")
    superuser = make_user(is_staff=True, is_superuser=True)
    logged_in(page, live_server, superuser)

    page.goto(f"{live_server.url}/django-admin/programmes/lab/{lab.pk}/change/")
    page.locator("#id_name").fill("La Transfo de Mulhouse-Alsace")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("networkidle")

    lab.refresh_from_db()
    assert lab.name == "La Transfo de Mulhouse-Alsace"
    assert page.url == f"{live_server.url}/django-admin/programmes/lab/"
