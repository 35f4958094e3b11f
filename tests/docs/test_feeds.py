"""RSS and Atom feeds of the documentation: valid XML, only what the public may read."""
import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from common.page_cache import clear_page_cache
from docs.models import DocumentationIndexPage
from programmes.models import Licence

from ..queries import exactly
from ..factories import make_lab
from .helpers_opendata import article, make_image, private, published, unpublished
from .pages import make_faq

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


@pytest.fixture
def pages():
    lab = make_lab()
    other_lab = make_lab()
    return {
        "lab": lab,
        "other_lab": other_lab,
        "public": published(
            "Le lancement à Mulhouse", lab=lab, tags=("lancement", "ambassadeurs"), authors="Camille et Noé",
            intro="Vingt agents, <b>vingt</b> métiers.", licence=Licence.CC_BY_4,
        ),
        "other": published("Une immersion ailleurs", lab=other_lab),
        "draft": article("Brouillon jamais publié", lab=lab),
        "private": private("Réservé aux connectés", lab=lab),
        "unpublished": unpublished("Retiré de la publication", lab=lab),
    }


def test_rss_feed_lists_only_live_public_pages(client, pages):
    _channel, items = rss_items(client, reverse("opendata:feed_rss"))

    assert sorted(item.findtext("title") for item in items) == ["Le lancement à Mulhouse", "Une immersion ailleurs"]


def test_rss_item_gives_link_plain_summary_author_date_and_tags(client, pages):
    _channel, items = rss_items(client, reverse("opendata:feed_rss"))
    item = next(item for item in items if item.findtext("title") == "Le lancement à Mulhouse")

    assert item.findtext("link") == settings.TRANSFO_PUBLIC_URL + pages["public"].url
    assert item.findtext("description") == "Vingt agents, vingt métiers."
    assert "Camille et Noé" in item.findtext("{http://purl.org/dc/elements/1.1/}creator", "") + item.findtext("author", "")
    assert item.findtext("pubDate")
    assert sorted(category.text for category in item.findall("category")) == ["ambassadeurs", "lancement"]


def test_atom_feed_lists_only_live_public_pages_with_their_licence(client, pages):
    feed, entries = atom_entries(client, reverse("opendata:feed_atom"))

    assert feed.findtext(f"{ATOM}title")
    titles = sorted(entry.findtext(f"{ATOM}title") for entry in entries)
    assert titles == ["Le lancement à Mulhouse", "Une immersion ailleurs"]
    entry = next(entry for entry in entries if entry.findtext(f"{ATOM}title") == "Le lancement à Mulhouse")
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Camille et Noé"
    assert entry.findtext(f"{ATOM}rights") == "CC BY 4.0 — https://creativecommons.org/licenses/by/4.0/"
    assert entry.findtext(f"{ATOM}published") and entry.findtext(f"{ATOM}updated")
    assert sorted(category.get("term") for category in entry.findall(f"{ATOM}category")) == ["ambassadeurs", "lancement"]


@pytest.mark.parametrize("name", ["opendata:lab_feed_rss", "opendata:lab_feed_atom"])
def test_lab_feed_lists_only_that_labs_public_pages(client, pages, name):
    response = client.get(reverse(name, kwargs={"lab_slug": pages["lab"].slug}))

    root = ET.fromstring(response.content)
    titles = [element.text for element in root.iter() if element.tag in ("title", f"{ATOM}title")]
    assert pages["lab"].name in titles[0]
    assert titles[1:] == ["Le lancement à Mulhouse"]


def test_lab_feed_of_an_unknown_lab_is_not_found(client, pages):
    response = client.get(reverse("opendata:lab_feed_rss", kwargs={"lab_slug": "inconnu"}))

    assert response.status_code == 404


def test_english_feed_links_to_the_english_pages(client, pages):
    with_prefix = reverse("opendata:feed_rss").replace("/flux/", "/en/flux/")
    _channel, items = rss_items(client, with_prefix)

    assert all("/en/documentation/" in item.findtext("link") for item in items)


FEED_QUERIES = exactly(5)


def test_feed_query_count_does_not_grow_with_the_pages(client, django_assert_num_queries):
    lab = make_lab()
    published("Une seule page", lab=lab, tags=("un",))
    client.get(reverse("opendata:feed_atom"))  # the site's root paths are cached from now on

    clear_page_cache()  # the feed itself is made again, not read from the page cache
    with django_assert_num_queries(FEED_QUERIES):
        client.get(reverse("opendata:feed_atom"))
    for number in range(2):
        published(f"Page numéro {number}", lab=lab, tags=("un", f"t{number}"))
    clear_page_cache()
    with django_assert_num_queries(FEED_QUERIES):
        response = client.get(reverse("opendata:feed_atom"))

    assert response.content.count(b"<entry>") == 3


def test_feed_is_served_from_the_page_cache_until_a_publication(client, django_assert_num_queries):
    lab = make_lab()
    published("Déjà là", lab=lab)
    client.get(reverse("opendata:feed_rss"))

    with django_assert_num_queries(0):
        again = client.get(reverse("opendata:feed_rss"))
    published("Tout juste publiée", lab=lab)
    after = client.get(reverse("opendata:feed_rss"))

    assert again["X-Page-Cache"] == "hit"
    assert again["Content-Type"].startswith("application/rss+xml")
    assert "Tout juste publiée" not in again.content.decode()
    assert "Tout juste publiée" in after.content.decode()
    assert not after.has_header("X-Page-Cache")


def test_feed_reader_sending_back_the_etag_gets_a_304(client):
    published("Déjà là", lab=make_lab())
    first = client.get(reverse("opendata:feed_rss"))

    unchanged = client.get(reverse("opendata:feed_rss"), HTTP_IF_NONE_MATCH=first["ETag"])
    published("Nouvelle page", lab=make_lab())
    changed = client.get(reverse("opendata:feed_rss"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert "Nouvelle page" in changed.content.decode()


def test_page_head_announces_the_feeds(pages):
    html = render_to_string("includes/feed_links.html", {"page": pages["public"]})

    assert f'href="{reverse("opendata:feed_rss")}"' in html
    assert f'href="{reverse("opendata:feed_atom")}"' in html
    assert f'href="{reverse("opendata:lab_feed_atom", kwargs={"lab_slug": pages["lab"].slug})}"' in html


def test_feeds_and_open_data_are_linked_in_every_page_footer_and_on_the_documentation_index(client, pages):
    index = DocumentationIndexPage.objects.live().get()
    clear_page_cache()
    links = [
        f'href="{reverse("opendata:feed_rss")}"',
        f'href="{reverse("opendata:feed_atom")}"',
        f'href="{reverse("opendata:index")}"',
    ]

    login_page = client.get(reverse("account_login")).content.decode()
    index_page = client.get(index.url).content.decode()

    footer = login_page[login_page.index('<footer class="site-footer">'):]
    main = index_page[index_page.index("<main"):index_page.index('<footer class="site-footer">')]
    assert all(link in footer for link in links)
    assert all(link in main for link in links)
    # The public header names the list of the Labs.
    assert '>Transfos</a>' in login_page


def test_feed_readers_find_each_items_licence_and_cover_image(client, pages):
    cover = make_image("Couverture")
    with_cover = published("Avec une image de couverture", licence=Licence.CC0, cover_image=cover)
    clear_page_cache()

    for name in ("opendata:feed_rss", "opendata:feed_atom"):
        parsed = feedparser.parse(client.get(reverse(name)).content)
        entries = {entry.title: entry for entry in parsed.entries}

        assert not parsed.bozo, (name, parsed.bozo_exception)
        assert entries["Le lancement à Mulhouse"].license == "https://creativecommons.org/licenses/by/4.0/"
        assert entries["Avec une image de couverture"].license == "https://creativecommons.org/publicdomain/zero/1.0/"
        (enclosure,) = entries["Avec une image de couverture"].enclosures
        assert enclosure.href == settings.TRANSFO_PUBLIC_URL + with_cover.cover_image.file.url
        assert enclosure.type == "image/png"
        assert int(enclosure.length) == cover.file_size
        assert entries["Le lancement à Mulhouse"].enclosures == []


def test_the_faq_has_a_description_in_the_feed(client):
    make_faq(preamble="<p>Les questions que l'on nous pose <b>le plus</b> souvent.</p>")

    parsed = feedparser.parse(client.get(reverse("opendata:feed_atom")).content)

    (entry,) = parsed.entries
    assert entry.summary == "Les questions que l'on nous pose le plus souvent."


@pytest.mark.parametrize("name", ["opendata:feed_rss", "opendata:feed_atom"])
def test_feed_reader_with_a_recent_copy_gets_a_304(client, name):
    earlier = timezone.now() - datetime.timedelta(minutes=1)
    already = published("Déjà là", lab=make_lab())
    # A minute before the next one: Last-Modified counts whole seconds.
    type(already).objects.filter(pk=already.pk).update(first_published_at=earlier, last_published_at=earlier)
    first = feedparser.parse(client.get(reverse(name)).content)
    response = client.get(reverse(name))
    clear_page_cache()
    fresh = client.get(reverse(name))  # made again, not read from the page cache

    for answer in (response, fresh):
        assert answer.has_header("Last-Modified")
        assert client.get(reverse(name), HTTP_IF_MODIFIED_SINCE=answer["Last-Modified"]).status_code == 304
    clear_page_cache()
    assert client.get(reverse(name), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    published("Nouvelle page", lab=make_lab())
    newer = client.get(reverse(name), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert newer.status_code == 200
    assert [entry.title for entry in feedparser.parse(newer.content).entries] == ["Nouvelle page", *[e.title for e in first.entries]]
