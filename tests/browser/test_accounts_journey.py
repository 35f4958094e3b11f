"""An invited agent joins without a password, comes back with a code, and sees their Lab only."""
import re

import pytest
from django.core import mail

from ambassadors.services import invite_ambassador
from outbox.models import OutgoingMail

from ..factories import make_case, make_lab, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LINK = re.compile(r"https?://[^\s\"<]+/invitations/[\w-]+/")
CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)


def test_invited_agent_accepts_logs_in_by_code_and_sees_only_their_lab(live_server, page):
    lab = make_lab(slug="dunkerque", name="La Transfo de Dunkerque")
    other_lab = make_lab(slug="metz", name="La Transfo de Metz")
    make_case(other_lab, title="Un cas de Metz")
    invite_ambassador(
        lab=lab, first_name="Sacha", last_name="Agent", email="sacha@ville.example", metier="Agent d'accueil",
        direction="Relation usagers", circle="ambassador", invited_by=make_user(), base_url=live_server.url,
    )
    link = LINK.search(OutgoingMail.objects.get(to="sacha@ville.example").body_text).group(0)

    page.goto(link)
    page.get_by_role("button", name="Accepter l'invitation").click()
    page.wait_for_url(live_server.url + "/espace/")
    page.get_by_role("button", name="Se déconnecter").click()
    # The phone's offline copies are emptied before the logout is posted: wait for its answer.
    page.get_by_role("link", name="Se connecter").wait_for()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Recevoir un code de connexion").click()
    page.get_by_label("E-mail").fill("sacha@ville.example")
    page.get_by_role("button", name="Demander un code").click()
    page.wait_for_url(live_server.url + "/accounts/login/code/confirm/")
    code = CODE.search(mail.outbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_load_state()

    page.goto(live_server.url + "/labs/")
    my_labs = [name.strip() for name in page.locator(".card__title").all_text_contents()]
    response = page.goto(live_server.url + "/labs/metz/")

    assert my_labs == ["La Transfo de Dunkerque"]
    assert response.status == 404
    assert "Un cas de Metz" not in page.content()
