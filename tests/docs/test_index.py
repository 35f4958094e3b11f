"""The documentation index: filters by Lab, kind and tag, tag pages, and a cost that does not grow."""
import importlib
import re
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from docs.forms import LAB_CHOICES_MAX, TAG_CHOICES_MAX
from docs.models import PAGE_SIZE, DocumentationIndexPage
from common.tags import fallback_slug

from ..queries import exactly
from ..factories import make_case, make_lab, make_programme, make_session
from .html import text_of
from .pages import make_article, make_case_story, make_faq, make_fiche, make_lab_page, make_session_report, point

pytestmark = pytest.mark.django_db


def _index_url():
    return DocumentationIndexPage.objects.get().url


def _titles(response):
    html = response.content.decode()
    return [unescape(part.split(">", 1)[1].split("<", 1)[0]) for part in html.split('class="card__title"><a href=')[1:]]


def test_index_lists_every_kind_but_lab_pages(client):
    lab = make_lab()
    make_article(title="Un article")
    make_session_report(title="Un compte rendu")
    make_case_story(title="Un récit")
    make_fiche(title="Une fiche")
    make_faq(title="Une FAQ")
    make_lab_page(lab, title="La page du labo")

    titles = _titles(client.get(_index_url()))

    assert sorted(titles) == ["Un article", "Un compte rendu", "Un récit", "Une FAQ", "Une fiche"]


def test_index_filters_by_lab(client):
    mulhouse, paris = make_lab(slug="mulhouse"), make_lab(slug="paris")
    make_article(title="À Mulhouse", lab=mulhouse)
    make_session_report(title="Session à Mulhouse", lab=mulhouse)
    make_article(title="À Paris", lab=paris)

    titles = _titles(client.get(_index_url(), {"labo": "mulhouse"}))

    assert sorted(titles) == ["Session à Mulhouse", "À Mulhouse"]


def test_index_filters_by_kind(client):
    make_article(title="Un article")
    make_fiche(title="Une fiche")

    assert _titles(client.get(_index_url(), {"type": "fiche"})) == ["Une fiche"]
    assert _titles(client.get(_index_url(), {"type": "article"})) == ["Un article"]


def test_index_filters_by_tag(client):
    make_article(title="Immersion", tags=["immersion"])
    make_fiche(title="Fiche immersion", tags=["immersion", "cadrage"])
    make_article(title="Autre", tags=["cadrage"])

    titles = _titles(client.get(_index_url(), {"tag": "immersion"}))

    assert sorted(titles) == ["Fiche immersion", "Immersion"]


def test_index_combines_its_filters(client):
    lab = make_lab(slug="dunkerque")
    make_article(title="Le bon", lab=lab, tags=["courriers"])
    make_article(title="Autre labo", lab=make_lab(), tags=["courriers"])
    make_fiche(title="Autre type", lab=lab, tags=["courriers"])

    titles = _titles(client.get(_index_url(), {"labo": "dunkerque", "type": "article", "tag": "courriers"}))

    assert titles == ["Le bon"]


def test_index_answers_an_unknown_filter_with_a_message_and_a_400(client):
    make_article(title="Un article")

    response = client.get(_index_url(), {"type": "inconnu"})

    assert response.status_code == 400
    assert "Ce choix n'existe pas" in text_of(response)
    assert _titles(response) == []


def test_index_of_a_national_programme_asks_for_a_lab_name_and_weighs_the_same_with_more_labs(client):
    programme = make_programme()
    labs = [make_lab(programme=programme, name=f"Labo {number:03d}", slug=f"labo-{number:03d}") for number in range(LAB_CHOICES_MAX + 1)]
    make_article(title="À Lille", lab=labs[7])
    make_article(title="Ailleurs", lab=labs[8])
    before = client.get(_index_url())
    for number in range(LAB_CHOICES_MAX + 1, 2 * LAB_CHOICES_MAX):
        make_lab(programme=programme, name=f"Labo {number:03d}", slug=f"labo-{number:03d}")
    cache.clear()

    after = client.get(_index_url())
    by_name = client.get(_index_url(), {"labo": "labo 007"})
    unknown = client.get(_index_url(), {"labo": "Nulle part"})

    assert len(after.content) == len(before.content)
    assert 'name="labo"' in after.content.decode() and ">Labo 007</option>" not in after.content.decode()
    assert _titles(by_name) == ["À Lille"]
    assert unknown.status_code == 400
    assert "Aucun labo ne porte ce nom" in text_of(unknown)


def test_index_offers_the_most_used_tags_and_the_chosen_one(client):
    make_article(title="Très étiqueté", tags=["partout"])
    make_article(title="Encore", tags=["partout"])
    for number in range(TAG_CHOICES_MAX):
        make_article(title=f"Article {number}", tags=[f"rare-{number:02d}"])

    html = client.get(_index_url()).content.decode()
    chosen = client.get(_index_url(), {"tag": "rare-39"})

    assert html.count('<option value="rare-') == TAG_CHOICES_MAX - 1  # "partout" is used most
    assert '<option value="partout"' in html
    assert _titles(chosen) == ["Article 39"]
    assert '<option value="rare-39" selected>' in chosen.content.decode()


def test_index_paginates_and_keeps_its_filters(client):
    lab = make_lab(slug="metz")
    for number in range(PAGE_SIZE + 2):
        make_article(title=f"Article {number}", lab=lab)

    first = client.get(_index_url(), {"labo": "metz"})
    second = client.get(_index_url(), {"labo": "metz", "page": 2})

    assert len(_titles(first)) == PAGE_SIZE
    assert "?labo=metz&amp;page=2" in first.content.decode()
    assert len(_titles(second)) == 2


def test_index_shows_newest_first(client):
    import datetime

    make_article(title="Ancien", date=datetime.date(2016, 6, 1))
    make_article(title="Récent", date=datetime.date(2019, 6, 1))

    assert _titles(client.get(_index_url())) == ["Récent", "Ancien"]


def test_tag_page_lists_pages_with_that_tag(client):
    make_article(title="Sur l'immersion", tags=["immersion"])
    make_article(title="Sans rapport", tags=["autre"])

    response = client.get(_index_url() + "tag/immersion/")

    assert response.status_code == 200
    assert _titles(response) == ["Sur l'immersion"]
    assert "Mot-clé « immersion »" in text_of(response)


def test_tag_with_an_accent_has_its_page(client):
    make_article(title="Ce qui a raté", tags=["échec"])

    response = client.get(_index_url() + "tag/%C3%A9chec/")

    assert response.status_code == 200
    assert _titles(response) == ["Ce qui a raté"]


@pytest.mark.parametrize("name", ["?!", "🚀", "…"])
def test_tag_made_only_of_punctuation_links_to_its_page(client, name):
    make_article(title="Sans mots", tags=[name])
    make_article(title="Sans rapport", tags=["autre"])
    links = re.findall(r'<a class="tag" href="([^"]+)">([^<]+)</a>', client.get(_index_url()).content.decode())

    tag_link = dict((text, href) for href, text in links)[name]
    response = client.get(tag_link)

    assert tag_link != _index_url() + "tag//"
    assert response.status_code == 200
    assert _titles(response) == ["Sans mots"]


def test_tag_that_slugified_to_nothing_before_gets_a_slug():
    # Tags saved before the fallback (common.tags) have an empty slug: the migration gives them one.
    make_article(title="Sans mots", tags=["?!"])
    Tag.objects.filter(name="?!").update(slug="")
    migration = importlib.import_module("docs.migrations.0009_tag_slugs_for_punctuation")

    migration.fill_empty_slugs(django_apps, None)

    assert Tag.objects.get(name="?!").slug == fallback_slug("?!")


def test_tag_page_of_an_unknown_tag_is_a_404(client):
    assert client.get(_index_url() + "tag/n-existe-pas/").status_code == 404


def test_cards_link_each_tag_to_its_page(client):
    make_article(tags=["langage clair"])

    assert 'href="/documentation/tag/langage-clair/"' in client.get(_index_url()).content.decode()


def test_english_index_keeps_english_links(client):
    article_url = make_article(tags=["immersion"]).url

    html = client.get("/en" + _index_url()).content.decode()

    assert f'href="/en{article_url}"' in html
    assert 'href="/en/documentation/tag/immersion/"' in html


def _query_count(client, url):
    cache.clear()  # measure the page itself, not the page cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# The index, a tag's page, an article and a filtered index; a Lab's page; a fiche.
LISTING_QUERIES = [exactly(14), exactly(13), exactly(14), exactly(14)]
LAB_PAGE_QUERIES = exactly(27)
FICHE_QUERIES = exactly(18)


def _add_pages(count, labs):
    for number in range(count):
        lab = labs[number % len(labs)]
        kind = number % 5
        tags = [f"theme-{number % 7}", f"sujet-{number % 3}"]
        if kind == 0:
            make_session_report(lab=lab, tags=tags)
        elif kind == 1:
            make_case_story(lab=lab, tags=tags)
        elif kind == 2:
            make_fiche(lab=lab, tags=tags, hypotheses=[point("Une hypothèse")])
        else:
            make_article(lab=lab, tags=tags)


def test_query_counts_do_not_grow_with_the_number_of_pages(client):
    labs = [make_lab() for _ in range(3)]
    article = make_article(lab=labs[0], tags=["theme-1", "immersion"])
    _add_pages(4, labs)
    urls = [_index_url(), _index_url() + "tag/theme-1/", article.url, _index_url() + "?tag=immersion&type=article"]
    for url in urls:
        _query_count(client, url)  # Warm what the process keeps (content types, the site's root paths).
    few = [_query_count(client, url) for url in urls]

    _add_pages(195, labs)
    many = [_query_count(client, url) for url in urls]

    assert few == many == LISTING_QUERIES


def test_lab_page_query_count_does_not_grow_with_its_team_and_cases(client):
    from ..factories import make_ambassador, make_resident
    from programmes.models import Visibility

    lab = make_lab()
    page = make_lab_page(lab)
    make_ambassador(lab=lab, public_consent=True)
    make_resident(lab)
    make_case(lab=lab, visibility=Visibility.PUBLIC)
    make_article(lab=lab, tags=["un"])
    assert _query_count(client, page.url) == LAB_PAGE_QUERIES

    for number in range(15):
        make_ambassador(lab=lab, public_consent=number % 2 == 0)
        make_resident(lab, public_consent=True)
        case = make_case(lab=lab, visibility=Visibility.PUBLIC)
        make_case_story(lab=lab, case=case, tags=[f"tag-{number}"])
        make_session(lab=lab, number=100 + number)

    assert _query_count(client, page.url) == LAB_PAGE_QUERIES


def test_fiche_query_count_does_not_grow_with_its_evidence(client):
    from programmes.models import Visibility

    lab = make_lab()
    sessions = [make_session(lab=lab, number=200 + n, visibility=Visibility.PUBLIC) for n in range(2)]
    cases = [make_case(lab=lab, visibility=Visibility.PUBLIC) for _ in range(2)]
    fiche = make_fiche(lab=lab, hypotheses=[point("Hypothèse", sessions=sessions, cases=cases)])
    assert _query_count(client, fiche.url) == FICHE_QUERIES

    more_cases = [make_case(lab=lab, visibility=Visibility.PUBLIC) for _ in range(10)]
    for case in more_cases[:5]:
        make_case_story(lab=lab, case=case)
    fiche.hypotheses = [point("Hypothèse", sessions=sessions, cases=cases + more_cases)] + [
        point(f"Autre {n}", cases=more_cases) for n in range(5)
    ]
    fiche.save_revision().publish()

    assert _query_count(client, fiche.url) == FICHE_QUERIES
