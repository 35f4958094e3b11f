"""One setting, TRANSFO_PUBLIC_URL, is the only address the API, feeds, sitemap, open data and mails give."""
import io
import json
import re
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Site

from common.public_url import sync_default_site
from docs.opendata import BUNDLE_STORAGE_NAME, write_bundle
from outbox.models import OutgoingMail
from programmes.models import LICENCE_URLS, LabMembership

from ..factories import make_lab, make_user
from .helpers_opendata import published

pytestmark = pytest.mark.django_db

PUBLIC = "https://transfo.example.org"
URL = re.compile(r"""https?://[^\s"'<>\\]+""")


# Addresses of others a page or a file names on purpose: licences, XML and vocabulary namespaces.
ELSEWHERE = {re.match(r"https?://[^/]+", url).group(0) for url in LICENCE_URLS.values()} | {
    "http://www.w3.org", "https://www.w3.org", "http://www.sitemaps.org", "https://schema.org", "http://purl.org",
    "http://backend.userland.com", "http://xmlns.com", "https://www.iana.org", "http://publications.europa.eu",
    "https://specs.frictionlessdata.io", "https://frictionlessdata.io", "http://search.yahoo.com", "https://spdx.org",
}


def hosts_in(text):
    """Every scheme and host that an absolute URL of ``text`` names, but for the addresses of others."""
    return {re.match(r"https?://[^/]+", url).group(0) for url in URL.findall(text)} - ELSEWHERE


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def public_address():
    with override_settings(TRANSFO_PUBLIC_URL=PUBLIC):
        yield


def test_the_default_site_follows_the_setting():
    assert sync_default_site() is False  # already done after migrate
    with override_settings(TRANSFO_PUBLIC_URL="https://docs.example.org:8443/"):
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.port) == ("docs.example.org", 8443)
    with override_settings(TRANSFO_PUBLIC_URL=PUBLIC):
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.port) == ("transfo.example.org", 443)
        assert site.root_url == PUBLIC


def test_api_gives_only_the_public_address(client, public_address):
    page = published("Une page ouverte")

    listing = client.get("/api/v2/pages/", {"type": "docs.ArticlePage", "fields": "*"}, HTTP_HOST="10.0.0.5")
    detail = client.get(f"/api/v2/pages/{page.pk}/", HTTP_HOST="10.0.0.5")
    found = client.get("/api/v2/pages/find/", {"html_path": page.url}, HTTP_HOST="10.0.0.5")

    item = listing.json()["items"][0]
    assert item["meta"]["detail_url"] == f"{PUBLIC}/api/v2/pages/{page.pk}/"
    assert item["meta"]["html_url"] == PUBLIC + page.url
    assert found.status_code == 302
    assert found["Location"].rstrip("?") == f"{PUBLIC}/api/v2/pages/{page.pk}/"
    assert hosts_in(listing.content.decode() + detail.content.decode()) == {PUBLIC}


def test_feeds_and_sitemap_give_only_the_public_address(client, public_address):
    published("Une page ouverte")

    for name in ("opendata:feed_rss", "opendata:feed_atom"):
        assert hosts_in(client.get(reverse(name), HTTP_HOST="10.0.0.5").content.decode()) == {PUBLIC}
    assert hosts_in(client.get("/sitemap.xml", HTTP_HOST="10.0.0.5").content.decode()) == {PUBLIC}
    assert hosts_in(client.get("/robots.txt", HTTP_HOST="10.0.0.5").content.decode()) == {PUBLIC}


def test_open_data_bundle_gives_only_the_public_address(media_root, public_address):
    published("Une page ouverte")

    write_bundle()

    with default_storage.open(BUNDLE_STORAGE_NAME, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    texts = "\n".join(archive.read(name).decode() for name in archive.namelist() if not name.startswith("images/"))
    assert hosts_in(texts) == {PUBLIC}
    assert json.loads(archive.read("documentation.json"))["items"][0]["url"].startswith(PUBLIC + "/")


def test_open_data_page_and_catalogue_give_only_the_public_address(client, media_root, public_address):
    published("Une page ouverte")

    for url in (reverse("opendata:index"), reverse("opendata:catalogue")):
        assert hosts_in(client.get(url, HTTP_HOST="10.0.0.5").content.decode()) == {PUBLIC}


def test_a_mail_sent_from_a_page_links_to_the_public_address(client, public_address):
    lab = make_lab(slug="mulhouse")
    resident = make_user()
    LabMembership.objects.create(lab=lab, user=resident, role=LabMembership.Role.RESIDENT)
    client.force_login(resident)

    client.post(f"/labs/{lab.slug}/ambassadeurs/inviter/", {
        "invite-first_name": "Claude", "invite-last_name": "Martin", "invite-email": "claude.martin@ville.example",
        "invite-metier": "Jardinier", "invite-direction": "Espaces verts", "invite-circle": "ambassador",
    }, HTTP_HOST="10.0.0.5")

    mail = OutgoingMail.objects.get()
    assert hosts_in(mail.body_text + mail.body_html) == {PUBLIC}


def test_calendars_and_their_subscription_page_give_only_the_public_address(client, public_address):
    from sessions.models import CalendarFeedToken

    from ..factories import make_session

    lab = make_lab(slug="grandval")
    make_session(lab)
    resident = make_user()
    LabMembership.objects.create(lab=lab, user=resident, role=LabMembership.Role.RESIDENT)
    client.force_login(resident)

    subscription = client.get(reverse("calendar_feeds:subscription"), HTTP_HOST="10.0.0.5").content.decode()
    token = CalendarFeedToken.objects.get(user=resident).token
    feed = client.get(reverse("calendar_feeds:personal", kwargs={"token": token}), HTTP_HOST="10.0.0.5").content.decode()

    assert PUBLIC in feed
    assert hosts_in(feed) == {PUBLIC}
    # The subscription page offers the same address as https:// and as webcal:// (the calendar apps' own).
    assert hosts_in(subscription) == {PUBLIC}
    assert "webcal://transfo.example.org/" in subscription
