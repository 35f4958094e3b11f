"""Editors create and edit every kind of documentation page in Wagtail's admin."""
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.blocks import ListBlock
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text, streamfield

from cases.models import Case
from docs.blocks import PointsBlock, SessionEvidenceBlock
from docs.models import ArticlePage, DocumentationIndexPage, LabIndexPage

from programmes.models import Visibility

from ..queries import exactly
from ..factories import make_case, make_lab, make_resident, make_session, make_user
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


# --------------------------------------------------------------------------------------------
# A fiche's evidence: chosen in a chooser that lists, page by page, what the editor may read
# --------------------------------------------------------------------------------------------


@pytest.fixture
def two_labs():
    metz, nancy = make_lab(name="La Transfo de Metz"), make_lab(name="La Transfo de Nancy")
    return {
        "metz": metz,
        "metz_case": make_case(lab=metz, title="Cas à citer"),
        "metz_session": make_session(lab=metz, number=4),
        "nancy_public": make_case(lab=nancy, title="Guichet partagé", visibility=Visibility.PUBLIC),
        "nancy_secret": make_case(lab=nancy, title="Dossier confidentiel de Nancy"),
    }


def chooser(client, kind, **params):
    response = client.get(reverse(f"{kind}_chooser:choose_results"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_evidence_chooser_lists_every_session_and_case_with_its_lab_and_visibility(editor, two_labs):
    cases = chooser(editor, "case")

    for title in ("Cas à citer", "Guichet partagé", "Dossier confidentiel de Nancy"):
        assert title in cases
    assert "Labo uniquement" in cases and "La Transfo de Nancy" in cases
    assert "La Transfo de Metz — session n° 4" in chooser(editor, "session")
    found = chooser(editor, "case", q="guichet")
    assert "Guichet partagé" in found and "Cas à citer" not in found


def test_evidence_chooser_shows_a_resident_only_what_they_may_read(client, two_labs):
    resident = make_resident(two_labs["metz"]).user
    resident.groups.add(Group.objects.get(name="Editors"))
    client.force_login(resident)

    cases = chooser(client, "case")

    assert "Cas à citer" in cases and "Guichet partagé" in cases
    assert "Dossier confidentiel de Nancy" not in cases
    assert "Dossier confidentiel" not in chooser(client, "case", q="confidentiel")
    chosen = reverse("case_chooser:chosen", args=[two_labs["nancy_secret"].pk])
    assert client.get(chosen).status_code == 404
    assert client.get(reverse("case_chooser:chosen", args=[two_labs["metz_case"].pk])).status_code == 200


FICHE_EDITOR_QUERIES = exactly(32)


def test_fiche_editor_reads_only_the_cited_sessions_and_cases(editor, two_labs, django_assert_num_queries):
    cited = two_labs["metz_session"]
    fiche = make_fiche(lab=cited.lab, hypotheses=[point("Hypothèse", sessions=[cited], cases=[two_labs["metz_case"]])])
    url = f"/cms/pages/{fiche.pk}/edit/"
    editor.get(url)  # Warm Wagtail's caches (content types, the site's root paths).

    # The same queries with one session and case besides the cited ones, and with three.
    for others in (1, 3):
        while Case.objects.filter(title__startswith="Un autre cas").count() < others:
            number = Case.objects.count()
            make_case(lab=two_labs["metz"], title=f"Un autre cas {number}")
            make_session(lab=two_labs["metz"], number=500 + number, title=f"Une autre session {number}")
        with django_assert_num_queries(FICHE_EDITOR_QUERIES) as queries:
            response = editor.get(url)

        assert response.status_code == 200
        # The chosen ones are shown by their label; the others are not read at all.
        html = response.content.decode()
        assert "Cas \\u00e0 citer (Labo uniquement)" in html and "Un autre cas" not in html
        tables = "(cases_case|lab_sessions_session)"
        reads = [query["sql"] for query in queries.captured_queries if re.search(f'FROM "{tables}"', query["sql"])]
        assert reads and all(re.search(f'"{tables}"\\."id" (=|IN)', sql) for sql in reads), reads


def test_building_the_evidence_blocks_reads_no_session_nor_case(two_labs, django_assert_num_queries):
    with django_assert_num_queries(0):
        block = PointsBlock()
        block.get_form_state(block.to_python([]))
        ListBlock(SessionEvidenceBlock()).get_form_state([])


def test_fiche_saved_from_the_editor_keeps_its_evidence_and_refuses_an_unknown_one(editor, two_labs):
    fiche = make_fiche(lab=two_labs["metz"], hypotheses=[point("Hypothèse", cases=[two_labs["nancy_public"]])])
    url = f"/cms/pages/{fiche.pk}/edit/"

    def post(case_ids):
        data = querydict_from_html(editor.get(url).content.decode(), form_id="page-edit-form").dict()
        for name in ("hypotheses", "observations", "lessons"):
            data[f"{name}-count"] = "0"
        data.update(nested_form_data({"hypotheses": streamfield([("point", {
            "text": rich_text("<p>Hypothèse</p>"),
            "sessions": {"count": "0"},
            "cases": {"count": str(len(case_ids)), **{
                str(index): {"value": str(pk), "deleted": "", "order": str(index), "id": ""}
                for index, pk in enumerate(case_ids)
            }},
        })])}))
        return editor.post(url, data)

    def saved_cases():
        fiche.refresh_from_db()
        return list(fiche.get_latest_revision_as_object().hypotheses[0].value["cases"])

    assert post([two_labs["nancy_public"].pk, two_labs["metz_case"].pk]).status_code == 302
    assert saved_cases() == [two_labs["nancy_public"].pk, two_labs["metz_case"].pk]

    response = post([999999])

    assert response.status_code == 200
    assert saved_cases() == [two_labs["nancy_public"].pk, two_labs["metz_case"].pk]


def test_documentation_index_offers_only_documentation_kinds():
    allowed = {model.__name__ for model in DocumentationIndexPage.creatable_subpage_models()}

    assert allowed == {"ArticlePage", "SessionReportPage", "CaseStoryPage", "FichePage", "FaqPage"}
    assert ArticlePage.creatable_subpage_models() == []
