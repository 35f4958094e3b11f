"""Admin guards of the documentation: nothing goes live that links to what the public cannot open.

A documentation page may be published in three ways in Wagtail's admin: the "Publish" button
(editing or creating a page), "Approve" on the edit page of a page in moderation, and "Approve"
straight from the dashboard. Each is checked with ``docs.drafting.non_public_links``: a link to
a Lab's working page (a session, a case, its journal…) that is not public, to either admin, or
to an unpublished page is refused with a message naming it, and nothing is published.

The two views are swapped in through a ``PageViewSet`` for ``DocumentationPage`` (Wagtail picks
the viewset of the page's class); the "Publish" button of the create view goes through the
``before_publish_page`` hook.
"""
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.permissions import policy_registry

from .admin_guards import may_see_every_page, readable
from .choosers import case_chooser_viewset, session_chooser_viewset
from .drafting import non_public_links
from .models import DocumentationPage

APPROVE = "approve"


def refusal_message(links) -> str:
    return _(
        "Publication refusée : cette page renvoie vers des pages que le public ne peut pas ouvrir "
        "(%(links)s). Retirez ces liens ou rendez ces éléments publics, puis recommencez."
    ) % {"links": ", ".join(links)}


class GuardedEditView(EditView):
    """The page editor, where publishing or approving content with a non-public link is refused.

    The check reads the content as submitted, before anything is saved, so the editor finds
    the form as they left it with the refusal on top.
    """

    def publish_action(self):
        return self.refuse_non_public_links() or super().publish_action()

    def perform_workflow_action(self):
        if self.workflow_action == APPROVE:
            refused = self.refuse_non_public_links()
            if refused:
                return refused
        return super().perform_workflow_action()

    def refuse_non_public_links(self):
        links = non_public_links(self.form.instance)
        if not links:
            return None
        self.form.add_error(None, refusal_message(links))
        return self.form_invalid(self.form)


class GuardedWorkflowActionView(WorkflowActionView):
    """The dashboard's "Approve": refused, back to the editor, when the latest content would
    publish a non-public link (approval publishes the latest revision)."""

    def post(self, request, *args, **kwargs):
        if self.action_name == APPROVE:
            links = non_public_links(self.object.specific.get_latest_revision_as_object())
            if links:
                messages.error(request, refusal_message(links))
                edit_url = reverse("wagtailadmin_pages:edit", args=[self.object.pk])
                if request.headers.get("x-requested-with") == "XMLHttpRequest":
                    return self.render_modal_json(request, {"step": "success", "redirect": edit_url})
                return redirect(edit_url)
        return super().post(request, *args, **kwargs)


class DocumentationPageViewSet(PageViewSet):
    model = DocumentationPage
    edit_view_class = GuardedEditView
    workflow_action_view_class = GuardedWorkflowActionView

    @cached_property
    def parent_models(self):
        # Only the views above change: the explorer keeps Wagtail's own listings.
        return []


@hooks.register("register_admin_viewset")
def register_documentation_page_viewset():
    return DocumentationPageViewSet("documentation_pages")


@hooks.register("before_publish_page")
def refuse_non_public_links(request, page):
    """The create view's "Publish" (and the edit view's, already checked above)."""
    if not isinstance(page, DocumentationPage):
        return None
    links = non_public_links(page)
    if not links:
        return None
    messages.error(request, refusal_message(links))
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("register_admin_viewset")
def register_evidence_choosers():
    return [session_chooser_viewset, case_chooser_viewset]


@hooks.register("construct_page_chooser_queryset")
def choose_only_what_one_may_read(pages, request):
    """A page chooser offers what its user may already read: the pages of their own place (drafts
    included) and the published public pages, never another Lab's drafts or their titles.

    Wagtail's chooser lists the whole tree whatever the page permissions; the rest of the admin
    (explorer, search, reports) goes by the page permission policy, which this follows.
    """
    return readable(pages, request.user)


@hooks.register("before_move_page")
def move_only_where_one_may(request, page, destination):
    """The move's confirmation page names both pages: asked only by whoever may make that move
    (Wagtail checks the move itself when it is made, not before showing it)."""
    if not page.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied
    return None


@hooks.register("construct_reports_menu")
def hide_reports_one_may_not_open(request, menu_items):
    # The page types report names pages of every Lab: the site's editors' (docs.admin_guards).
    if not may_see_every_page(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]


def _media_user_may_choose(viewset_class, model):
    """The admin API's listing of a media model, narrowed to what its user may choose or edit
    (Wagtail's own lists every image and document of the site)."""

    class Narrowed(viewset_class):
        def get_queryset(self):
            policy = policy_registry.get_by_type(model)
            allowed = policy.instances_user_has_any_permission_for(self.request.user, ["choose", "change"])
            return super().get_queryset().filter(pk__in=allowed.values("pk"))

    Narrowed.__name__ = f"LabScoped{viewset_class.__name__}"
    return Narrowed


@hooks.register("construct_admin_api", order=100)
def narrow_admin_media_api(router):
    # After Wagtail's own registrations (order 0), which these replace.
    router.register_endpoint("images", _media_user_may_choose(ImagesAdminAPIViewSet, get_image_model()))
    router.register_endpoint("documents", _media_user_may_choose(DocumentsAdminAPIViewSet, get_document_model()))
