"""From work to publication in a browser: a resident drafts the public report of a session from
its page, then an editor (a Wagtail moderator) logs in to the site's administration, opens it in
the editor and saves it unchanged, approves it, and the public reads it; the people who did not
consent and the Lab-only case stay out."""
import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from docs.models import SessionReportPage
from programmes.models import Visibility

from ..factories import make_agenda_item, make_ambassador, make_case, make_lab, make_resident, make_session, make_user
from .accessibility import serious_violations
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def session():
    lab = make_lab(name="La Transfo de Mulhouse", slug="transfo-mulhouse")
    make_ambassador(lab, first_name="Sacha", last_name="Vautrin", metier="Jardinier")
    hidden_case = make_case(lab, title="Réorganisation du service propreté", visibility=Visibility.LAB)
    session = make_session(
        lab,
        title="Immersion à l'accueil",
        minutes="Sacha Vautrin a guidé la visite. Nous avons aussi parlé de la Réorganisation du service propreté.",
    )
    make_agenda_item(
        session, title="Visite du guichet unique & café", kind="immersion", facilitators="Sacha Vautrin",
        description="Deux guichets <ouverts> « tout l'été » 🎉\nPuis un tour des bureaux.",
    )
    make_agenda_item(
        session, title="Atelier de restitution", kind="restitution",
        day=session.start_date + datetime.timedelta(days=1), case=hidden_case,
    )
    return session


def test_resident_drafts_a_session_report_and_an_editor_publishes_it(live_server, page, session):
    resident = make_resident(session.lab, user=make_user(first_name="Rosa", last_name="Lumière")).user
    moderator = make_user(first_name="Mona", last_name="Modératrice", password=PASSWORD)
    EmailAddress.objects.create(user=moderator, email=moderator.email, verified=True, primary=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))

    # The resident turns the session into a draft from its page.
    logged_in(page, live_server, resident)
    page.goto(live_server.url + session.get_absolute_url())
    page.get_by_role("button", name="Rédiger un compte rendu public").click()
    page.wait_for_url(re.compile(r".*/documentation/brouillon/\d+/$"))
    assert page.get_by_text("Le brouillon est créé et envoyé en relecture.").is_visible()
    assert serious_violations(page) == []
    report = SessionReportPage.objects.get(session=session)
    assert report.live is False

    # An editor logs in to the administration and approves it from their dashboard.
    page.context.clear_cookies()
    page.goto(live_server.url + "/cms/")
    page.get_by_label("E-mail").fill(moderator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(live_server.url + "/cms/")

    # They open the draft in the editor and save it as it is: nothing changes.
    drafted = report.get_latest_revision_as_object().body.raw_data
    page.goto(f"{live_server.url}/cms/pages/{report.pk}/edit/")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(rf".*/cms/pages/{report.pk}/edit/$"))
    report.refresh_from_db()
    assert list(report.get_latest_revision_as_object().body.raw_data) == list(drafted)
    page.goto(live_server.url + "/cms/")
    row = page.locator("#awaiting-review-section tr").filter(has_text=report.title)
    row.locator("[data-w-dropdown-target='toggle']").click()
    row.get_by_role("button", name="Approuver", exact=True).click()
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    for _attempt in range(50):
        if report.live:
            break
        page.wait_for_timeout(100)
        report.refresh_from_db()
    assert report.live is True

    # The public reads it: its agenda and minutes, nobody named without consent, no Lab-only case.
    page.context.clear_cookies()
    page.goto(live_server.url + report.url)
    main = page.get_by_role("main")
    assert main.get_by_role("heading", level=1).inner_text() == report.title
    text = main.inner_text()
    assert "Visite du guichet unique & café" in text and "Atelier de restitution" in text
    assert "Deux guichets <ouverts> « tout l'été » 🎉\nPuis un tour des bureaux." in text
    assert "a guidé la visite" in text
    assert "Vautrin" not in text
    assert "Réorganisation du service propreté" not in text
    assert serious_violations(page) == []
