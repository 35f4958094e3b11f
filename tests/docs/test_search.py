"""Searching the documentation: a word of the body finds its page; only live public pages come up."""
from html import unescape

import pytest
from django.core.cache import cache

from docs.models import DocumentationIndexPage

from ..queries import exactly
from .html import text_of
from .pages import make_article, make_fiche, paragraph, point

pytestmark = pytest.mark.django_db


def _search(client, query, **params):
    return client.get(DocumentationIndexPage.objects.get().url + "recherche/", {"q": query, **params})


def _titles(response):
    html = response.content.decode()
    return [unescape(part.split(">", 1)[1].split("<", 1)[0]) for part in html.split('class="card__title"><a href=')[1:]]


def test_search_finds_an_article_by_a_word_of_its_body(client):
    make_article(title="Des courriers clairs", body=paragraph("<p>Nous avons réécrit la relance avec les usagers.</p>"))
    make_article(title="Autre chose", body=paragraph("<p>Rien à voir.</p>"))

    response = _search(client, "relance")

    assert response.status_code == 200
    assert _titles(response) == ["Des courriers clairs"]


def test_search_without_a_match_says_so_and_lists_nothing(client):
    make_article(title="Des courriers clairs", body=paragraph("<p>Nous avons réécrit la relance.</p>"))

    response = _search(client, "zeppelin")

    assert _titles(response) == []
    assert "Aucun résultat." in text_of(response)


def test_search_finds_a_fiche_by_a_word_of_its_points(client):
    make_fiche(title="Fiche cadrage", lessons=[point("Nommer un commanditaire tôt.")])

    assert _titles(_search(client, "commanditaire")) == ["Fiche cadrage"]


def test_search_leaves_out_drafts_and_restricted_pages(client):
    from wagtail.models import PageViewRestriction

    draft = make_article(title="Brouillon relance", body=paragraph("<p>relance</p>"))
    draft.unpublish()
    private = make_article(title="Privé relance", body=paragraph("<p>relance</p>"))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    make_article(title="Public relance", body=paragraph("<p>relance</p>"))

    assert _titles(_search(client, "relance")) == ["Public relance"]


def test_search_without_a_query_shows_only_the_form(client):
    response = _search(client, "")

    assert response.status_code == 200
    assert "résultat" not in text_of(response)


def test_search_refuses_a_too_long_query_with_a_message(client):
    response = _search(client, "x" * 201)

    assert response.status_code == 400
    assert "200 caractères au plus" in text_of(response)


def test_search_results_are_paginated(client):
    for number in range(14):
        make_article(title=f"Immersion {number}", body=paragraph("<p>immersion</p>"))

    first, second = _search(client, "immersion"), _search(client, "immersion", page=2)

    assert len(_titles(first)) == 12
    assert len(_titles(second)) == 2


SEARCH_QUERIES = exactly(13)


def test_search_query_count_does_not_grow_with_the_results(client, django_assert_num_queries):
    make_article(body=paragraph("<p>immersion</p>"), tags=["t0"])
    _search(client, "immersion")  # Warm what the process keeps (content types, the site's root paths).
    cache.clear()
    with django_assert_num_queries(SEARCH_QUERIES):
        _search(client, "immersion")
    for number in range(1, 3):
        make_article(body=paragraph("<p>immersion</p>"), tags=[f"t{number}", "commun"])
    cache.clear()
    with django_assert_num_queries(SEARCH_QUERIES):
        found = _search(client, "immersion")

    assert len(_titles(found)) == 3


@pytest.mark.services
def test_search_on_postgresql_finds_a_plural_by_its_singular(client):
    make_article(title="Les ambassadeurs", body=paragraph("<p>Les agents volontaires racontent leurs métiers.</p>"))

    assert _titles(_search(client, "métier")) == ["Les ambassadeurs"]
    assert _titles(_search(client, "volontaire")) == ["Les ambassadeurs"]


def test_search_does_not_find_a_page_by_the_title_of_a_non_public_case_it_cites(client):
    from programmes.models import Visibility

    from ..factories import make_case

    secret = make_case(title="Ornithorynque confidentiel", visibility=Visibility.LAB)
    make_fiche(title="Fiche prudente", hypotheses=[point("Une hypothèse", cases=[secret])])

    assert _titles(_search(client, "Ornithorynque")) == []
