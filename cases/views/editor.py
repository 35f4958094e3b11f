"""Opening a case, editing its description and setting its team, in the browser.

These pages are for those who run the case's Lab (residents, its host, its coordination,
admins): anyone else gets a 404, as for a Lab or a case that does not exist; an anonymous
visitor is sent to the login first.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views import View

from common.views import PermissionRequiredMixin
from programmes.models import Lab

from .. import services
from ..forms import CaseCreateForm, CaseEditForm, CaseTeamForm, add_service_errors
from ..models import Case
from .journal import CaseWriteMixin


class CaseCreateView(PermissionRequiredMixin, View):
    """« Nouveau cas »: a case of the Lab, opened at the framing stage with its team."""

    template_name = "cases/case_form.html"

    permission_required = "cases.create_case"

    def get_permission_object(self):
        self.lab = get_object_or_404(Lab.objects.select_related("collectivite"), slug=self.kwargs["lab_slug"])
        return self.lab

    def render(self, form, status=200):
        return TemplateResponse(self.request, self.template_name, {"lab": self.lab, "form": form}, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(CaseCreateForm(lab=self.lab, user=request.user))

    def post(self, request, *args, **kwargs):
        form = CaseCreateForm(request.POST, lab=self.lab, user=request.user)
        if form.is_valid():
            try:
                case = services.create_case(lab=self.lab, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Cas « %(case)s » créé.") % {"case": case.title})
                return redirect(case.get_absolute_url())
        return self.render(form, status=400)


class CaseEditView(CaseWriteMixin, View):
    """A case's title, problem statement, service, site, tags and visibility."""

    permission_required = "cases.edit_case"
    template_name = "cases/case_form.html"

    def get_form(self, data=None):
        # A copy: a form being checked changes its instance, and the page shows the saved title.
        instance = Case.objects.select_related("lab").get(pk=self.case.pk)
        return CaseEditForm(data, lab=self.case.lab, user=self.request.user, instance=instance)

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": self.get_form(), "lab": self.case.lab})

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                case = services.update_case(case=self.case, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Cas « %(case)s » modifié.") % {"case": case.title})
                return redirect(self.case.get_absolute_url())
        return self.render(self.template_name, {"form": form, "lab": self.case.lab}, status=400)


class CaseTeamView(CaseWriteMixin, View):
    """« Équipe »: which of the Lab's ambassadors work on the case."""

    permission_required = "cases.edit_case"
    template_name = "cases/case_team.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": CaseTeamForm(case=self.case)})

    def post(self, request, *args, **kwargs):
        form = CaseTeamForm(request.POST, case=self.case)
        if form.is_valid():
            try:
                services.set_case_team(case=self.case, team=form.cleaned_data["team"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Équipe du cas « %(case)s » enregistrée.") % {"case": self.case.title})
                return redirect(self.case.get_absolute_url() + "#team-title")
        return self.render(self.template_name, {"form": form}, status=400)
