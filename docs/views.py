"""From a Lab's work to the documentation: draft a public report of a session, a story of a case.

These pages are for those who run the Lab (residents, its host, its coordination): anyone else
gets a 404, as for a Lab, session or case that does not exist; an anonymous visitor is sent to
the login first. Drafting is a POST (a button on the session and case pages); the draft then
waits in the Wagtail moderation workflow until an editor publishes it.
"""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from cases.models import Case
from common.views import PermissionRequiredMixin
from programmes.models import Lab
from sessions.models import Session

from .drafting import DraftRefused, draft_case_story, draft_session_report, find_case_story, find_session_report
from .models import CaseStoryPage, DocumentationPage, SessionReportPage
from .workflow import task_label


class DraftingMixin(PermissionRequiredMixin):
    """The Lab of the URL; each page names its permission (those who run the Lab)."""

    def get_permission_object(self):
        self.lab = get_object_or_404(Lab.objects.select_related("programme"), slug=self.kwargs["lab_slug"])
        return self.lab


class DraftView(DraftingMixin, View):
    """POST only: draft (or reopen) the public page and show where it stands."""

    permission_required = "docs.draft_page"
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        existed = self.find_existing() is not None
        try:
            page = self.draft()
        except DraftRefused as refusal:
            return TemplateResponse(
                request,
                "docs/draft_refused.html",
                {"lab": self.lab, "message": str(refusal), "back_url": self.source_url()},
                status=409,
            )
        if existed:
            messages.info(request, gettext("Cette page avait déjà été rédigée : voici où elle en est."))
        else:
            messages.success(request, gettext("Le brouillon est créé et envoyé en relecture."))
        return redirect(draft_status_url(page))


class SessionDraftView(DraftView):
    def resolve(self, **kwargs):
        self.session = get_object_or_404(Session.objects.filter(lab=self.lab), number=kwargs["number"])
        self.session.lab = self.lab

    def find_existing(self):
        return find_session_report(self.session)

    def draft(self):
        return draft_session_report(session=self.session, drafted_by=self.request.user)

    def source_url(self):
        return self.session.get_absolute_url()


class CaseDraftView(DraftView):
    def resolve(self, **kwargs):
        self.case = get_object_or_404(Case.objects.filter(lab=self.lab), slug=kwargs["slug"])
        self.case.lab = self.lab

    def find_existing(self):
        return find_case_story(self.case)

    def draft(self):
        return draft_case_story(case=self.case, drafted_by=self.request.user)

    def source_url(self):
        return self.case.get_absolute_url()


def draft_status_url(page):
    return reverse("docs:draft_status", kwargs={"lab_slug": page.lab.slug, "page_id": page.pk})


class DraftStatusView(DraftingMixin, TemplateView):
    """Where a drafted report or story stands: in review, sent back, published."""

    permission_required = "docs.view_draft_status"
    template_name = "docs/draft_status.html"

    def resolve(self, **kwargs):
        page = get_object_or_404(DocumentationPage.objects.filter(lab=self.lab), pk=kwargs["page_id"]).specific
        if not isinstance(page, (SessionReportPage, CaseStoryPage)):
            raise Http404
        self.page = page

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, user = self.page, self.request.user
        state = page.current_workflow_state
        if page.live:
            status = "published"
        elif state is not None and state.status == state.STATUS_NEEDS_CHANGES:
            status = "needs_changes"
        elif state is not None:
            status = "in_review"
        else:
            status = "draft"
        source = page.session if isinstance(page, SessionReportPage) else page.case
        context.update(
            lab=self.lab,
            page=page,
            status=status,
            task_name=task_label(state.current_task_state.task.name) if state is not None and state.current_task_state else "",
            # Only those the Wagtail admin lets in and who may edit the page get its address.
            admin_url=(
                reverse("wagtailadmin_pages:edit", args=[page.pk])
                if user.has_perm("wagtailadmin.access_admin") and page.permissions_for_user(user).can_edit()
                else ""
            ),
            source_url=source.get_absolute_url() if source is not None else "",
            is_session=isinstance(page, SessionReportPage),
        )
        return context
