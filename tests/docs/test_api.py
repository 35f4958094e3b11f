"""The JSON API (Wagtail API v2): published public pages only, with their licence; read-only, anonymous."""
import pytest
from django.conf import settings
from django.urls import reverse

from programmes.models import Licence

from ..factories import make_lab, make_user
from .helpers_opendata import article, image_block, make_image, private, published, unpublished

pytestmark = pytest.mark.django_db

PAGES = "/api/v2/pages/"


def listed_titles(client, url=PAGES, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


@pytest.fixture
def pages():
    lab = make_lab()
    return {
        "lab": lab,
        "public": published("Ouvert à tous", lab=lab, licence=Licence.CC0, authors="Camille", tags=("immersion",)),
        "draft": article("Brouillon"),
        "private": private("Réservé"),
        "unpublished": unpublished("Retiré"),
    }


def test_api_lists_only_live_public_pages(client, pages):
    titles = listed_titles(client, type="docs.ArticlePage")

    assert titles == ["Ouvert à tous"]


def test_api_page_gives_licence_authors_tags_and_lab(client, pages):
    response = client.get(f"{PAGES}{pages['public'].pk}/")

    data = response.json()
    assert data["licence"] == "CC0-1.0"
    assert data["licence_url"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert data["authors"] == "Camille"
    assert data["tags"] == ["immersion"]
    assert data["lab"] == {"name": pages["lab"].name, "slug": pages["lab"].slug}
    assert data["meta"]["html_url"] == f"{settings.TRANSFO_PUBLIC_URL}{pages['public'].url}"


def test_api_listing_can_show_the_licence_of_each_page(client, pages):
    response = client.get(PAGES, {"type": "docs.ArticlePage", "fields": "licence,authors"})

    assert [(item["title"], item["licence"], item["authors"]) for item in response.json()["items"]] == [
        ("Ouvert à tous", "CC0-1.0", "Camille")
    ]


@pytest.mark.parametrize("name", ["draft", "private", "unpublished"])
def test_api_hides_what_the_public_may_not_read(client, pages, name):
    response = client.get(f"{PAGES}{pages[name].pk}/")

    assert response.status_code == 404


def test_api_shows_a_logged_in_person_no_more_than_the_public(client, pages):
    client.force_login(make_user())

    assert listed_titles(client, type="docs.ArticlePage") == ["Ouvert à tous"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_refuses_writes(client, pages, method):
    response = getattr(client, method)(PAGES, data={"title": "Pirate"}, content_type="application/json")

    assert response.status_code == 405
    assert listed_titles(client, type="docs.ArticlePage") == ["Ouvert à tous"]


def test_api_lists_only_images_shown_on_public_pages(client):
    shown, hidden = make_image("Montrée"), make_image("Brouillon seulement")
    published("Avec photo", body=[image_block(shown)])
    article("Brouillon avec photo", body=[image_block(hidden)])

    assert listed_titles(client, "/api/v2/images/") == ["Montrée"]
    assert client.get(f"/api/v2/images/{hidden.pk}/").status_code == 404


def test_api_root_urls_are_named(client):
    assert reverse("wagtailapi:pages:listing") == PAGES


# --- Hostile queries: a 400 with a message, never a 500 -----------------------

HOSTILE_QUERIES = [
    {"offset": "99999999999999999999"},
    {"limit": "99999999999999999999"},
    {"search": "\x00"},
    {"search": "\x00", "order": "title"},
    {"search": "atelier", "search_operator": "\x00"},
    {"search": "atelier", "search_operator": "peut-être"},
    {"id": "\x00"},
    {"id": "99999999999999999999"},
    {"child_of": "99999999999999999999"},
    {"descendant_of": "\x00"},
    {"fields": "title,\x00"},
    {"order": "\x00"},
    {"type": "docs.\x00"},
    {"tags": "\x00"},
    {"locale": "\x00"},
    {"site": "\x00"},
]


@pytest.fixture
def shown_image():
    image = make_image("Montrée")
    published("Avec photo", body=[image_block(image)])
    return image


def test_api_answers_hostile_queries_with_a_message(client, shown_image):
    answers = {}
    for endpoint in ("pages", "images", "documents"):
        for query in HOSTILE_QUERIES:
            response = client.get(f"/api/v2/{endpoint}/", query)
            answers[endpoint, str(query)] = response.status_code, response.json().get("message", "")[:1]

    assert {key: answer for key, answer in answers.items() if answer[0] != 400 or not answer[1]} == {}


def test_api_find_refuses_what_is_not_an_id(client, shown_image):
    answers = {}
    for endpoint in ("pages", "images", "documents"):
        for query in ({"id": "\x00"}, {"id": "abc"}, {"id": "99999999999999999999"}, {"html_path": "/\x00/"}):
            answers[endpoint, str(query)] = client.get(f"/api/v2/{endpoint}/find/", query).status_code

    assert set(answers.values()) == {400}


def test_api_says_which_offset_is_too_large(client, shown_image):
    response = client.get(PAGES, {"offset": "99999999999999999999"})

    assert response.status_code == 400
    assert response.json() == {"message": "Le paramètre « offset » ne peut dépasser 2147483647."}


def test_api_page_gives_its_content_as_data_and_as_html_and_its_license(client):
    page = published("Ce que l'immersion a appris", licence=Licence.CC_BY_4, body=[
        {"type": "paragraph", "value": "<p>Trois jours au <b>guichet</b> de l'état civil.</p>"},
    ])

    data = client.get(f"{PAGES}{page.pk}/").json()

    assert data["license"] == data["licence"] == "CC-BY-4.0"
    assert data["license_url"] == data["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [(block["type"], block["value"]) for block in data["body"]] == [
        ("paragraph", "<p>Trois jours au <b>guichet</b> de l'état civil.</p>")
    ]
    assert data["body_html"] == '<div class="rich-text"><p>Trois jours au <b>guichet</b> de l\'état civil.</p></div>'


def test_api_listing_gives_the_content_when_asked(client):
    published("Une fiche courte", body=[{"type": "paragraph", "value": "<p>Le texte.</p>"}])

    items = client.get(PAGES, {"type": "docs.ArticlePage", "fields": "license,body_html"}).json()["items"]

    assert [(item["license"], item["body_html"]) for item in items] == [("CC-BY-SA-4.0", '<div class="rich-text"><p>Le texte.</p></div>')]


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_any_web_page_may_read_the_api(client, pages, method):
    response = getattr(client, method)(PAGES, HTTP_ORIGIN="https://elsewhere.example")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    if method == "options":
        assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_only_the_api_is_shared_with_other_origins(client, pages):
    assert "Access-Control-Allow-Origin" not in client.get(pages["public"].url, HTTP_ORIGIN="https://elsewhere.example")
    refused = client.post(PAGES, {}, HTTP_ORIGIN="https://elsewhere.example")
    assert refused.status_code == 405
    assert "Access-Control-Allow-Origin" not in refused
