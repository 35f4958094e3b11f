"""Wagtail per Lab: a resident works only in their own Lab's part of the documentation.

Two Labs of one programme. Lab B's drafts, revisions, images and documents carry the marker
``SECRETB`` in their titles and file names. A resident of Lab A must never read it in any view
of Wagtail's admin, nor change anything of Lab B; they still write, upload and submit for
moderation in Lab A, and the coordination approves.

The guard reads Wagtail's URL configuration: every admin URL pattern that takes an object id
must be classified in ``OBJECT_URLS`` (which object of Lab B it is probed with) or in
``NOT_LAB_CONTENT`` (objects that belong to no Lab, which a resident may not manage at all), so
a view added by a Wagtail upgrade cannot slip through unchecked.

The world is built once for the module (one transaction rolled back at the end); each test
runs in a savepoint of its own.
"""
import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, PageLogEntry, Revision, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from docs.models import ArticlePage, LabPage, LabSpace, ProgrammeSpace, SessionReportPage
from docs.rights import sync_everything
from programmes.models import Coordination, LabMembership

from ..factories import make_case, make_lab, make_programme, make_session, make_user

MARKER = "SECRETB"


def png_bytes(colour="white", size=(8, 6)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _person(**names):
    user = make_user(**names)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _draft(parent, page_class, *, title, slug, owner, lab, **fields):
    page = page_class(title=title, slug=slug, owner=owner, lab=lab, live=False, **fields)
    parent.add_child(instance=page)
    page.save_revision(user=owner, log_action=True)
    return page


def _image(collection, *, title, name, uploaded_by):
    Image = get_image_model()
    image = Image(title=title, file=ContentFile(png_bytes(), name=name), collection=collection, uploaded_by_user=uploaded_by)
    image.save()
    return image


def _build_world():
    programme = make_programme()
    lab_a = make_lab(programme=programme, name="La Transfo A", slug="transfo-a")
    lab_b = make_lab(programme=programme, name="La Transfo B", slug="transfo-b")
    people = {
        "resident_a": _person(first_name="Alice", last_name="Résidente"),
        "colleague_a": _person(first_name="Arthur", last_name="Collègue"),
        "resident_b": _person(first_name="Bruno", last_name="Résident"),
        "coordinator": _person(first_name="Claire", last_name="Coordination"),
        "editor": _person(first_name="Emma", last_name="Éditrice"),
    }
    LabMembership.objects.create(lab=lab_a, user=people["resident_a"], role=LabMembership.Role.RESIDENT)
    LabMembership.objects.create(lab=lab_a, user=people["colleague_a"], role=LabMembership.Role.HOST)
    LabMembership.objects.create(lab=lab_b, user=people["resident_b"], role=LabMembership.Role.RESIDENT)
    Coordination.objects.create(programme=programme, user=people["coordinator"])
    people["editor"].groups.add(Group.objects.get(name="Moderators"))

    place_a, place_b = LabPage.objects.get(lab=lab_a), LabPage.objects.get(lab=lab_b)
    space_a, space_b = LabSpace.objects.get(lab=lab_a), LabSpace.objects.get(lab=lab_b)
    # Lab B's page itself has unpublished work in progress.
    place_b.title = f"Page du labo {MARKER}-labpage"
    place_b.save_revision(user=people["resident_b"], log_action=True)

    b_image = _image(space_b.collection, title=f"Photo {MARKER}-image", name="secretb-photo.png", uploaded_by=people["resident_b"])
    b_document = get_document_model().objects.create(
        title=f"Document {MARKER}-doc", file=ContentFile(b"ordre du jour", name="secretb-notes.txt"),
        collection=space_b.collection, uploaded_by_user=people["resident_b"],
    )
    b_draft = _draft(
        place_b, SessionReportPage, title=f"Compte rendu {MARKER}-draft", slug="compte-rendu-b",
        owner=people["resident_b"], lab=lab_b, cover_image=b_image,
    )
    b_draft.get_workflow().start(b_draft, people["resident_b"])
    # A live page of Lab B showing its image, with a pending draft of a new title.
    b_live = ArticlePage(title="Article public de B", slug="article-b", owner=people["resident_b"], lab=lab_b, cover_image=b_image)
    place_b.add_child(instance=b_live)
    b_live.save_revision(user=people["resident_b"]).publish()
    b_live.title = f"Article {MARKER}-pending"
    b_live.save_revision(user=people["resident_b"], log_action=True)

    a_image = _image(space_a.collection, title="Photo de A", name="photo-a.png", uploaded_by=people["resident_a"])
    a_live = ArticlePage(title="Article public de A", slug="article-a", owner=people["resident_a"], lab=lab_a, cover_image=a_image)
    place_a.add_child(instance=a_live)
    a_live.save_revision(user=people["resident_a"]).publish()
    a_draft = _draft(place_a, ArticlePage, title="Brouillon de A", slug="brouillon-a", owner=people["colleague_a"], lab=lab_a)

    for page in (b_draft, b_live, place_b, a_live, a_draft, place_a):
        page.refresh_from_db()
    return {
        "programme": programme, "lab_a": lab_a, "lab_b": lab_b, "people": people,
        "place_a": place_a, "place_b": place_b, "space_a": space_a, "space_b": space_b,
        "b_image": b_image, "b_document": b_document, "b_draft": b_draft, "b_live": b_live,
        "a_image": a_image, "a_live": a_live, "a_draft": a_draft,
        "b_task_state": WorkflowState.objects.for_instance(b_draft).get().current_task_state,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def resident(client, world, db):
    client.force_login(world["people"]["resident_a"])
    return client


def assert_no_marker(response, where):
    body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
    assert MARKER.lower() not in body.lower(), f"{where} shows Lab B's {MARKER} ({response.status_code})"


def refused(response):
    """403, 404, 405 or 400, or a redirect away (to the dashboard or the login): never B's content."""
    if response.status_code in (400, 403, 404, 405):
        return True
    return response.status_code == 302 and MARKER.lower() not in response.get("Location", "").lower()


# --------------------------------------------------------------------------------------------
# The attacks seen, one by one
# --------------------------------------------------------------------------------------------


def test_resident_cannot_view_another_labs_draft(resident, world):
    response = resident.get(reverse("wagtailadmin_pages:view_draft", args=[world["b_draft"].pk]))

    assert refused(response)
    assert_no_marker(response, "view_draft")


def test_resident_cannot_open_another_labs_image(resident, world):
    response = resident.get(reverse("wagtailimages:edit", args=[world["b_image"].pk]))

    assert refused(response)
    assert_no_marker(response, "image edit")


def test_resident_lists_no_draft_title_of_another_lab(resident, world):
    for url in (
        reverse("wagtailadmin_pages:search") + "?q=Compte",
        reverse("wagtailadmin_pages:search") + "?q=Article",
        reverse("wagtailadmin_explore", args=[Page.get_first_root_node().pk]) + "?q=Compte&search_all=1",
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_choose_page_search") + "?q=Compte",
        reverse("wagtailadmin_choose_page_search") + "?q=Article",
        reverse("wagtailadmin_choose_page_search") + "?q=Page",
    ):
        response = resident.get(url)
        assert response.status_code in (200, 302, 403), url
        assert_no_marker(response, url)


def test_site_history_shows_a_resident_their_own_labs_pages(resident, world):
    world["a_draft"].save_revision(user=world["people"]["colleague_a"], log_action=True)

    content = resident.get(reverse("wagtailadmin_reports:site_history")).content.decode()

    assert "Brouillon de A" in content
    assert MARKER not in content
    assert "Article public de B" not in content


def test_resident_cannot_replace_the_file_of_another_labs_live_image(resident, world):
    image = world["b_image"]
    before = image.file.name

    response = resident.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {"title": "Remplacée", "file": SimpleUploadedFile("autre.png", png_bytes("red"), content_type="image/png")},
    )

    image.refresh_from_db()
    assert refused(response)
    assert (image.file.name, image.title) == (before, f"Photo {MARKER}-image")


def test_resident_cannot_delete_another_labs_draft(resident, world):
    response = resident.post(reverse("wagtailadmin_pages:delete", args=[world["b_draft"].pk]))

    assert refused(response)
    assert Page.objects.filter(pk=world["b_draft"].pk).exists()


def test_resident_cannot_open_the_editor_of_another_labs_pages(resident, world):
    for page in (world["b_draft"], world["b_live"], world["place_b"]):
        response = resident.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert refused(response), page
        assert_no_marker(response, f"edit {page.pk}")


def test_residents_and_hosts_are_in_no_site_wide_group(world, db):
    for name in ("resident_a", "colleague_a", "resident_b"):
        assert not world["people"][name].groups.filter(name__in=["Editors", "Moderators"]).exists()


# --------------------------------------------------------------------------------------------
# Nobody changes a live image outside moderation
# --------------------------------------------------------------------------------------------


def replace_file(client, image, colour="red"):
    return client.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {"title": image.title, "collection": image.collection_id,
         "file": SimpleUploadedFile("nouvelle.png", png_bytes(colour), content_type="image/png")},
    )


def test_resident_cannot_replace_the_file_of_their_own_labs_live_image(resident, world):
    image = world["a_image"]
    before = image.file.name

    response = replace_file(resident, image)

    image.refresh_from_db()
    assert response.status_code == 200
    assert "Cette image est montrée par une page publiée" in response.content.decode()
    assert image.file.name == before


def test_coordination_cannot_replace_a_live_image_in_place_either(client, world, db):
    client.force_login(world["people"]["coordinator"])
    image = world["a_image"]
    before = image.file.name

    response = replace_file(client, image)

    image.refresh_from_db()
    assert "Cette image est montrée par une page publiée" in response.content.decode()
    assert image.file.name == before


def test_resident_may_replace_the_file_of_an_image_no_live_page_shows(resident, world):
    image = _image(world["space_a"].collection, title="Essai", name="essai.png", uploaded_by=world["people"]["resident_a"])

    response = replace_file(resident, image)

    image.refresh_from_db()
    assert response.status_code == 302
    assert "nouvelle" in image.file.name


def test_site_editor_may_replace_a_live_image(client, world, db):
    editor = world["people"]["editor"]
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    image = world["a_image"]

    response = replace_file(client, image, colour="blue")

    image.refresh_from_db()
    assert response.status_code == 302
    assert "nouvelle" in image.file.name


# --------------------------------------------------------------------------------------------
# Journey 4 in the resident's own Lab, and the coordination's approval
# --------------------------------------------------------------------------------------------


def article_form(page, action):
    return nested_form_data(
        {
            "title": "Brouillon de A, relu",
            "slug": page.slug,
            "date": page.date.isoformat(),
            "lab": page.lab_id,
            "intro": "",
            "tags": "",
            "authors": "",
            "licence": page.licence,
            "cover_image": "",
            "body": streamfield([("paragraph", rich_text("<p>Ce que la session a appris.</p>"))]),
            "comments": inline_formset([]),
            action: action,
        }
    )


def test_resident_edits_and_submits_their_labs_draft_for_moderation(resident, world):
    page = world["a_draft"]

    response = resident.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), article_form(page, "action-submit"))

    page.refresh_from_db()
    assert response.status_code == 302
    assert page.draft_title == "Brouillon de A, relu"
    assert page.live is False
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_IN_PROGRESS


def test_a_page_in_a_labs_place_stays_that_labs(resident, world):
    page = world["a_draft"]
    data = article_form(page, "action-submit")
    data["lab"] = world["lab_b"].pk

    response = resident.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)

    page.refresh_from_db()
    assert response.status_code == 200
    assert page.get_latest_revision_as_object().lab_id == world["lab_a"].pk
    assert not WorkflowState.objects.for_instance(page).exists()


def test_resident_cannot_publish_directly(resident, world):
    page = world["a_draft"]

    resident.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), article_form(page, "action-publish"))

    page.refresh_from_db()
    assert page.live is False


def test_resident_adds_a_page_in_their_labs_place_only(resident, world):
    add_a = reverse("wagtailadmin_pages:add", args=["docs", "articlepage", world["place_a"].pk])
    add_b = reverse("wagtailadmin_pages:add", args=["docs", "articlepage", world["place_b"].pk])
    index = Page.objects.get(slug="documentation")
    add_index = reverse("wagtailadmin_pages:add", args=["docs", "articlepage", index.pk])

    assert resident.get(add_a).status_code == 200
    assert refused(resident.get(add_b))
    assert refused(resident.get(add_index))


def test_resident_uploads_an_image_into_their_labs_collection_only(resident, world):
    def upload(collection, title):
        return resident.post(
            reverse("wagtailimages:add"),
            {"title": title, "collection": collection.pk,
             "file": SimpleUploadedFile("photo.png", png_bytes("green"), content_type="image/png")},
        )

    upload(world["space_a"].collection, "Photo de session A")
    upload(world["space_b"].collection, "Photo glissée chez B")
    upload(Collection.get_first_root_node(), "Photo glissée à la racine")

    # Their Lab's collection is the only one they may add to: whatever the form says, it goes there.
    uploaded = get_image_model().objects.filter(title__in=["Photo de session A", "Photo glissée chez B", "Photo glissée à la racine"])
    assert {image.collection_id for image in uploaded} == {world["space_a"].collection.pk}


def test_coordination_approves_a_labs_page_in_moderation(client, world, db):
    page, task_state = world["b_draft"], world["b_task_state"]
    client.force_login(world["people"]["coordinator"])

    # Waiting for their review on their dashboard, then approved.
    assert f"Compte rendu {MARKER}-draft" in client.get(reverse("wagtailadmin_home")).content.decode()
    client.post(reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]))

    page.refresh_from_db()
    assert page.live is True


def test_coordination_of_another_programme_cannot_approve(client, world, db):
    other = _person(first_name="Olga", last_name="Ailleurs")
    Coordination.objects.create(programme=make_programme(), user=other)
    page, task_state = world["b_draft"], world["b_task_state"]
    client.force_login(other)

    assert MARKER not in client.get(reverse("wagtailadmin_home")).content.decode()
    response = client.post(reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]))

    page.refresh_from_db()
    assert refused(response)
    assert page.live is False


def test_coordination_publishes_directly(client, world, db):
    page = world["a_draft"]
    client.force_login(world["people"]["coordinator"])

    client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), article_form(page, "action-publish"))

    page.refresh_from_db()
    assert page.live is True


def test_resident_still_sees_their_own_labs_draft_and_image(resident, world):
    assert resident.get(reverse("wagtailadmin_pages:view_draft", args=[world["a_draft"].pk])).status_code == 200
    assert resident.get(reverse("wagtailadmin_pages:edit", args=[world["a_draft"].pk])).status_code == 200
    assert resident.get(reverse("wagtailimages:edit", args=[world["a_image"].pk])).status_code == 200
    listing = resident.get(reverse("wagtailadmin_pages:search") + "?q=Brouillon").content.decode()
    assert "Brouillon de A" in listing


# --------------------------------------------------------------------------------------------
# Rights derived from the roles, audited
# --------------------------------------------------------------------------------------------


def test_a_new_lab_gets_its_page_collection_and_group(world, db):
    lab = make_lab(programme=world["programme"], name="La Transfo C", slug="transfo-c")

    space = LabSpace.objects.get(lab=lab)
    page = LabPage.objects.get(lab=lab)
    assert page.live is False and page.get_parent().slug == "transfos"
    assert space.collection.get_parent() == ProgrammeSpace.objects.get(programme=world["programme"]).collection
    assert space.group.page_permissions.filter(page=page).count() == 2


def test_granting_and_revoking_a_role_moves_the_wagtail_rights_and_is_audited(client, world, db, caplog):
    newcomer = _person(first_name="Nina", last_name="Nouvelle")
    group = LabSpace.objects.get(lab=world["lab_a"]).group
    client.force_login(newcomer)
    edit = reverse("wagtailadmin_pages:edit", args=[world["a_draft"].pk])

    with caplog.at_level("INFO", logger="transfo.audit"):
        membership = LabMembership.objects.create(lab=world["lab_a"], user=newcomer, role=LabMembership.Role.RESIDENT)
        assert client.get(edit).status_code == 200
        membership.delete()

    assert not newcomer.groups.filter(pk=group.pk).exists()
    assert refused(client.get(edit))
    lines = [record.getMessage() for record in caplog.records if f'group="{group.name}"' in record.getMessage()]
    assert any("change=granted" in line for line in lines)
    assert any("change=revoked" in line for line in lines)


def test_a_group_joined_by_hand_is_taken_back_by_the_sync(world, db):
    stranger = _person(first_name="Sam", last_name="Intrus")
    stranger.groups.add(LabSpace.objects.get(lab=world["lab_b"]).group)

    sync_everything()

    assert not stranger.groups.exists()


def test_sync_moves_a_labs_page_into_its_place_and_keeps_its_old_address(client, world, db):
    index = Page.objects.get(slug="documentation")
    stray = ArticlePage(title="Article rangé ailleurs", slug="article-range-ailleurs", lab=world["lab_a"])
    index.add_child(instance=stray)
    stray.save_revision().publish()
    old_url = stray.url

    sync_everything()
    sync_everything()

    stray.refresh_from_db()
    assert stray.get_parent().pk == world["place_a"].pk
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"].endswith(stray.url)


# --------------------------------------------------------------------------------------------
# The guard: every view of Wagtail's admin, read from its URL configuration
# --------------------------------------------------------------------------------------------

ADMIN_PREFIX = "cms/"


def _admin_patterns(patterns=None, prefix="", namespace=None):
    """(name, parameter names) of every pattern of Wagtail's admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from _admin_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and route.startswith(ADMIN_PREFIX):
            # Unnamed: our own guards in front of Wagtail's views, named by their route.
            name = ":".join(part for part in (namespace, pattern.name) if part) or route
            converters = getattr(pattern.pattern, "converters", {})
            params = set(converters) | set(pattern.pattern.regex.groupindex)
            yield name, frozenset(params)


def _revision(page):
    return Revision.page_revisions.filter(object_id=str(page.pk)).order_by("-pk").first().pk


def _b_pages(w):
    return [w["b_draft"], w["b_live"], w["place_b"]]


def _page_kwargs(key):
    return lambda w: [{key: page.pk} for page in _b_pages(w)]


# Views of one object of Lab B (a page, a revision, a task, an image, a document): how to name it.
OBJECT_URLS = {
    "wagtailadmin_explore": _page_kwargs("parent_page_id"),
    "wagtailadmin_explore_results": _page_kwargs("parent_page_id"),
    "wagtailadmin_choose_page_child": _page_kwargs("parent_page_id"),
    "wagtailadmin_pages:add_subpage": _page_kwargs("parent_page_id"),
    "wagtailadmin_pages:add": lambda w: [
        {"content_type_app_name": "docs", "content_type_model_name": "articlepage", "parent_page_id": w["place_b"].pk}
    ],
    "wagtailadmin_pages:preview_on_add": lambda w: [
        {"content_type_app_name": "docs", "content_type_model_name": "articlepage", "parent_page_id": w["place_b"].pk}
    ],
    "wagtailadmin_pages:usage": _page_kwargs("page_id"),
    "wagtailadmin_pages:edit": _page_kwargs("page_id"),
    "wagtailadmin_pages:preview_on_edit": _page_kwargs("page_id"),
    "wagtailadmin_pages:view_draft": _page_kwargs("page_id"),
    "wagtailadmin_pages:delete": _page_kwargs("page_id"),
    "wagtailadmin_pages:unpublish": _page_kwargs("page_id"),
    "wagtailadmin_pages:convert_alias": _page_kwargs("page_id"),
    "wagtailadmin_pages:move": _page_kwargs("page_to_move_id"),
    "wagtailadmin_pages:move_confirm": lambda w: [
        {"page_to_move_id": w["b_draft"].pk, "destination_id": w["place_a"].pk},
        {"page_to_move_id": w["a_draft"].pk, "destination_id": w["place_b"].pk},
    ],
    "wagtailadmin_pages:set_page_position": _page_kwargs("page_to_move_id"),
    "wagtailadmin_pages:copy": _page_kwargs("page_id"),
    "wagtailadmin_pages:workflow_action": lambda w: [
        {"page_id": w["b_draft"].pk, "action_name": action, "task_state_id": w["b_task_state"].pk}
        for action in ("approve", "reject")
    ],
    "wagtailadmin_pages:collect_workflow_action_data": lambda w: [
        {"page_id": w["b_draft"].pk, "action_name": "approve", "task_state_id": w["b_task_state"].pk}
    ],
    "wagtailadmin_pages:confirm_workflow_cancellation": _page_kwargs("page_id"),
    "wagtailadmin_pages:workflow_preview": lambda w: [
        {"page_id": w["b_draft"].pk, "task_id": w["b_task_state"].task_id}
    ],
    "wagtailadmin_pages:set_privacy": _page_kwargs("page_id"),
    "wagtailadmin_pages:lock": _page_kwargs("page_id"),
    "wagtailadmin_pages:unlock": _page_kwargs("page_id"),
    "wagtailadmin_pages:revisions_index": _page_kwargs("page_id"),
    "wagtailadmin_pages:revisions_view": lambda w: [
        {"page_id": page.pk, "revision_id": _revision(page)} for page in _b_pages(w)
    ],
    "wagtailadmin_pages:revisions_revert": lambda w: [
        {"page_id": page.pk, "revision_id": _revision(page)} for page in _b_pages(w)
    ],
    "wagtailadmin_pages:revisions_unschedule": lambda w: [
        {"page_id": page.pk, "revision_id": _revision(page)} for page in _b_pages(w)
    ],
    "wagtailadmin_pages:revisions_compare": lambda w: [
        {"pk": page.pk, "revision_id_a": "earliest", "revision_id_b": "latest"} for page in _b_pages(w)
    ],
    "wagtailadmin_pages:workflow_history": _page_kwargs("page_id"),
    "wagtailadmin_pages:workflow_history_detail": lambda w: [
        {"page_id": w["b_draft"].pk, "workflow_state_id": w["b_task_state"].workflow_state_id}
    ],
    "wagtailadmin_pages:history": _page_kwargs("page_id"),
    "wagtailadmin_pages:history_results": _page_kwargs("page_id"),
    "wagtailforms:list_submissions": _page_kwargs("page_id"),
    "wagtailforms:list_submissions_results": _page_kwargs("page_id"),
    "wagtailforms:delete_submissions": _page_kwargs("page_id"),
    "wagtailadmin_api:pages:detail": _page_kwargs("pk"),
    "wagtailadmin_api:pages:action": lambda w: [
        {"pk": page.pk, "action_name": action} for page in _b_pages(w)
        for action in ("delete", "publish", "unpublish", "copy", "move", "revert_to_page_revision")
    ],
    "wagtailadmin_editing_sessions:ping": lambda w: [
        {"app_label": "wagtailcore", "model_name": "page", "object_id": str(page.pk), "session_id": 1}
        for page in _b_pages(w)
    ],
    "wagtailadmin_workflows:remove": lambda w: [{"page_pk": page.pk} for page in _b_pages(w)],
    "wagtailimages:edit": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailimages:delete": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailimages:url_generator": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailimages:url_generator_output": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailimages:preview": lambda w: [{"image_id": w["b_image"].pk, "filter_spec": "original"}],
    "wagtailimages:image_usage": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailimages:edit_multiple": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailimages:delete_multiple": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailimages_chooser:chosen": lambda w: [{"pk": str(w["b_image"].pk)}],
    "wagtailimages_chooser:select_format": lambda w: [{"image_id": w["b_image"].pk}],
    "wagtailadmin_api:images:detail": lambda w: [{"pk": w["b_image"].pk}],
    "wagtaildocs:edit": lambda w: [{"document_id": w["b_document"].pk}],
    "wagtaildocs:delete": lambda w: [{"document_id": w["b_document"].pk}],
    "wagtaildocs:edit_multiple": lambda w: [{"doc_id": w["b_document"].pk}],
    "wagtaildocs:delete_multiple": lambda w: [{"doc_id": w["b_document"].pk}],
    "wagtaildocs:document_usage": lambda w: [{"document_id": w["b_document"].pk}],
    "wagtaildocs_chooser:chosen": lambda w: [{"pk": str(w["b_document"].pk)}],
    "wagtailadmin_api:documents:detail": lambda w: [{"pk": w["b_document"].pk}],
    # The fiches' evidence choosers (docs.choosers): Lab B's Lab-only session and case.
    "session_chooser:chosen": lambda w: [{"pk": str(make_session(w["lab_b"], title=f"Session {MARKER}").pk)}],
    "case_chooser:chosen": lambda w: [{"pk": str(make_case(w["lab_b"], title=f"Cas {MARKER}").pk)}],
}


def _first(model):
    return lambda w: model.objects.order_by("pk").values_list("pk", flat=True).first() or 1


# Views of objects that belong to no Lab (collections, workflows, sites, users, groups, settings,
# a person's own uploads and editing sessions): a resident may manage none of them.
NOT_LAB_CONTENT = {
    "wagtailadmin_collections:edit": lambda w: [{"pk": w["space_b"].collection_id}],
    "wagtailadmin_collections:delete": lambda w: [{"pk": w["space_b"].collection_id}],
    "wagtailadmin_collections:set_privacy": lambda w: [{"collection_id": w["space_b"].collection_id}],
    "wagtailadmin_workflows:enable": lambda w: [{"pk": 1}],
    "wagtailadmin_workflows:disable": lambda w: [{"pk": 1}],
    "wagtailadmin_workflows:edit": lambda w: [{"pk": 1}],
    "wagtailadmin_workflows:usage": lambda w: [{"pk": 1}],
    "wagtailadmin_workflows:usage_results": lambda w: [{"pk": 1}],
    "wagtailadmin_workflows:add_task": lambda w: [{"app_label": "docs", "model_name": "publisherapprovaltask"}],
    "wagtailadmin_workflows:edit_task": lambda w: [{"pk": w["b_task_state"].task_id}],
    "wagtailadmin_workflows:disable_task": lambda w: [{"pk": w["b_task_state"].task_id}],
    "wagtailadmin_workflows:enable_task": lambda w: [{"pk": w["b_task_state"].task_id}],
    "wagtailredirects:edit": lambda w: [{"redirect_id": 1}],
    "wagtailredirects:delete": lambda w: [{"redirect_id": 1}],
    "wagtailsettings:edit": lambda w: [{"app_name": "wagtailcore", "model_name": "site"}],
    "wagtailsettings:preview_on_edit": lambda w: [{"app_name": "wagtailcore", "model_name": "site", "pk": 1}],
    "wagtailsites:edit": lambda w: [{"pk": 1}],
    "wagtailsites:delete": lambda w: [{"pk": 1}],
    "wagtailsites:history": lambda w: [{"pk": 1}],
    "wagtailsites:history_results": lambda w: [{"pk": 1}],
    "wagtailsites:usage": lambda w: [{"pk": 1}],
    "wagtailsites:copy": lambda w: [{"pk": 1}],
    "wagtailusers_users:edit": lambda w: [{"pk": w["people"]["resident_b"].pk}],
    "wagtailusers_users:delete": lambda w: [{"pk": w["people"]["resident_b"].pk}],
    "wagtailusers_users:history": lambda w: [{"pk": w["people"]["resident_b"].pk}],
    "wagtailusers_users:history_results": lambda w: [{"pk": w["people"]["resident_b"].pk}],
    "wagtailusers_users:usage": lambda w: [{"pk": w["people"]["resident_b"].pk}],
    "wagtailusers_users:copy": lambda w: [{"pk": w["people"]["resident_b"].pk}],
    "wagtailusers_groups:edit": lambda w: [{"pk": w["space_b"].group_id}],
    "wagtailusers_groups:delete": lambda w: [{"pk": w["space_b"].group_id}],
    "wagtailusers_groups:history": lambda w: [{"pk": w["space_b"].group_id}],
    "wagtailusers_groups:history_results": lambda w: [{"pk": w["space_b"].group_id}],
    "wagtailusers_groups:usage": lambda w: [{"pk": w["space_b"].group_id}],
    # Uploads waiting in a multiple upload belong to whoever sent them.
    "wagtailimages:create_multiple_from_uploaded_image": lambda w: [{"uploaded_file_id": 1}],
    "wagtailimages:delete_upload_multiple": lambda w: [{"uploaded_file_id": 1}],
    "wagtaildocs:create_multiple_from_uploaded_document": lambda w: [{"uploaded_file_id": 1}],
    "wagtaildocs:delete_upload_multiple": lambda w: [{"uploaded_file_id": 1}],
}

# Views of objects of no Lab that any admin user may use: they tell a workflow step's name, or
# end one's own editing session. Read like a listing (never the marker).
NAMES_ONLY = {
    "wagtailadmin_workflows:task_chosen": lambda w: [{"task_id": w["b_task_state"].task_id}],
    "wagtailadmin_editing_sessions:release": lambda w: [{"session_id": 1}],
}

# Parameters that name a kind, not an object: filled in, then read like a listing.
KIND_URLS = {
    "wagtailadmin_pages:type_use": [{"content_type_app_name": "docs", "content_type_model_name": m} for m in ("sessionreportpage", "articlepage", "labpage")],
    "wagtailadmin_pages:type_use_results": [{"content_type_app_name": "docs", "content_type_model_name": "sessionreportpage"}],
    "wagtailadmin_pages:choose_parent": [{"app_label": "docs", "model_name": "articlepage"}],
    "wagtailadmin_tag_model_autocomplete": [{"app_name": "docs", "model_name": "documentationpagetag"}],
    "wagtail_bulk_action": [
        {"app_label": "wagtailcore", "model_name": "page", "action": a} for a in ("delete", "publish", "unpublish", "move")
    ] + [{"app_label": "wagtailimages", "model_name": "image", "action": a} for a in ("delete", "add_to_collection", "add_tags")]
    + [{"app_label": "wagtaildocs", "model_name": "document", "action": a} for a in ("delete", "add_to_collection")],
    "wagtailadmin_password_reset_confirm": [{"uidb64": "MQ", "token": "x"}],
}

# Listings, searches and choosers, asked about Lab B's things by words and by ids.
def _queries(w):
    page_ids = [page.pk for page in _b_pages(w)]
    ids = "&".join(f"id={pk}" for pk in page_ids)
    return {
        "wagtailadmin_pages:search": ["?q=Compte", "?q=Article", "?q=Page"],
        "wagtailadmin_pages:search_results": ["?q=Compte", "?q=Article"],
        "wagtailadmin_explore": ["?q=Compte&search_all=1"],
        "wagtailadmin_choose_page_search": ["?q=Compte", "?q=Article", "?q=Page"],
        "wagtailadmin_choose_page_chosen_multiple": [f"?{ids}"],
        "wagtailimages_chooser:chosen_multiple": [f"?id={w['b_image'].pk}"],
        "wagtaildocs_chooser:chosen_multiple": [f"?id={w['b_document'].pk}"],
        "wagtailimages:index": ["?q=Photo", f"?collection_id={w['space_b'].collection_id}"],
        "wagtailimages:index_results": ["?q=Photo"],
        "wagtailimages_chooser:choose": ["?q=Photo"],
        "wagtailimages_chooser:choose_results": ["?q=Photo", f"?collection_id={w['space_b'].collection_id}"],
        "wagtaildocs:index": ["?q=Document", f"?collection_id={w['space_b'].collection_id}"],
        "wagtaildocs:index_results": ["?q=Document"],
        "wagtaildocs_chooser:choose": ["?q=Document"],
        "wagtaildocs_chooser:choose_results": ["?q=Document"],
        "wagtailadmin_api:pages:listing": ["?search=Compte", f"?child_of={w['place_b'].pk}", f"?descendant_of={w['place_b'].pk}", f"?child_of={w['place_b'].pk}&for_explorer=1", f"?id={page_ids[0]}"],
        "wagtailadmin_api:pages:find": [f"?id={pk}" for pk in page_ids],
        "wagtailadmin_api:images:listing": ["?search=Photo"],
        "wagtailadmin_api:images:find": [f"?id={w['b_image'].pk}"],
        "wagtailadmin_api:documents:listing": ["?search=Document"],
        "wagtailadmin_api:documents:find": [f"?id={w['b_document'].pk}"],
        "wagtailadmin_tag_autocomplete": ["?term=a"],
        "wagtailadmin_reports:site_history": ["", "?export=csv"],
        "wagtailadmin_reports:locked_pages": ["", "?export=csv"],
        "wagtailadmin_reports:aging_pages": ["", "?export=csv"],
        "wagtailadmin_reports:workflow": ["", "?export=csv"],
        "wagtailadmin_reports:workflow_tasks": ["", "?export=csv"],
    }


# Our guards in front of Wagtail's views (docs.admin_guards): reached through Wagtail's names.
GUARDS = {
    "cms/choose-page/<int:parent_page_id>/", "cms/choose-page/chosen-multiple/",
    "cms/pages/workflow/confirm_cancellation/<int:page_id>/", "cms/reports/page-types-usage/",
    "cms/reports/page-types-usage/results/",
}

# Not asked: the logout ends the session the guard reads with; the error test page always answers
# 500; the admin's catch-all (its 404) is asked through every unknown address above.
SKIPPED = {"wagtailadmin_logout", "wagtailadmin_error_test", "cms/^.*/$"}


def test_every_admin_url_with_an_object_id_is_classified():
    unclassified = sorted(
        name for name, params in _admin_patterns()
        if params and name not in OBJECT_URLS and name not in NOT_LAB_CONTENT and name not in KIND_URLS
        and name not in NAMES_ONLY and name not in GUARDS
    )
    assert unclassified == []


def test_resident_of_lab_a_reaches_nothing_of_lab_b_in_any_admin_view(client, world, db):
    """GET and POST every object view with Lab B's objects, GET every listing: refused, and never the marker."""
    client.force_login(world["people"]["resident_a"])
    failures = []
    queries = _queries(world)

    def check(method, url, must_refuse):
        response = getattr(client, method)(url)
        body = b"".join(response) if getattr(response, "streaming", False) else response.content
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url}: {response.status_code}")
        elif MARKER.lower().encode() in body.lower():
            failures.append(f"{method.upper()} {url}: shows {MARKER} ({response.status_code})")
        elif must_refuse and not refused(response):
            failures.append(f"{method.upper()} {url}: {response.status_code}, not refused")

    seen = set()
    for name, params in _admin_patterns():
        if name in SKIPPED or name in GUARDS or (name, params) in seen:
            continue
        seen.add((name, params))
        if params:
            table = OBJECT_URLS if name in OBJECT_URLS else NOT_LAB_CONTENT if name in NOT_LAB_CONTENT else None
            if name in NAMES_ONLY:
                for kwargs in NAMES_ONLY[name](world):
                    check("get", reverse(name, kwargs=kwargs), must_refuse=False)
                    check("post", reverse(name, kwargs=kwargs), must_refuse=False)
                continue
            if table is None:
                for kwargs in KIND_URLS.get(name, []):
                    check("get", reverse(name, kwargs=kwargs), must_refuse=False)
                continue
            for kwargs in table[name](world):
                if set(kwargs) != params:
                    continue
                url = reverse(name, kwargs=kwargs)
                check("get", url, must_refuse=True)
                check("post", url, must_refuse=True)
                for query in queries.get(name, []):
                    check("get", url + query, must_refuse=True)
        else:
            url = "/" + name if name.startswith(ADMIN_PREFIX) else reverse(name)
            for query in ["", *queries.get(name, [])]:
                check("get", url + query, must_refuse=False)

    assert failures == [], "\n".join(failures)
    # And nothing of Lab B changed.
    b_draft, b_live = Page.objects.get(pk=world["b_draft"].pk), Page.objects.get(pk=world["b_live"].pk)
    assert (b_draft.live, b_draft.locked, b_draft.get_parent().pk) == (False, False, world["place_b"].pk)
    assert (b_live.live, b_live.locked, b_live.title) == (True, False, "Article public de B")
    assert WorkflowState.objects.for_instance(b_draft).get().status == WorkflowState.STATUS_IN_PROGRESS
    image = get_image_model().objects.get(pk=world["b_image"].pk)
    assert (image.title, image.file.name) == (world["b_image"].title, world["b_image"].file.name)
    assert get_document_model().objects.filter(pk=world["b_document"].pk).exists()
    assert not PageLogEntry.objects.filter(user=world["people"]["resident_a"], page__in=_b_pages(world)).exists()
