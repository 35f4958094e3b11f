"""The demo's documentation: every kind of page, Lab pages, a fiche citing real evidence, loaded once."""
import io

import pytest
from django.db import transaction

from docs.models import (
    ArticlePage,
    CaseStoryPage,
    DocumentationPage,
    FaqPage,
    FichePage,
    LabPage,
    SessionReportPage,
)
from programmes.models import Lab
from transfo.demo import load_demo

from .html import read, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        load_demo(stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_demo_has_every_kind_of_page_and_one_page_per_lab(demo):
    for model in (ArticlePage, SessionReportPage, CaseStoryPage, FichePage, FaqPage):
        assert model.objects.live().exists(), model
    assert LabPage.objects.live().count() == Lab.objects.count() == 10  # 7 of 2016–2020, 3 running


def test_demo_pages_are_loaded_once(demo):
    before = DocumentationPage.objects.count()

    load_demo()

    assert DocumentationPage.objects.count() == before


def test_demo_fiche_cites_public_evidence_and_hides_the_rest(demo, client):
    fiche = FichePage.objects.live().get()

    text = text_of(client.get(fiche.url))

    assert "La Transfo de Mulhouse — session n° 0" in text
    assert "source non publique" in text


def test_every_demo_page_renders_with_its_licence_and_json_ld(demo, client):
    for page in DocumentationPage.objects.published():
        response = client.get(page.url)
        head = read(response)

        assert response.status_code == 200, page
        assert any(link.get("rel") == "license" for link in head.links), page
        assert head.structured[0]["license"] == page.licence_url, page
