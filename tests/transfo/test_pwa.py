"""The installable app's manifest and worker, and which pages a phone may keep for offline."""
import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image

from common.offline import OFFLINE_HEADER

from ..factories import make_ambassador, make_case, make_lab, make_session, make_user

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_french_starts_at_my_cases_and_its_icons_exist(client):
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.content)

    assert response["Content-Type"] == "application/manifest+json"
    assert (manifest["name"], manifest["short_name"], manifest["start_url"]) == ("Transfo : journal des cas", "Transfo", "/mes-cas/")
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#8a2c0d"
    purposes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
        purposes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= purposes


def test_the_english_manifest_starts_at_the_english_my_cases(client):
    manifest = json.loads(client.get("/en/manifest.webmanifest").content)

    assert (manifest["lang"], manifest["start_url"]) == ("en", "/en/mes-cas/")


def test_the_worker_is_served_from_the_root_never_from_a_stale_copy(client):
    response = client.get("/sw.js")

    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert b'var VERSION = "' in response.content and b"{{" not in response.content


def test_logging_out_tells_the_browser_to_empty_what_it_kept(client):
    client.force_login(make_user())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_a_phone_keeps_the_pages_of_ones_own_cases_and_sessions_only(client):
    lab = make_lab()
    own, other = make_case(lab, slug="mien"), make_case(lab, slug="autre")
    session = make_session(lab)
    camille, dominique = make_user(), make_user()
    own.team.add(make_ambassador(lab, user=camille))
    make_ambassador(lab, user=dominique)

    client.force_login(camille)
    camille_pages = [client.get(url) for url in ("/mes-cas/", own.get_absolute_url(), own.get_absolute_url() + "journal/nouveau/", session.get_absolute_url())]
    camille_other_case = client.get(other.get_absolute_url())
    client.force_login(dominique)
    dominique_my_cases = client.get("/mes-cas/")

    keys = {response[OFFLINE_HEADER] for response in camille_pages}
    assert [response.status_code for response in camille_pages] == [200, 200, 200, 200]
    assert len(keys) == 1 and "" not in keys
    # A case of the Lab that is not theirs is read, not kept.
    assert camille_other_case.status_code == 200 and OFFLINE_HEADER not in camille_other_case
    assert dominique_my_cases[OFFLINE_HEADER] not in keys
    assert camille_pages[0]["Cache-Control"] == "private, no-cache"
