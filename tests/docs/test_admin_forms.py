"""Editors create and edit every kind of documentation page in Wagtail's admin."""
import pytest

from docs.models import ArticlePage, DocumentationIndexPage, LabIndexPage

from ..factories import make_case, make_lab, make_session, make_user
from .pages import make_case_story, make_faq, make_fiche, make_lab_page, make_session_report, point

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["articlepage", "sessionreportpage", "casestorypage", "fichepage", "faqpage"])
def test_editor_opens_the_form_of_each_documentation_kind(editor, model):
    index = DocumentationIndexPage.objects.get()

    response = editor.get(f"/cms/pages/add/docs/{model}/{index.pk}/")

    assert response.status_code == 200


def test_editor_opens_the_form_of_a_lab_page(editor):
    response = editor.get(f"/cms/pages/add/docs/labpage/{LabIndexPage.objects.get().pk}/")

    assert response.status_code == 200


def test_editor_edits_existing_pages(editor):
    lab = make_lab()
    case, session = make_case(lab=lab, title="Cas à citer"), make_session(lab=lab)
    pages = [
        make_session_report(lab=lab, session=session),
        make_case_story(lab=lab, case=case),
        make_fiche(lab=lab, hypotheses=[point("Hypothèse", sessions=[session], cases=[case])]),
        make_faq(),
        make_lab_page(lab),
    ]

    for documentation_page in pages:
        response = editor.get(f"/cms/pages/{documentation_page.pk}/edit/")
        assert response.status_code == 200, documentation_page


def test_fiche_editor_picks_evidence_among_every_session_and_case_with_its_visibility():
    from docs.blocks import case_choices, session_choices

    lab = make_lab(name="La Transfo de Metz")
    case, session = make_case(lab=lab, title="Cas à citer"), make_session(lab=lab, number=4)

    assert (str(case.pk), "La Transfo de Metz — Cas à citer (Labo uniquement)") in case_choices()
    assert (str(session.pk), "La Transfo de Metz — session #4 (Labo uniquement)") in session_choices()


def test_documentation_index_offers_only_documentation_kinds():
    allowed = {model.__name__ for model in DocumentationIndexPage.creatable_subpage_models()}

    assert allowed == {"ArticlePage", "SessionReportPage", "CaseStoryPage", "FichePage", "FaqPage"}
    assert ArticlePage.creatable_subpage_models() == []
