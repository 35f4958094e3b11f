"""The Lab's ambassadors page (list, invite, import) and the invitation link."""
from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from common.views import PermissionRequiredMixin
from programmes.models import Lab
from programmes.rules import with_reader_roles

from . import services
from .forms import AcceptInvitationForm, ImportForm, InvitationForm
from .models import Ambassador


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def lab_home_url(lab) -> str:
    try:
        return reverse("programmes:lab_detail", kwargs={"slug": lab.slug})
    except NoReverseMatch:
        return "/"


def landing_url(request, lab) -> str:
    """Where an accepted invitation leads: ``next`` when it stays on this site, else Mon espace
    (the page after every login), else the Lab's home."""
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    try:
        return reverse("espace:espace")
    except NoReverseMatch:
        return lab_home_url(lab)


class LabAmbassadorsMixin(PermissionRequiredMixin):
    """Resolves the Lab from the URL; someone who may not enter it gets a 404, as if it did not exist.

    ``permission_required`` is checked on top: a member of the Lab without it gets a 403.
    """

    visibility_required = "programmes.enter_lab"
    template_name = "ambassadors/ambassador_list.html"
    failure_message = ""

    def get_permission_object(self):
        # The reader's roles read with the Lab: the permissions and the page answer from them.
        lab = with_reader_roles(Lab.objects.select_related("programme", "collectivite"), self.request.user)
        self.lab = get_object_or_404(lab, slug=self.kwargs["lab_slug"])
        self.runs_lab = self.lab.reader_runs_lab
        return self.lab

    def list_url(self):
        return reverse("ambassadors:lab_ambassadors", kwargs={"lab_slug": self.lab.slug})

    def page_context(self, **kwargs):
        people = (
            Ambassador.objects.filter(lab=self.lab)
            .with_invitation_state()
            .order_by("circle", "last_name", "first_name", "pk")
        )
        context = {
            "lab": self.lab,
            "people": people,
            "runs_lab": self.runs_lab,
            "lab_url": lab_home_url(self.lab),
            "resend_cooldown_minutes": int(services.RESEND_COOLDOWN.total_seconds() // 60),
        }
        if self.runs_lab:
            context["invitation_form"] = InvitationForm(prefix="invite")
            context["import_form"] = ImportForm(prefix="import")
        context.update(kwargs)
        return context

    def render_page(self, status=200, **kwargs):
        if status >= 400:
            messages.error(self.request, self.failure_message)
        return TemplateResponse(self.request, self.template_name, self.page_context(**kwargs), status=status)


class AmbassadorListView(LabAmbassadorsMixin, TemplateView):
    """Everyone of the Lab; those who run it also see e-mails and invite people."""

    permission_required = "ambassadors.view_lab_people"

    def get(self, request, *args, **kwargs):
        return self.render_page()


class InviteAmbassadorView(LabAmbassadorsMixin, View):
    permission_required = "ambassadors.invite"
    failure_message = _("L'invitation n'est pas partie : corrigez le formulaire « Inviter une personne » plus bas.")

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        form = InvitationForm(request.POST, prefix="invite")
        if not form.is_valid():
            return self.render_page(status=400, invitation_form=form)
        try:
            invitation = services.invite_ambassador(
                lab=self.lab, invited_by=request.user, base_url=_base_url(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_page(status=400, invitation_form=form)
        name = f"{form.cleaned_data['first_name']} {form.cleaned_data['last_name']}"
        _report_invitation(request, invitation, name, cooldown=services.RESEND_COOLDOWN)
        return redirect(self.list_url())


class ResendInvitationView(LabAmbassadorsMixin, View):
    """A button of the list (POST only)."""

    permission_required = "ambassadors.invite"

    def post(self, request, *args, **kwargs):
        ambassador = get_object_or_404(Ambassador, lab=self.lab, pk=kwargs["pk"])
        invitation = services.resend_invitation(ambassador=ambassador, invited_by=request.user, base_url=_base_url(request))
        _report_invitation(request, invitation, ambassador.full_name, cooldown=services.RESEND_COOLDOWN)
        return redirect(self.list_url())


def _report_invitation(request, invitation, name, *, cooldown):
    if invitation is None:
        messages.info(
            request, gettext("%(name)s a déjà rejoint le labo : ses informations sont à jour, aucune invitation envoyée.") % {"name": name}
        )
    elif invitation.just_sent:
        messages.success(request, gettext("Invitation envoyée à %(name)s.") % {"name": name})
    else:
        messages.info(
            request,
            gettext(
                "%(name)s a reçu une invitation il y a moins de %(minutes)s minutes : aucune nouvelle invitation envoyée."
            )
            % {"name": name, "minutes": int(cooldown.total_seconds() // 60)},
        )


class ImportAmbassadorsView(LabAmbassadorsMixin, View):
    permission_required = "ambassadors.import"
    failure_message = _("Le fichier n'a pas été importé : les erreurs sont détaillées dans « Importer un fichier CSV » plus bas.")

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES, prefix="import")
        if not form.is_valid():
            return self.render_page(status=400, import_form=form)
        report = services.import_ambassadors(
            lab=self.lab, csv_file=form.cleaned_data["csv_file"], invited_by=request.user, base_url=_base_url(request)
        )
        if not report.ok:
            return self.render_page(status=400, import_form=form, import_errors=report.errors)
        messages.success(request, _import_summary(report))
        return redirect(self.list_url())


def _import_summary(report) -> str:
    counts = [
        ngettext("%(count)s personne ajoutée", "%(count)s personnes ajoutées", report.created),
        ngettext("%(count)s mise à jour", "%(count)s mises à jour", report.updated),
        ngettext("%(count)s invitation envoyée", "%(count)s invitations envoyées", report.invited),
        ngettext("%(count)s invitation déjà en attente", "%(count)s invitations déjà en attente", report.already_invited),
        ngettext("%(count)s personne déjà membre du labo", "%(count)s personnes déjà membres du labo", report.already_joined),
    ]
    values = [report.created, report.updated, report.invited, report.already_invited, report.already_joined]
    parts = [text % {"count": value} for text, value in zip(counts, values, strict=True) if value]
    return gettext("Import terminé (%(source)s) : %(details)s.") % {"source": report.source, "details": ", ".join(parts)}


class AcceptInvitationView(View):
    """The invitation link: join with the account one is logged in with, log in, or open one.

    Opening the link (GET) changes nothing, so that a mail scanner following it does no harm.
    """

    template_name = "ambassadors/invitation_accept.html"
    unavailable_template_name = "ambassadors/invitation_unavailable.html"
    explanations = {
        "unknown": _("Ce lien d'invitation n'existe pas. Vérifiez qu'il a été copié en entier depuis le courriel."),
        "expired": _("Ce lien d'invitation a expiré : il ne fonctionne que 30 jours. Demandez aux résident·es du labo de vous inviter à nouveau."),
        "used": _("Cette invitation a déjà été acceptée. Connectez-vous pour retrouver votre labo."),
        "replaced": _("Une invitation plus récente vous a été envoyée : utilisez le lien du dernier courriel reçu."),
    }

    def dispatch(self, request, *args, **kwargs):
        self.token = kwargs["token"]
        try:
            self.invitation = services.find_invitation(self.token)
        except services.InvitationUnavailable as unavailable:
            return self.unavailable(unavailable)
        self.ambassador = self.invitation.ambassador
        return super().dispatch(request, *args, **kwargs)

    def unavailable(self, unavailable):
        invitation, user = unavailable.invitation, self.request.user
        if invitation is not None and user.is_authenticated and invitation.ambassador.user_id == user.pk:
            return HttpResponseRedirect(lab_home_url(invitation.ambassador.lab))
        context = {"reason": unavailable.reason, "explanation": self.explanations[unavailable.reason]}
        return TemplateResponse(
            self.request, self.unavailable_template_name, context, status=404 if unavailable.reason == "unknown" else 410
        )

    def situation(self):
        user = self.request.user
        if user.is_authenticated:
            return "join" if services.owns_email(user, self.ambassador.email) else "other_account"
        return "log_in" if services.account_for_email(self.ambassador.email) else "create_account"

    def render(self, situation, status=200, **kwargs):
        here = self.request.get_full_path()
        context = {
            "situation": situation,
            "ambassador": self.ambassador,
            "lab": self.ambassador.lab,
            "invitation": self.invitation,
            "here": here,
            "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
            "login_code_url": reverse("account_request_login_code") + "?" + urlencode({"next": here}),
            **kwargs,
        }
        if situation == "create_account":
            context.setdefault("form", AcceptInvitationForm(ambassador=self.ambassador))
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(self.situation())

    def post(self, request, *args, **kwargs):
        situation = self.situation()
        try:
            if situation == "join":
                ambassador = services.accept_invitation(token=self.token, user=request.user)
                messages.success(request, gettext("Bienvenue dans %(lab)s !") % {"lab": ambassador.lab.name})
                return redirect(landing_url(request, ambassador.lab))
            if situation == "create_account":
                form = AcceptInvitationForm(request.POST, ambassador=self.ambassador)
                if not form.is_valid():
                    return self.render(situation, status=400, form=form)
                user = services.create_invited_account(token=self.token, password=form.cleaned_data["password1"])
                messages.success(request, gettext("Bienvenue dans %(lab)s !") % {"lab": self.ambassador.lab.name})
                return perform_login(request, user, redirect_url=landing_url(request, self.ambassador.lab))
        except services.InvitationUnavailable as unavailable:
            return self.unavailable(unavailable)
        except ValidationError as error:
            return self.render(self.situation(), status=400, errors=error.messages)
        # Logged in as someone else, or an account to log in to: the page says what to do.
        return self.render(situation, status=400)
