"""Anonymous visitors get public pages from the cache; a publication empties it."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.page_cache import clear_page_cache
from docs.models import DocumentationIndexPage
from programmes.models import Visibility

from ..queries import exactly
from ..factories import make_ambassador, make_case, make_lab, make_user
from .pages import make_article, make_fiche, make_lab_page, point

pytestmark = pytest.mark.django_db


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    article = make_article(title="En cache")
    client.get(article.url)  # Warm what the process keeps (content types, the site's root paths)…
    clear_page_cache()  # …but not the page itself.

    with django_assert_num_queries(exactly(11)):
        first = client.get(article.url)
    with django_assert_num_queries(0):
        second = client.get(article.url)

    assert first.status_code == second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert "En cache" in second.content.decode()


def test_publishing_a_page_empties_the_cache(client):
    index_url = DocumentationIndexPage.objects.get().url
    client.get(index_url)
    assert client.get(index_url)["X-Page-Cache"] == "hit"

    make_article(title="Tout nouveau").save_revision().publish()
    response = client.get(index_url)

    assert not response.has_header("X-Page-Cache")
    assert "Tout nouveau" in response.content.decode()


def test_unpublishing_a_page_empties_the_cache(client):
    article = make_article(title="Bientôt retiré")
    article.save_revision().publish()
    index_url = DocumentationIndexPage.objects.get().url
    client.get(index_url)

    article.unpublish()

    assert "Bientôt retiré" not in client.get(index_url).content.decode()
    assert client.get(article.url).status_code == 404


def test_deleting_a_page_empties_the_cache(client):
    article = make_article(title="Bientôt supprimé")
    index_url = DocumentationIndexPage.objects.get().url
    client.get(index_url)

    article.delete()

    assert "Bientôt supprimé" not in client.get(index_url).content.decode()


def test_a_case_made_private_disappears_at_once_from_cached_pages(client):
    case = make_case(title="Cas bientôt retiré", visibility=Visibility.PUBLIC)
    fiche = make_fiche(hypotheses=[point("Hypothèse", cases=[case])])
    assert "Cas bientôt retiré" in client.get(fiche.url).content.decode()

    case.visibility = Visibility.LAB
    case.save()

    assert "Cas bientôt retiré" not in client.get(fiche.url).content.decode()


def test_a_withdrawn_consent_disappears_at_once_from_the_lab_page(client):
    lab = make_lab()
    ambassador = make_ambassador(lab=lab, first_name="Inès", last_name="Retirée", public_consent=True)
    page = make_lab_page(lab)
    assert "Retirée" in client.get(page.url).content.decode()

    ambassador.public_consent = False
    ambassador.save()

    assert "Retirée" not in client.get(page.url).content.decode()


def test_logged_in_visitors_are_never_served_from_nor_stored_in_the_cache(client):
    article = make_article()
    client.force_login(make_user())

    client.get(article.url)
    response = client.get(article.url)
    client.logout()
    anonymous = client.get(article.url)

    assert not response.has_header("X-Page-Cache")
    assert "Se déconnecter" in response.content.decode()
    assert not anonymous.has_header("X-Page-Cache")
    assert "Se déconnecter" not in anonymous.content.decode()


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page(client):
    from django.test import Client

    article = make_article()
    client.get(article.url)
    other = Client(enforce_csrf_checks=True)

    cached = other.get(article.url)
    token = cached.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    switched = other.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})

    assert cached["X-Page-Cache"] == "hit"
    assert switched.status_code == 302


def test_language_versions_are_cached_apart(client):
    article = make_article()
    client.get(article.url)

    english = client.get("/en" + article.url)

    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()


def test_a_page_made_private_is_no_longer_served_from_the_cache(client):
    from wagtail.models import PageViewRestriction

    article = make_article(title="Bientôt réservé")
    client.get(article.url)
    assert client.get(article.url)["X-Page-Cache"] == "hit"

    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(article.url)

    assert response.status_code == 302
    assert "Bientôt réservé" not in response.content.decode()
