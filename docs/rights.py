"""Wagtail rights derived from the Lab roles: each Lab works in its own place, the coordination across its programme.

- A Lab's place is its public page (``LabPage``, made unpublished with the Lab) with every page
  under it, and a collection of its own. Its group may add and edit pages there and add, edit and
  choose images and documents there; it publishes nothing itself (moderation does).
- A programme's coordination group may add, edit, publish, lock and unlock in every Lab place of
  the programme and in the programme-wide documentation index, and manage the images and
  documents of the programme's collection (its Labs' collections are inside it).

People are put in these groups from their roles (``LabMembership``, ``Coordination``) and taken
out when the role goes: ``sync_user_rights`` runs whenever a role changes (docs.signals), and
``sync_everything`` (the ``sync_lab_rights`` command, run after every ``migrate`` and by the demo)
sets up the places of existing Labs. Joining or leaving a group is written to the audit trail
(accounts.audit). Other groups (the site's Editors and Moderators) are never touched.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.text import Truncator, slugify
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, ReferenceIndex

from programmes.models import Coordination, Lab, LabMembership, Programme

from .models import DocumentationIndexPage, DocumentationPage, LabIndexPage, LabPage
from .spaces import LabSpace, ProgrammeSpace

LAB_PAGE_ACTIONS = ("add", "change")
COORDINATION_PAGE_ACTIONS = ("add", "change", "publish", "lock", "unlock")
LAB_MEDIA_ACTIONS = ("add", "change", "choose")
COORDINATION_MEDIA_ACTIONS = ("add", "change", "delete", "choose")
MEDIA_MODELS = (("wagtailimages", "image"), ("wagtaildocs", "document"))
INTRO_LENGTH = 500


# --------------------------------------------------------------------------------------------
# Places: collections, groups and their permissions
# --------------------------------------------------------------------------------------------


def _page_permissions(actions):
    return list(Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=[f"{a}_page" for a in actions]))


def _media_permissions(actions):
    wanted = Q()
    for app_label, model in MEDIA_MODELS:
        wanted |= Q(content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions])
    return list(Permission.objects.filter(wanted))


def _grant_pages(group, page, actions):
    held = set(GroupPagePermission.objects.filter(group=group, page=page).values_list("permission_id", flat=True))
    GroupPagePermission.objects.bulk_create(
        [GroupPagePermission(group=group, page=page, permission=p) for p in _page_permissions(actions) if p.pk not in held]
    )


def _grant_media(group, collection, actions):
    held = set(
        GroupCollectionPermission.objects.filter(group=group, collection=collection).values_list("permission_id", flat=True)
    )
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group=group, collection=collection, permission=p)
            for p in _media_permissions(actions)
            if p.pk not in held
        ]
    )


def _admin_access():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def _group(name):
    """A group for a place: its name is data (the audit trail names it), not a translated label."""
    group, _created = Group.objects.get_or_create(name=name[:150])
    group.permissions.add(_admin_access())
    return group


def _renamed(group, name):
    if group.name != name[:150]:
        group.name = name[:150]
        group.save(update_fields=["name"])


def _retitled(collection, name):
    name = name[:255]
    if collection.name != name:
        collection.name = name
        collection.save(update_fields=["name"])


@transaction.atomic
def ensure_programme_space(programme: Programme, *, check_rights: bool = False) -> ProgrammeSpace:
    """The programme's collection and coordination group, with their rights.

    Made once; later calls keep the names up to date, and with ``check_rights`` (the sync) put
    back any right that was taken away.
    """
    space = ProgrammeSpace.objects.select_related("collection", "group").filter(programme=programme).first()
    if space is None:
        collection = Collection.get_first_root_node().add_child(name=programme.name[:255])
        space = ProgrammeSpace.objects.create(
            programme=programme, collection=collection, group=_group(f"Coordination {programme.slug}")
        )
    else:
        _retitled(space.collection, programme.name)
        _renamed(space.group, f"Coordination {programme.slug}")
        if not check_rights:
            return space
    _grant_media(space.group, space.collection, COORDINATION_MEDIA_ACTIONS)
    index = DocumentationIndexPage.objects.order_by("path").first()
    if index is not None:
        # The programme-wide pages (articles of no Lab, the FAQ).
        _grant_pages(space.group, index, COORDINATION_PAGE_ACTIONS)
    return space


@transaction.atomic
def ensure_lab_space(lab: Lab, *, check_rights: bool = False) -> LabSpace:
    """The Lab's page, collection and group, with the rights of its team and its coordination.

    Made once; later calls keep names and programme up to date, and with ``check_rights`` (the
    sync) put back any right that was taken away. A Lab page deleted is made again.
    """
    programme_space = ensure_programme_space(lab.programme, check_rights=check_rights)
    space = LabSpace.objects.select_related("collection", "group").filter(lab=lab).first()
    if space is None:
        collection = programme_space.collection.add_child(name=lab.name[:255])
        space = LabSpace.objects.create(lab=lab, collection=collection, group=_group(f"Labo {lab.slug}"))
    else:
        _retitled(space.collection, lab.name)
        _renamed(space.group, f"Labo {lab.slug}")
        moved = not space.collection.is_child_of(programme_space.collection)
        if moved:
            # The Lab changed programme: its media follow, under the new coordination.
            space.collection.move(programme_space.collection, pos="last-child")
        if not (check_rights or moved) and LabPage.objects.filter(lab=lab).exists():
            return space
    _grant_media(space.group, space.collection, LAB_MEDIA_ACTIONS)
    page = ensure_lab_page(lab)
    if page is not None:
        _grant_pages(space.group, page, LAB_PAGE_ACTIONS)
        _grant_pages(programme_space.group, page, COORDINATION_PAGE_ACTIONS)
        other_coordinations = ProgrammeSpace.objects.exclude(pk=programme_space.pk).values("group_id")
        GroupPagePermission.objects.filter(page=page, group_id__in=other_coordinations).delete()
    return space


def lab_page(lab) -> LabPage | None:
    """The Lab's public page: the root of its part of the documentation."""
    return LabPage.objects.filter(lab=lab).order_by("path").first()


def ensure_lab_page(lab: Lab) -> LabPage | None:
    """The Lab's page, made unpublished under the list of the Labs if it has none yet.

    None only when the site has no list of the Labs (a site set up by hand without it).
    """
    page = lab_page(lab)
    if page is not None:
        return page
    lab_index = LabIndexPage.objects.order_by("path").first()
    if lab_index is None:
        return None
    page = LabPage(
        title=lab.name,
        slug=free_slug(lab_index, lab.slug),
        lab=lab,
        date=lab.start_date,
        intro=Truncator(lab.description).chars(INTRO_LENGTH),
        licence=lab.programme.default_licence,
        live=False,
        has_unpublished_changes=True,
    )
    lab_index.add_child(instance=page)
    return page


def free_slug(parent, base):
    """``base`` as a slug, numbered if a child of ``parent`` already has it."""
    base = slugify(base)[:200] or "page"
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# --------------------------------------------------------------------------------------------
# People: groups follow the roles
# --------------------------------------------------------------------------------------------


def _derived_group_ids():
    return set(LabSpace.objects.values_list("group_id", flat=True)) | set(
        ProgrammeSpace.objects.values_list("group_id", flat=True)
    )


def _wanted_group_ids(user, *, make_missing):
    lab_ids = set(LabMembership.objects.filter(user=user).values_list("lab_id", flat=True))
    programme_ids = set(Coordination.objects.filter(user=user).values_list("programme_id", flat=True))
    spaces = {space.lab_id: space.group_id for space in LabSpace.objects.filter(lab_id__in=lab_ids)}
    programmes = {
        space.programme_id: space.group_id for space in ProgrammeSpace.objects.filter(programme_id__in=programme_ids)
    }
    if make_missing:
        for lab in Lab.objects.filter(pk__in=lab_ids - set(spaces)).select_related("programme"):
            spaces[lab.pk] = ensure_lab_space(lab).group_id
        for programme in Programme.objects.filter(pk__in=programme_ids - set(programmes)):
            programmes[programme.pk] = ensure_programme_space(programme).group_id
    return set(spaces.values()) | set(programmes.values())


@transaction.atomic
def sync_user_rights(user, *, grant: bool = True) -> None:
    """Put ``user`` in the groups their Lab roles and coordinations give, and take them out of the others.

    ``grant=False`` only takes out (used while a role is being deleted, when the account itself
    may be on its way out). Each join and leave is audited by accounts.audit.
    """
    if user is None or user.pk is None:
        return
    wanted = _wanted_group_ids(user, make_missing=grant) if user.is_active else set()
    held = set(user.groups.filter(pk__in=_derived_group_ids()).values_list("pk", flat=True))
    if held - wanted:
        user.groups.remove(*(held - wanted))
    if grant and wanted - held:
        user.groups.add(*(wanted - held))


def sync_user_rights_by_id(user_id, *, grant: bool = True) -> None:
    sync_user_rights(get_user_model().objects.filter(pk=user_id).first(), grant=grant)


# --------------------------------------------------------------------------------------------
# Existing data: every Lab's pages and media in its place
# --------------------------------------------------------------------------------------------

# Kinds of page that may live in a Lab's place (LabPage.subpage_types).
def _movable_into(page_model):
    return page_model._meta.label in LabPage.subpage_types


def move_lab_pages_home(lab, place) -> int:
    """Move the Lab's pages that are elsewhere into its place; returns how many moved.

    Wagtail leaves a redirect from each old address (wagtail.contrib.redirects), so published
    links keep working.
    """
    moved = 0
    strays = (
        DocumentationPage.objects.filter(lab=lab)
        .exclude(pk=place.pk)
        .exclude(path__startswith=place.path)
        .specific()
    )
    for page in strays:
        if not _movable_into(type(page)):
            continue
        if place.get_children().filter(slug=page.slug).exists():
            page.slug = free_slug(place, page.slug)
            page.save(update_fields=["slug"], clean=False)
        page.move(place, pos="last-child")
        moved += 1
    return moved


def file_lab_media(lab, place, collection) -> int:
    """Put the images and documents used by the Lab's pages, still in the root collection, in its collection."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    page_ids = Page.objects.descendant_of(place, inclusive=True).annotate(text_id=Cast("pk", output_field=CharField()))
    root = Collection.get_first_root_node()
    filed = 0
    for model in (get_image_model(), get_document_model()):
        used = ReferenceIndex.objects.filter(
            base_content_type=ReferenceIndex._get_base_content_type(Page),
            object_id__in=page_ids.values("text_id"),
            to_content_type=ReferenceIndex._get_base_content_type(model),
        ).values_list("to_object_id", flat=True)
        ids = {int(value) for value in used if str(value).isdigit()}
        filed += model.objects.filter(pk__in=ids, collection=root).update(collection=collection)
    return filed


def sync_everything() -> dict:
    """Set up every programme's and Lab's place, file their pages and media, and sync everyone's groups.

    Safe to run again: what is in place is left alone. Returns counts for the command's report.
    """
    counts = {"labs": 0, "pages_moved": 0, "media_filed": 0, "people": 0}
    if not LabIndexPage.objects.exists():
        return counts
    for programme in Programme.objects.all():
        ensure_programme_space(programme, check_rights=True)
    for lab in Lab.objects.select_related("programme"):
        space = ensure_lab_space(lab, check_rights=True)
        place = lab_page(lab)
        with transaction.atomic():
            counts["pages_moved"] += move_lab_pages_home(lab, place)
            counts["media_filed"] += file_lab_media(lab, place, space.collection)
        counts["labs"] += 1
    people = get_user_model().objects.filter(
        Q(lab_memberships__isnull=False) | Q(coordinations__isnull=False) | Q(groups__in=_derived_group_ids())
    ).distinct()
    for user in people:
        sync_user_rights(user)
        counts["people"] += 1
    return counts


# --------------------------------------------------------------------------------------------
# Live media: changed only through a page's moderation
# --------------------------------------------------------------------------------------------


def has_site_wide_media_rights(user, model) -> bool:
    """Whether ``user`` manages every image (or document) of the site: superusers and the site's
    editors, whose rights sit on the root collection. Nobody else edits a live file in place."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    opts = model._meta
    return GroupCollectionPermission.objects.filter(
        group__user=user,
        collection__depth=1,
        permission__content_type__app_label=opts.app_label,
        permission__codename=f"change_{opts.model_name}",
    ).exists()


def is_used_by_live_page(obj) -> bool:
    """Whether a published page shows this image or document (cover, photo, body…)."""
    references = ReferenceIndex.get_references_to(obj).filter(
        base_content_type=ReferenceIndex._get_base_content_type(Page)
    )
    live = Page.objects.live().annotate(text_id=Cast("pk", output_field=CharField()))
    if live.filter(text_id__in=references.values("object_id")).exists():
        return True
    # The index may lag behind (it is updated in the background): the fields that hold images.
    from wagtail.images import get_image_model

    if isinstance(obj, get_image_model()):
        from .models import SessionReportPhoto

        return (
            DocumentationPage.objects.live().filter(cover_image=obj).exists()
            or SessionReportPhoto.objects.filter(image=obj, page__live=True).exists()
        )
    return False
