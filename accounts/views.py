"""A person's own account: profile, download of their data, erasure.

Each page acts on the logged-in person only (no id in the URL): being logged in is the permission.
"""
import json
from urllib.parse import urlsplit

from allauth.account.views import LoginView as AllauthLoginView
from allauth.account.views import LogoutView as AllauthLogoutView
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from common.views import PermissionRequiredMixin

from . import services
from .forms import ErasureForm, ProfileForm


@method_decorator(never_cache, name="dispatch")
class ProfileView(PermissionRequiredMixin, FormView):
    permission_required = "common.logged_in"
    template_name = "accounts/profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "roles": services.roles_of(self.request.user)}

    def form_valid(self, form):
        services.update_profile(user=self.request.user, **form.service_arguments())
        messages.success(self.request, gettext("Votre profil est enregistré."))
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        messages.error(self.request, gettext("Rien n'a été enregistré : corrigez les champs signalés."))
        return super().form_invalid(form)


@method_decorator(never_cache, name="dispatch")
class PersonalDataExportView(PermissionRequiredMixin, View):
    """The person's data as a JSON file to keep (right of access and portability)."""

    permission_required = "common.logged_in"

    def get(self, request):
        data = services.export_personal_data(user=request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"transfo-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@method_decorator(never_cache, name="dispatch")
class ErasureView(PermissionRequiredMixin, FormView):
    permission_required = "common.logged_in"
    template_name = "accounts/erasure_confirm.html"
    form_class = ErasureForm
    success_url = reverse_lazy("accounts:erased")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "last_superuser": services.is_last_superuser(self.request.user)}

    def form_valid(self, form):
        try:
            services.erase_personal_data(user=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # The logout is recorded with the account as it now is, not with the erased address.
        self.request.user.refresh_from_db()
        logout(self.request)
        return redirect(self.get_success_url())


class ErasureDoneView(TemplateView):
    """Shown once the person is logged out: it names nobody, so anyone may open it."""

    template_name = "accounts/erasure_done.html"


def refused_administration(user, url):
    """Whether ``url`` leads into an administration (Django's or Wagtail's) that ``user`` may not use."""
    path = urlsplit(url or "").path
    if path.startswith(reverse("admin:index")):
        return not (user.is_active and user.is_staff)
    if path.startswith(reverse("wagtailadmin_home")):
        return not user.has_perm("wagtailadmin.access_admin")
    return False


class LoginView(AllauthLoginView):
    """The single login. Both admins send whoever they refuse to it; allauth sends a logged-in
    person straight on to ``next``: for an administration they may not use, that would send
    them round between the two for ever. They are told once, with a 403, what to do instead."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and refused_administration(request.user, request.GET.get("next")):
            return render(request, "accounts/no_admin_access.html", status=403)
        return super().dispatch(request, *args, **kwargs)


class LogoutView(AllauthLogoutView):
    """allauth's logout, which also empties what the phone kept to work offline.

    The pages kept for offline reading and the journal entries waiting to be sent are the person's:
    the browser drops them (with the service worker) on this answer, so the next person to log in
    on the same phone finds nothing of them. static/js/offline.js empties them too before posting,
    which also covers a logout made offline.
    """

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
