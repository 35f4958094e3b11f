"""sitemap.xml lists every public page in French and English; robots.txt keeps robots out of the rest."""
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..queries import exactly
from .helpers_opendata import article, private, published, unpublished

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def sitemap_urls(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.findtext(f"{SITEMAP}loc"): {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        for url in root.findall(f"{SITEMAP}url")
    }


def test_sitemap_lists_live_public_pages_in_both_languages_only(client):
    public = published("Ouvert à tous")
    hidden = [article("Brouillon"), private("Réservé"), unpublished("Retiré")]

    urls = sitemap_urls(client)

    base = settings.TRANSFO_PUBLIC_URL
    assert f"{base}{public.url}" in urls
    assert f"{base}/en{public.url}" in urls
    assert f"{base}/" in urls and f"{base}/documentation/" in urls
    assert f"{base}{reverse('opendata:index')}" in urls
    for page in hidden:
        assert not any(f"/{page.slug}/" in url for url in urls), page.title


def test_sitemap_gives_each_page_its_alternates_and_french_as_default(client):
    public = published("Ouvert à tous")

    alternates = sitemap_urls(client)[f"{settings.TRANSFO_PUBLIC_URL}{public.url}"]

    assert alternates == {
        "fr": f"{settings.TRANSFO_PUBLIC_URL}{public.url}",
        "en": f"{settings.TRANSFO_PUBLIC_URL}/en{public.url}",
        "x-default": f"{settings.TRANSFO_PUBLIC_URL}{public.url}",
    }


def test_robots_txt_points_to_the_sitemap_and_keeps_robots_out_of_private_areas(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for prefix in ("/cms/", "/django-admin/", "/accounts/", "/compte/", "/labs/", "/mes-cas/", "/calendrier/",
                   "/en/accounts/", "/en/labs/", "/en/calendrier/"):
        assert f"Disallow: {prefix}" in lines
    assert "Disallow: /documentation/" not in lines
    assert f"Sitemap: {settings.TRANSFO_PUBLIC_URL}/sitemap.xml" in lines


def test_robots_txt_refuses_post(client):
    assert client.post("/robots.txt").status_code == 405


SITEMAP_QUERIES = exactly(3)


def test_sitemap_query_count_does_not_grow_with_the_pages(client, django_assert_num_queries):
    published("Une")
    client.get("/sitemap.xml")  # the site's root paths are cached from now on
    with django_assert_num_queries(SITEMAP_QUERIES):
        client.get("/sitemap.xml")
    for number in range(2):
        published(f"Page {number}")
    with django_assert_num_queries(SITEMAP_QUERIES):
        response = client.get("/sitemap.xml")

    assert response.content.count(b"<url>") == 2 * (2 + 3 + 1 + 1)  # home, index, pages, Lab index, open data


def test_home_and_index_pages_carry_the_date_of_the_latest_page_below_them(client):
    published("Une page plus ancienne")
    latest = published("La dernière page publiée")

    root = ET.fromstring(client.get("/sitemap.xml").content)
    lastmod = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root.findall(f"{SITEMAP}url")}

    base = settings.TRANSFO_PUBLIC_URL
    expected = timezone.localtime(latest.last_published_at).date().isoformat()
    assert lastmod[f"{base}{latest.url}"] == expected
    assert lastmod[f"{base}/"] == lastmod[f"{base}/documentation/"] == lastmod[f"{base}/en/documentation/"] == expected
