"""Every kind of documentation page: licence, authors, machine-readable metadata, what it may show."""
import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from pyld import jsonld
from wagtail.images import get_image_model

from docs.models import ArticlePage, DocumentationPage, FaqPage, HomePage, LabPage
from programmes.models import Licence, Visibility

from ..factories import make_ambassador, make_case, make_lab, make_programme, make_resident, make_session, make_user
from .html import SCHEMA, read, schema_org_loader, text_of
from .pages import (
    add_lab_page,
    make_article,
    make_case_story,
    make_faq,
    make_fiche,
    make_lab_page,
    make_session_report,
    paragraph,
    point,
)

pytestmark = pytest.mark.django_db

LICENCE_URLS = {
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


def _every_kind():
    lab = make_lab()
    return {
        "Article": make_article(lab=lab, authors="Camille Martin, Louis Petit"),
        "Report": make_session_report(lab=lab, session=make_session(lab=lab), authors="Les résident·es"),
        "story": make_case_story(lab=lab, case=make_case(lab=lab), problem="Un guichet saturé.", authors="L'équipe du cas"),
        "fiche": make_fiche(lab=lab, hypotheses=[point("Les agents savent.")], authors="La coordination"),
        "FAQPage": make_faq(authors="La 27e Région"),
        "WebPage": make_lab_page(lab, authors="La coordination du programme"),
    }


def test_every_kind_of_page_shows_its_licence_for_people_and_machines(client):
    for page in _every_kind().values():
        response = client.get(page.url)
        head = read(response)

        assert response.status_code == 200, page
        assert {"rel": "license", "href": LICENCE_URLS[Licence.CC_BY_SA_4]} in head.links, page
        assert {"rel": "license", "href": LICENCE_URLS[Licence.CC_BY_SA_4]} in head.anchors, page
        assert f"Par {page.authors}." in text_of(response), page


def test_every_kind_of_page_describes_itself_in_valid_json_ld(client):
    expected_types = {"Article": "Article", "Report": "Report", "story": "Article", "fiche": "Report",
                      "FAQPage": "FAQPage", "WebPage": "WebPage"}
    for key, page in _every_kind().items():
        (data,) = read(client.get(page.url)).structured

        assert data["@context"] == "https://schema.org"
        assert data["@type"] == expected_types[key]
        assert data["headline"] == page.title
        assert data["license"] == LICENCE_URLS[Licence.CC_BY_SA_4]
        assert data["datePublished"] == page.date.isoformat()
        assert data["inLanguage"] == "fr"
        assert data["publisher"]["name"]
        assert data["author"], key


def test_json_ld_names_people_and_teams_as_such(client):
    people = make_article(authors="Camille Martin, Louis Petit")
    team = make_article(authors="Les résident·es de la Transfo de Paris et de Lille")

    (people_data,) = read(client.get(people.url)).structured
    (team_data,) = read(client.get(team.url)).structured

    assert people_data["author"] == [{"@type": "Person", "name": "Camille Martin"}, {"@type": "Person", "name": "Louis Petit"}]
    assert team_data["author"] == [{"@type": "Organization", "name": "Les résident·es de la Transfo de Paris et de Lille"}]


def test_json_ld_cannot_be_closed_by_a_title(client):
    page = make_article(title="</script><script>alert(1)</script>", intro="a < b & c")

    response = client.get(page.url)
    (data,) = read(response).structured

    assert data["headline"] == "</script><script>alert(1)</script>"
    assert data["description"] == "a < b & c"
    assert b"<script>alert(1)" not in response.content


def test_faq_json_ld_lists_its_questions_and_answers(client):
    faq = make_faq()

    (data,) = read(client.get(faq.url)).structured

    assert data["mainEntity"] == [
        {"@type": "Question", "name": "Qu'est-ce que la Transfo ?", "acceptedAnswer": {"@type": "Answer", "text": "Un programme."}}
    ]


def test_page_carries_opengraph_tags(client):
    page = make_article(title="Une immersion", intro="Passer une journée ailleurs.")

    meta = read(client.get(page.url)).meta

    assert meta["og:title"] == "Une immersion"
    assert meta["og:description"] == "Passer une journée ailleurs."
    assert meta["og:type"] == "article"
    assert meta["og:url"] == settings.TRANSFO_PUBLIC_URL + page.url
    assert "og:image" not in meta


def _image(name="photo.jpg", exif=None):
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "teal").save(buffer, format="JPEG", **({"exif": exif} if exif else {}))
    return get_image_model().objects.create(title=name, file=ImageFile(io.BytesIO(buffer.getvalue()), name=name))


def test_page_with_a_cover_image_shares_it(client):
    page = make_article(cover_image=_image())

    head = read(client.get(page.url))

    assert head.meta["og:image"].startswith(settings.TRANSFO_PUBLIC_URL + "/")
    assert head.structured[0]["image"] == head.meta["og:image"]


def test_new_page_takes_the_programme_default_licence():
    make_programme(default_licence=Licence.CC0)

    page = ArticlePage(title="Sans licence choisie")

    assert page.licence == Licence.CC0


def test_licence_chosen_for_a_page_is_the_one_shown(client):
    page = make_article(licence=Licence.CC0)

    head = read(client.get(page.url))

    assert {"rel": "license", "href": LICENCE_URLS[Licence.CC0]} in head.links
    assert head.structured[0]["license"] == LICENCE_URLS[Licence.CC0]


def test_fiche_numbers_its_points_by_section(client):
    fiche = make_fiche(
        hypotheses=[point("Première hypothèse"), point("Deuxième hypothèse")],
        observations=[point("Une observation")],
        lessons=[point("Un enseignement")],
    )

    text = text_of(client.get(fiche.url))

    assert "H1 Première hypothèse" in text
    assert "H2 Deuxième hypothèse" in text
    assert "O1 Une observation" in text
    assert "E1 Un enseignement" in text


def test_fiche_names_and_links_only_public_evidence(client):
    lab = make_lab()
    public_case = make_case(lab=lab, title="Un cas public", visibility=Visibility.PUBLIC)
    lab_case = make_case(lab=lab, title="Un cas gardé au labo", visibility=Visibility.LAB)
    shared_session = make_session(lab=lab, title="Session partagée", visibility=Visibility.PROGRAMME)
    fiche = make_fiche(lab=lab, hypotheses=[point("Une hypothèse", sessions=[shared_session], cases=[public_case, lab_case])])

    response = client.get(fiche.url)
    html = response.content.decode()

    assert "Un cas public" in html
    assert public_case.get_absolute_url() in html
    assert "Un cas gardé au labo" not in html
    assert lab_case.get_absolute_url() not in html
    assert lab_case.slug not in html
    assert shared_session.get_absolute_url() not in html
    assert "2 sources non publiques" in text_of(response)


def test_fiche_links_a_public_case_to_its_published_story(client):
    case = make_case(title="Un cas raconté", visibility=Visibility.PUBLIC)
    story = make_case_story(case=case, lab=case.lab)
    fiche = make_fiche(observations=[point("Une observation", cases=[case])])

    html = client.get(fiche.url).content.decode()

    assert f'href="{story.url}"' in html


def test_session_report_names_its_session_only_if_public(client):
    lab = make_lab()
    public = make_session_report(lab=lab, session=make_session(lab=lab, visibility=Visibility.PUBLIC, number=3))
    hidden = make_session_report(lab=lab, session=make_session(lab=lab, visibility=Visibility.LAB, number=4,
                                                               start_date=datetime.date(2016, 9, 1)))

    assert public.session.get_absolute_url() in client.get(public.url).content.decode()
    assert hidden.session.get_absolute_url() not in client.get(hidden.url).content.decode()


def test_session_report_takes_its_dates_and_lab_from_the_session():
    session = make_session()
    report = make_session_report(session=session)

    assert (report.lab, report.start_date, report.end_date) == (session.lab, session.start_date, session.end_date)


def test_session_report_refuses_a_session_of_another_lab():
    with pytest.raises(ValidationError) as error:
        make_session_report(lab=make_lab(), session=make_session())

    assert "autre labo" in str(error.value)


def test_case_story_names_its_case_only_if_public(client):
    lab_case = make_case(title="Cas du labo seulement", visibility=Visibility.LAB)
    story = make_case_story(case=lab_case, problem="Le problème, raconté.")

    html = client.get(story.url).content.decode()

    assert "Cas du labo seulement" not in html
    assert lab_case.get_absolute_url() not in html
    assert "Le problème, raconté." in html


def test_lab_page_names_consenting_ambassadors_only(client):
    lab = make_lab()
    make_ambassador(lab=lab, first_name="Inès", last_name="Consentante", public_consent=True)
    make_ambassador(lab=lab, first_name="Yanis", last_name="Discret", public_consent=False)
    page = make_lab_page(lab)

    text = text_of(client.get(page.url))

    assert "Inès Consentante" in text
    assert "Yanis" not in text
    assert "Discret" not in text
    assert "Et 1 autre ambassadeur·rice, qui n'a pas souhaité être nommé·e." in text


def test_lab_page_names_a_resident_only_with_consent(client):
    lab = make_lab()
    make_resident(lab, user=make_user(first_name="Nadia", last_name="Publique"), public_consent=True, discipline="designer")
    make_resident(lab, user=make_user(first_name="Hugo", last_name="Réservé"), discipline="sociologue")
    page = make_lab_page(lab)

    text = text_of(client.get(page.url))

    assert "Nadia Publique" in text
    assert "Hugo" not in text
    assert "Réservé" not in text
    assert "Résident·e (sociologue)" in text


def test_lab_page_lists_public_cases_and_the_lab_publications(client):
    lab = make_lab()
    make_case(lab=lab, title="Cas ouvert à tous", visibility=Visibility.PUBLIC)
    make_case(lab=lab, title="Cas partagé entre labos", visibility=Visibility.PROGRAMME)
    make_article(lab=lab, title="Article du labo")
    make_article(lab=make_lab(), title="Article d'un autre labo")
    page = make_lab_page(lab)

    text = text_of(client.get(page.url))

    assert "Cas ouvert à tous" in text
    assert "Cas partagé entre labos" not in text
    assert "Article du labo" in text
    assert "Article d'un autre labo" not in text


def test_a_lab_has_a_single_public_page():
    lab = make_lab()
    make_lab_page(lab)

    with pytest.raises(ValidationError) as error:
        add_lab_page(lab, slug="encore")

    assert "déjà sa page publique" in str(error.value)
    assert LabPage.objects.filter(lab=lab).count() == 1


def test_listing_fetches_every_kind_with_its_tags():
    _every_kind()
    make_article(tags=["immersion", "accueil"])

    pages = list(DocumentationPage.objects.published().listed().for_cards().newest_first())

    assert {page.kind_slug for page in pages} == {"article", "compte-rendu", "recit", "fiche", "faq"}
    assert [tag.name for page in pages for tag in page.card_tags] == ["accueil", "immersion"]


def test_home_page_shows_the_latest_publications(client):
    make_article(title="Le plus ancien", date=datetime.date(2016, 1, 1))
    make_article(title="Le plus récent", date=datetime.date(2020, 1, 1))

    text = text_of(client.get(HomePage.objects.get().url))

    assert "Le plus récent" in text


SCRIPTS = (
    '<p>Avant<script>alert("x")</script> <img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">lien</a> <a href="https://example.org/" onclick="alert(3)">sûr</a></p>'
)


def _assert_clean(html):
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "onclick" not in html


def test_rich_text_written_in_code_is_sanitised_everywhere(client):
    article = make_article(body=paragraph(SCRIPTS))
    faq = make_faq(
        preamble=SCRIPTS,
        questions=[{"type": "question", "value": {"question": "Q ?", "answer": SCRIPTS}}],
    )
    fiche = make_fiche(hypotheses=[{"type": "point", "value": {"text": SCRIPTS, "sessions": [], "cases": []}}])

    for page in (article, faq, fiche):
        response = client.get(page.url)
        html = response.content.decode()
        main = html[html.index("<main"):]

        _assert_clean(main)
        assert 'href="https://example.org/"' in main, page


def test_rich_text_saved_in_a_revision_is_sanitised(client):
    article = make_article()
    article.body = paragraph(SCRIPTS)
    article.save_revision().publish()

    html = client.get(ArticlePage.objects.get(pk=article.pk).url).content.decode()
    stored = str(ArticlePage.objects.get(pk=article.pk).body.raw_data)

    _assert_clean(html[html.index("<main"):])
    _assert_clean(stored)


def test_home_page_intro_is_sanitised():
    home = HomePage.objects.get()
    home.intro = SCRIPTS
    home.save()

    home.refresh_from_db()
    _assert_clean(home.intro)
    assert "Avant" in home.intro


def test_faq_keeps_the_rich_text_wagtail_writes():
    html = ('<h3>Titre</h3><p><b>gras</b> <i>italique</i> <a href="https://example.org/">externe</a> '
            '<a linktype="page" id="3">interne</a></p><ul><li>un</li></ul><embed embedtype="image" id="1" format="left" alt="x"/>')
    faq = make_faq(preamble=html)

    assert FaqPage.objects.get(pk=faq.pk).preamble == html


def test_every_question_of_the_faq_json_ld_has_its_accepted_answer(client):
    faq = make_faq(
        preamble="<p>Ce que l'on nous demande le plus souvent.</p>",
        questions=[
            {"type": "question", "value": {"question": "Qu'est-ce que la Transfo ?", "answer": "<p>Un programme.</p>"}},
            {"type": "question", "value": {"question": "Comment rythmer la démarche ?", "answer": ""}},
        ],
    )

    head = read(client.get(faq.url))
    (expanded,) = jsonld.expand(head.structured[0], {"documentLoader": schema_org_loader})

    questions = expanded[f"{SCHEMA}mainEntity"]
    assert [question[f"{SCHEMA}name"][0]["@value"] for question in questions] == ["Qu'est-ce que la Transfo ?"]
    assert all(question[f"{SCHEMA}acceptedAnswer"][0][f"{SCHEMA}text"] for question in questions)
    assert expanded[f"{SCHEMA}description"][0]["@value"] == "Ce que l'on nous demande le plus souvent."
    assert head.meta["og:description"] == "Ce que l'on nous demande le plus souvent."
