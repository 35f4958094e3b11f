"""From a Lab's work to publication: drafting a session report or a case story, moderation, and
the refusal to publish a page that links to what the public cannot open."""
import datetime
import io
import time

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cases.models import Attachment
from docs.drafting import draft_case_story, draft_session_report, non_public_links
from docs.models import ArticlePage, CaseStoryPage, DocumentationIndexPage, LabPage, LabSpace, SessionReportPage
from programmes.models import Licence, Visibility
from sessions.models import SessionPhoto

from ..images import assert_only_pixels, huge_png, jpeg_with_comment, png_with_text
from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_entry,
    make_lab,
    make_programme,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db


def png_bytes(colour="white"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def lab():
    programme = make_programme(default_licence=Licence.CC_BY_4)
    return make_lab(programme=programme, name="La Transfo de Mulhouse", slug="transfo-mulhouse")


@pytest.fixture
def people(lab):
    return {
        "resident": make_resident(
            lab, user=make_user(first_name="Rosa", last_name="Lumière"), public_consent=True
        ).user,
        "shy_resident": make_resident(
            lab, user=make_user(first_name="Noé", last_name="Discrétion"), discipline="sociologue"
        ).user,
        "named": make_ambassador(lab, first_name="Camille", last_name="Durand", public_consent=True),
        "shy": make_ambassador(lab, first_name="Sacha", last_name="Vautrin", metier="Jardinier"),
        "ambassador": make_ambassador(
            lab, first_name="Lou", last_name="Marchal", user=make_user(), public_consent=True
        ),
    }


@pytest.fixture
def session(lab, people):
    """A session as the demo has them: an agenda over two days, minutes, cases, journal, photos."""
    public_case = make_case(lab, title="Accueil en mairie", visibility=Visibility.PUBLIC)
    public_case.tags.add("accueil", "usagers")
    hidden_case = make_case(lab, title="Réorganisation du service propreté", visibility=Visibility.LAB)
    session = make_session(
        lab,
        title="Immersion",
        objectives="Comprendre l'accueil des usagers.",
        minutes=(
            "Sacha Vautrin a animé la visite avec Camille Durand.\n"
            "Vautrin a noté les points durs de la Réorganisation du service propreté.\n"
            "Notes internes : /labs/transfo-mulhouse/cas/" + hidden_case.slug + "/"
        ),
    )
    session.cases.add(public_case, hidden_case)
    make_agenda_item(session, title="Accueil et café", kind="autre", facilitators="Rosa Lumière")
    make_agenda_item(
        session, title="Visite de terrain", kind="immersion", start_time=datetime.time(11, 0),
        end_time=datetime.time(12, 30), facilitators="Sacha Vautrin, Camille Durand, Jean Inconnu", case=public_case,
    )
    make_agenda_item(
        session, day=session.end_date, title="Point sur la Réorganisation du service propreté", kind="point_cas",
        case=hidden_case, description="Avec Noé Discrétion.",
    )
    make_entry(public_case, session=session, learnt="Les usagers attendent surtout d'être orientés.")
    hidden_entry = make_entry(hidden_case, session=session, learnt="Le secret du service propreté.")
    Attachment.objects.create(entry=hidden_entry, file=ContentFile(png_bytes("red"), name="interne.png"))
    photo = SessionPhoto(session=session, caption="Le groupe avec Sacha Vautrin")
    photo.image.save("groupe.png", ContentFile(png_bytes()), save=True)
    session.public_case, session.hidden_case = public_case, hidden_case
    return session


def page_text(page):
    """Everything the drafted page holds, as one string to search."""
    page = page.specific
    parts = [page.title, page.intro, page.authors, str(page.body.raw_data)]
    parts += [f"{photo.alt_text} {photo.caption} {photo.image.title}" for photo in page.photos.all()]
    return "\n".join(parts)


def test_session_report_draft_holds_agenda_minutes_learnings_and_photo(session, people):
    page = draft_session_report(session=session, drafted_by=people["resident"])

    text = page_text(page)
    assert page.title == f"Session n° {session.number} de La Transfo de Mulhouse : Immersion"
    assert "Accueil et café" in text and "Visite de terrain" in text
    assert "a animé la visite avec Camille Durand" in text
    assert "Les usagers attendent surtout d'être orientés." in text
    assert [photo.caption for photo in page.photos.all()] == ["Le groupe avec Sacha (Jardinier)"]
    assert page.cover_image == page.photos.first().image
    assert (page.lab, page.session, page.start_date, page.end_date) == (
        session.lab, session, session.start_date, session.end_date
    )
    assert page.licence == Licence.CC_BY_4
    assert page.authors == "Rosa Lumière"
    assert sorted(page.tags.names()) == ["accueil", "usagers"]
    # In the Lab's own place, its photo in the Lab's collection: where its residents work.
    assert page.get_parent().specific == LabPage.objects.get(lab=session.lab)
    assert page.url.startswith(LabPage.objects.get(lab=session.lab).url)
    assert page.cover_image.collection == LabSpace.objects.get(lab=session.lab).collection


def test_session_report_draft_leaves_out_people_without_consent_and_lab_only_cases(session, people):
    page = draft_session_report(session=session, drafted_by=people["resident"])

    text = page_text(page)
    assert "Vautrin" not in text
    assert "Discrétion" not in text
    assert "Jean Inconnu" not in text
    assert "Sacha (Jardinier)" in text
    assert "Réorganisation du service propreté" not in text
    assert "Le secret du service propreté" not in text
    assert session.hidden_case.slug not in text
    assert "1 cas pratique interne au labo" in text
    # The photo of the Lab-only case's journal stays inside the Lab.
    assert page.photos.count() == 1


def test_a_draft_body_holds_block_values_laid_out_by_the_blocks_templates(session, people):
    session.minutes = "Un & deux <b>.\nLigne suivante.\n\nAutre paragraphe."
    session.save()

    page = draft_session_report(session=session, drafted_by=people["resident"])

    blocks = {block.block_type: block for block in page.body}
    assert "paragraph" not in blocks
    # No markup in what is stored: the Lab's text as typed (redacted), a list of plain items.
    assert "<" not in str(page.body.raw_data).replace("<b>", "")
    texts = [block.value for block in page.body if block.block_type == "text"]
    assert "Un & deux <b>.\nLigne suivante.\n\nAutre paragraphe." in texts
    assert list(blocks["bullets"].value) == ["Accueil en mairie", "1 cas pratique interne au labo"]
    html = "".join(str(block.render()) for block in page.body)
    assert "<p>Un &amp; deux &lt;b&gt;.<br>Ligne suivante.</p>\n\n<p>Autre paragraphe.</p>" in html
    assert "<ul><li>Accueil en mairie</li><li>1 cas pratique interne au labo</li></ul>" in html


def test_a_public_case_title_names_people_only_with_consent(lab, people):
    case = make_case(lab, title="Le jardin de Sacha Vautrin", visibility=Visibility.PUBLIC)
    entry = make_entry(case, done="Un potager.", learnt="La pluie aide.")
    Attachment.objects.create(entry=entry, file=ContentFile(png_bytes(), name="jardin.png"))
    session = make_session(lab, title="Jardinage", minutes="Une journée.")
    session.cases.add(case)
    make_agenda_item(session, title="Visite", case=case)
    make_entry(case, session=session, learnt="Le compost prend du temps.")

    report = draft_session_report(session=session, drafted_by=people["resident"])
    story = draft_case_story(case=case, drafted_by=people["resident"])

    story = CaseStoryPage.objects.get(pk=story.pk)
    images = [block.value["image"] for block in story.body if block.block_type == "image"]
    for text in (page_text(report), f"{story.title} {story.body.raw_data} {[image.title for image in images]}"):
        assert "Vautrin" not in text
        assert "Le jardin de Sacha (Jardinier)" in text


def test_drafted_report_is_an_unpublished_draft_in_moderation(session, people):
    page = draft_session_report(session=session, drafted_by=people["resident"])

    page.refresh_from_db()
    assert page.live is False
    assert page.owner == people["resident"]
    assert page.get_latest_revision() is not None
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == people["resident"]
    assert state.current_task_state.task.name == "Relecture par l'équipe éditoriale"
    assert SessionReportPage.objects.published().count() == 0


def test_drafting_twice_opens_the_same_draft(session, people):
    first = draft_session_report(session=session, drafted_by=people["resident"])

    second = draft_session_report(session=session, drafted_by=people["resident"])

    assert second.pk == first.pk
    assert SessionReportPage.objects.filter(session=session).count() == 1
    assert WorkflowState.objects.for_instance(first).count() == 1


def test_drafting_query_count_does_not_grow_with_the_agenda(lab, people):
    starts = (lab.start_date + datetime.timedelta(days=30 * month) for month in range(1, 6))

    def queries_for(items):
        session = make_session(lab, minutes="Une journée.", start_date=next(starts))
        for hour in range(items):
            make_agenda_item(
                session, title=f"Temps {hour}", start_time=datetime.time(8 + hour), end_time=datetime.time(8 + hour, 45)
            )
        with CaptureQueriesContext(connection) as queries:
            draft_session_report(session=session, drafted_by=people["resident"])
        return len(queries)

    queries_for(1)  # Warm Django's and Wagtail's caches (content types, search backend).
    # Not an exact figure: it depends by two queries on what the tests before left in the process.
    assert queries_for(1) == queries_for(3)


def test_case_story_draft_of_a_public_case(lab, people):
    case = make_case(
        lab, title="Accueil en mairie", visibility=Visibility.PUBLIC, stage="prototypage",
        problem_statement="Les usagers se perdent ; Sacha Vautrin l'a constaté.",
    )
    case.tags.add("accueil")
    entry = make_entry(case, done="Un prototype de signalétique.", learnt="Les flèches au sol marchent.")
    Attachment.objects.create(entry=entry, file=ContentFile(png_bytes(), name="fleches.png"), caption="Les flèches")

    page = draft_case_story(case=case, drafted_by=people["resident"])

    page = CaseStoryPage.objects.get(pk=page.pk)
    assert (page.title, page.case, page.stage, page.live) == ("Accueil en mairie", case, "prototypage", False)
    assert page.problem == "Les usagers se perdent ; Sacha (Jardinier) l'a constaté."
    body = str(page.body.raw_data)
    assert "Un prototype de signalétique." in body and "Les flèches au sol marchent." in body
    assert [block.block_type for block in page.body].count("image") == 1
    assert list(page.tags.names()) == ["accueil"]
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_IN_PROGRESS


# --------------------------------------------------------------------------------------------
# The buttons: who may draft, and what they see next
# --------------------------------------------------------------------------------------------


def session_draft_url(session):
    return reverse("docs:session_draft", kwargs={"lab_slug": session.lab.slug, "number": session.number})


def case_draft_url(case):
    return reverse("docs:case_draft", kwargs={"lab_slug": case.lab.slug, "slug": case.slug})


def test_resident_drafts_a_report_and_is_told_it_went_to_moderation(client, session, people):
    client.force_login(people["resident"])

    response = client.post(session_draft_url(session), follow=True)

    page = SessionReportPage.objects.get(session=session)
    assert response.redirect_chain[-1][0] == reverse(
        "docs:draft_status", kwargs={"lab_slug": session.lab.slug, "page_id": page.pk}
    )
    content = response.content.decode()
    assert "Le brouillon est créé et envoyé en relecture." in content
    assert "envoyé en relecture" in content


def stored_before_the_fix(session):
    """Photos stored as they were before every image kept only its pixels: comment and text in."""
    photo = SessionPhoto(session=session, caption="Le groupe")
    photo.image.save("ancienne.jpg", ContentFile(jpeg_with_comment()), save=True)
    entry = session.public_case.entries.get()
    Attachment.objects.create(entry=entry, caption="Le plan", file=ContentFile(png_with_text(), name="plan.png"))


def assert_images_hold_only_pixels(images):
    assert images
    for image in images:
        with image.open_file() as stored:
            assert_only_pixels(stored.read())
        for spec in ("max-165x165", "fill-800x450", "width-400|format-jpeg"):
            with image.get_rendition(spec).file.open("rb") as stored:
                assert_only_pixels(stored.read())


def test_drafted_report_copies_only_the_pixels_of_the_photos(client, session, people):
    stored_before_the_fix(session)
    client.force_login(people["resident"])

    client.post(session_draft_url(session))

    page = SessionReportPage.objects.get(session=session)
    assert page.photos.count() == 3
    assert_images_hold_only_pixels([photo.image for photo in page.photos.all()])


def test_drafted_case_story_copies_only_the_pixels_of_the_photos(client, session, people):
    stored_before_the_fix(session)
    client.force_login(people["resident"])

    client.post(case_draft_url(session.public_case))

    story = CaseStoryPage.objects.get(case=session.public_case)
    images = [block.value["image"] for block in story.body if block.block_type == "image"]
    assert len(images) == 1
    assert_images_hold_only_pixels(images)


def test_a_stored_photo_too_large_is_left_out_of_the_draft_at_once(client, session, people):
    photo = SessionPhoto(session=session, caption="Une affiche")
    photo.image.save("affiche.png", ContentFile(huge_png()), save=True)
    client.force_login(people["resident"])

    started = time.perf_counter()
    response = client.post(session_draft_url(session))
    print(f"drafting: a stored 59-MP PNG left out in {time.perf_counter() - started:.2f} s")

    page = SessionReportPage.objects.get(session=session)
    assert response.status_code == 302
    assert [photo.caption for photo in page.photos.all()] == ["Le groupe avec Sacha (Jardinier)"]
    assert get_image_model().objects.count() == 1


def test_the_status_page_names_the_review_step_in_french(client, session, people):
    client.force_login(people["resident"])

    response = client.post(session_draft_url(session), follow=True)

    content = response.content.decode()
    assert "Étape en cours : Relecture par l&#x27;équipe éditoriale." in content
    assert "Moderators" not in content


def test_resident_gets_the_link_to_the_draft_in_their_labs_place(client, session, people):
    # No group given by hand: the resident role opens the Lab's part of Wagtail.
    assert not people["resident"].groups.filter(name__in=["Editors", "Moderators"]).exists()
    client.force_login(people["resident"])

    response = client.post(session_draft_url(session), follow=True)

    page = SessionReportPage.objects.get(session=session)
    assert f'href="/cms/pages/{page.pk}/edit/"' in response.content.decode()


def test_the_session_page_offers_the_button_to_those_who_run_the_lab(client, session, people):
    client.force_login(people["resident"])
    assert session_draft_url(session) in client.get(session.get_absolute_url()).content.decode()

    client.force_login(people["ambassador"].user)
    assert session_draft_url(session) not in client.get(session.get_absolute_url()).content.decode()


def test_ambassador_cannot_draft(client, session, people):
    client.force_login(people["ambassador"].user)

    assert client.post(session_draft_url(session)).status_code == 404
    assert client.post(case_draft_url(session.public_case)).status_code == 404
    assert not SessionReportPage.objects.exists() and not CaseStoryPage.objects.exists()


def test_resident_of_another_lab_cannot_draft(client, session):
    other = make_resident(make_lab()).user
    client.force_login(other)

    assert client.post(session_draft_url(session)).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, session):
    response = client.post(session_draft_url(session))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not SessionReportPage.objects.exists()


def test_drafting_is_a_post(client, session, people):
    client.force_login(people["resident"])

    assert client.get(session_draft_url(session)).status_code == 405
    assert not SessionReportPage.objects.exists()


def test_story_of_a_lab_only_case_is_refused_with_a_message(client, session, people):
    client.force_login(people["resident"])

    response = client.post(case_draft_url(session.hidden_case))

    assert response.status_code == 409
    assert "rendez-le public" in response.content.decode()
    assert not CaseStoryPage.objects.exists()


def test_case_page_offers_the_story_button_only_for_a_public_case(client, session, people):
    client.force_login(people["resident"])

    assert case_draft_url(session.public_case) in client.get(session.public_case.get_absolute_url()).content.decode()
    hidden_page = client.get(session.hidden_case.get_absolute_url()).content.decode()
    assert case_draft_url(session.hidden_case) not in hidden_page


# --------------------------------------------------------------------------------------------
# Publishing never exposes a non-public item by a link
# --------------------------------------------------------------------------------------------


def article_linking(lab, href, title="Un article"):
    index = DocumentationIndexPage.objects.first()
    page = ArticlePage(
        title=title, lab=lab, live=False,
        body=[("paragraph", f'<p>Voir <a href="{href}">ce lien</a>.</p>')],
    )
    index.add_child(instance=page)
    page.save_revision()
    return page


def test_non_public_links_finds_a_lab_only_case_but_not_a_public_one(session):
    hidden = article_linking(session.lab, session.hidden_case.get_absolute_url(), "Caché")
    public = article_linking(session.lab, session.public_case.get_absolute_url(), "Public")
    absolute = article_linking(session.lab, "http://testserver" + session.get_absolute_url(), "Absolu")
    outside = article_linking(session.lab, "https://www.la27eregion.fr/labs/x/cas/y/", "Ailleurs")

    assert non_public_links(hidden) == [session.hidden_case.get_absolute_url()]
    assert non_public_links(public) == []
    assert non_public_links(absolute) == ["http://testserver" + session.get_absolute_url()]
    assert non_public_links(outside) == []
    english = article_linking(session.lab, "/en" + session.hidden_case.get_absolute_url(), "En anglais")
    assert non_public_links(english) == ["/en" + session.hidden_case.get_absolute_url()]


def test_non_public_links_finds_an_unpublished_page_linked_inside(session):
    draft = article_linking(session.lab, "https://example.org/", "Brouillon")
    linking = ArticlePage(
        title="Renvoi", lab=session.lab, live=False,
        body=[("paragraph", f'<p>Voir <a linktype="page" id="{draft.pk}">le brouillon</a>.</p>')],
    )
    DocumentationIndexPage.objects.first().add_child(instance=linking)

    assert len(non_public_links(linking)) == 1
    by_path = article_linking(session.lab, "/en/documentation/" + draft.slug + "/", "Par son adresse")
    assert non_public_links(by_path) == ["/en/documentation/" + draft.slug + "/"]


def test_drafted_report_has_no_non_public_link(session, people):
    page = draft_session_report(session=session, drafted_by=people["resident"])

    assert non_public_links(page) == []


@pytest.fixture
def moderator():
    user = make_user(first_name="Mona", last_name="Modératrice")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_moderator_approving_a_page_linking_a_lab_only_case_is_refused(client, session, people, moderator):
    page = draft_session_report(session=session, drafted_by=people["resident"])
    page.body = [("paragraph", f'<p><a href="{session.hidden_case.get_absolute_url()}">le cas</a></p>')]
    page.save_revision(user=people["resident"])
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    client.force_login(moderator)

    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]), follow=True
    )

    page.refresh_from_db()
    assert page.live is False
    assert "Publication refusée" in response.content.decode()
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_IN_PROGRESS


def test_moderator_approving_a_clean_draft_publishes_it(client, session, people, moderator):
    page = draft_session_report(session=session, drafted_by=people["resident"])
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    client.force_login(moderator)

    client.post(reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]))

    page.refresh_from_db()
    assert page.live is True
    public = client.get(page.url)
    assert "Accueil et café" in public.content.decode()
    assert "Vautrin" not in public.content.decode()


def edit_form_data(page, href):
    """What the admin's edit form posts for an article whose body links to ``href``."""
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "date": page.date.isoformat(),
            "lab": page.lab_id,
            "intro": "",
            "tags": "",
            "authors": "",
            "licence": page.licence,
            "cover_image": "",
            "body": streamfield([("paragraph", rich_text(f'<p>Voir <a href="{href}">ce lien</a>.</p>'))]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )


def test_publish_button_refuses_a_page_linking_a_lab_only_case(client, session, moderator):
    page = article_linking(session.lab, "https://example.org/")
    client.force_login(moderator)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, session.hidden_case.get_absolute_url()),
    )

    page.refresh_from_db()
    assert page.live is False
    assert response.status_code == 200
    assert "Publication refusée" in response.content.decode()
    # Nothing was saved either: the editor still has the form as they left it.
    assert page.get_latest_revision_as_object().body.raw_data[0]["value"].count("example.org") == 1


def test_publish_button_publishes_a_page_without_such_link(client, session, moderator):
    page = article_linking(session.lab, "https://example.org/")
    client.force_login(moderator)

    client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, session.public_case.get_absolute_url()),
    )

    page.refresh_from_db()
    assert page.live is True


def test_approving_from_the_edit_page_refuses_a_page_linking_a_lab_only_case(client, session, moderator, people):
    page = article_linking(session.lab, "https://example.org/")
    page.get_workflow().start(page, people["resident"])
    client.force_login(moderator)
    data = edit_form_data(page, session.hidden_case.get_absolute_url())
    del data["action-publish"]

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {**data, "action-workflow-action": "true", "workflow-action-name": "approve"},
    )

    page.refresh_from_db()
    assert page.live is False
    assert "Publication refusée" in response.content.decode()
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_IN_PROGRESS


def test_drafting_again_says_the_page_already_exists(client, session, people):
    client.force_login(people["resident"])
    client.post(session_draft_url(session))

    response = client.post(session_draft_url(session), follow=True)

    assert "avait déjà été rédigée" in response.content.decode()
    assert SessionReportPage.objects.filter(session=session).count() == 1


def test_report_drafted_from_a_demo_session_keeps_its_agenda_and_minutes_and_leaves_out_the_rest():
    from ambassadors.models import Ambassador
    from cases.models import Case
    from docs.drafting import Redactor
    from programmes.models import LabMembership
    from sessions.models import Session
    from transfo.demo import load_demo

    load_demo()
    session = (
        Session.objects.exclude(minutes="").filter(agenda_items__isnull=False, cases__visibility=Visibility.LAB)
        .exclude(pk__in=SessionReportPage.objects.filter(session__isnull=False).values("session"))
        .select_related("lab").order_by("pk").first()
    )
    raw = session.minutes + " ".join(f"{i.title} {i.facilitators} {i.description}" for i in session.agenda_items.all())
    resident = LabMembership.objects.filter(lab=session.lab).first().user
    redactor = Redactor.for_lab(session.lab)

    text = page_text(draft_session_report(session=session, drafted_by=resident))

    for item in session.agenda_items.all():
        assert redactor.text(item.title) in text
    assert redactor.text(session.minutes).splitlines()[0] in text
    hidden_people = [a.full_name for a in Ambassador.objects.filter(lab=session.lab, public_consent=False)]
    hidden_people += [
        m.user.get_full_name() for m in LabMembership.objects.filter(lab=session.lab, public_consent=False)
    ]
    hidden_cases = list(
        Case.objects.filter(lab=session.lab).exclude(visibility=Visibility.PUBLIC).values_list("title", flat=True)
    )
    # The demo session does name people without consent and work on a Lab-only case.
    assert [name for name in hidden_people if name in raw] and session.cases.filter(visibility=Visibility.LAB)
    assert [name for name in hidden_people if name in text] == []
    assert [title for title in hidden_cases if title in text] == []
