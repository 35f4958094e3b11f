"""Creating and editing a Lab's sessions, announcing and cancelling them, minutes and photos.

Every page here is for those who run the Lab (residents, its host, its coordination): anyone
else gets a 404, as for a Lab or session that does not exist; an anonymous visitor is sent to
the login first.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views import View

from common.public_url import public_base_url
from common.views import PermissionRequiredMixin
from programmes.models import Lab

from .. import services
from ..forms import MinutesForm, PhotoForm, SessionForm, add_service_errors
from ..models import EventStatus, Session
from ..planning import date_warnings


def base_url(request) -> str:
    """The site's public address (TRANSFO_PUBLIC_URL), for links in the mails a page triggers."""
    return public_base_url()


class LabRunMixin(PermissionRequiredMixin):
    """The Lab of the URL, for those who run it (each page names its permission)."""

    permission_required = "sessions.plan_session"

    def get_permission_object(self):
        self.lab = get_object_or_404(Lab.objects.select_related("collectivite", "programme"), slug=self.kwargs["lab_slug"])
        return self.lab

    def render(self, template_name, context, status=200):
        context = {"lab": self.lab, **context}
        return TemplateResponse(self.request, template_name, context, status=status)


class SessionRunMixin(LabRunMixin):
    """A session of a Lab the user runs."""

    permission_required = "sessions.change_session"

    def resolve(self, **kwargs):
        self.session = get_object_or_404(
            Session.objects.filter(lab=self.lab).select_related("lab__collectivite", "lab__programme"),
            number=kwargs["number"],
        )
        # The lookup above already has the Lab: spare a query each time a template reads it.
        self.session.lab = self.lab

    def session_url(self, anchor=""):
        return self.session.get_absolute_url() + (f"#{anchor}" if anchor else "")

    def render(self, template_name, context, status=200):
        return super().render(template_name, {"session": self.session, **context}, status=status)


class SessionCreateView(LabRunMixin, View):
    permission_required = "sessions.plan_session"
    template_name = "sessions/session_form.html"

    def get(self, request, *args, **kwargs):
        form = SessionForm(lab=self.lab, initial={"number": services.next_session_number(self.lab)})
        return self.render(self.template_name, {"form": form})

    def post(self, request, *args, **kwargs):
        form = SessionForm(request.POST, lab=self.lab)
        if form.is_valid():
            try:
                session = services.plan_session(lab=self.lab, base_url=base_url(request), **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _saved_message(session, created=True))
                _warn_about_dates(request, session)
                return redirect(session.get_absolute_url())
        return self.render(self.template_name, {"form": form}, status=400)


class SessionUpdateView(SessionRunMixin, View):
    template_name = "sessions/session_form.html"

    def get_form(self, data=None):
        # A copy: a form being checked changes its instance, and the page header shows the saved one.
        instance = Session.objects.get(pk=self.session.pk)
        return SessionForm(data, lab=self.lab, instance=instance)

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": self.get_form()})

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            before = self.session.status
            dates_before = (self.session.start_date, self.session.end_date)
            try:
                session = services.update_session(
                    session=self.session, base_url=base_url(request), **form.service_arguments()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _saved_message(session, before=before))
                if (session.start_date, session.end_date) != dates_before:
                    _warn_about_dates(request, session)
                return redirect(session.get_absolute_url())
        return self.render(self.template_name, {"form": form}, status=400)


def _warn_about_dates(request, session):
    """Saved, but on a public holiday or in August: probably a slip, said after the save."""
    for warning in date_warnings(session.lab, session.start_date, session.end_date):
        messages.warning(request, warning)


def _saved_message(session, *, created=False, before=None):
    if session.status == EventStatus.ANNOUNCED and before != EventStatus.ANNOUNCED:
        return gettext("Session n° %(number)s enregistrée et annoncée : les invitations partent par courriel.") % {
            "number": session.number
        }
    if session.status == EventStatus.CANCELLED and before not in (None, EventStatus.CANCELLED):
        return gettext("Session n° %(number)s annulée.") % {"number": session.number}
    if created:
        return gettext("Session n° %(number)s créée.") % {"number": session.number}
    return gettext("Session n° %(number)s enregistrée.") % {"number": session.number}


class SessionAnnounceView(SessionRunMixin, View):
    """Announcing invites the Lab by mail: a page says what will happen, a button does it."""

    template_name = "sessions/session_announce.html"

    def context(self, **kwargs):
        return {
            "people_count": self.lab.ambassadors.filter(is_active=True).count(),
            "already_invited": self.session.attendances.values("ambassador_id").distinct().count(),
            **kwargs,
        }

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, self.context())

    def post(self, request, *args, **kwargs):
        try:
            queued = services.announce_session(session=self.session, base_url=base_url(request))
        except ValidationError as error:
            return self.render(self.template_name, self.context(errors=error.messages), status=400)
        if queued:
            messages.success(
                request,
                gettext("Session annoncée : %(count)s invitation(s) envoyée(s) par courriel.") % {"count": queued},
            )
        else:
            messages.info(request, gettext("Session annoncée : tout le monde avait déjà reçu son invitation."))
        return redirect(self.session_url())


class SessionCancelView(SessionRunMixin, View):
    template_name = "sessions/session_cancel.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {})

    def post(self, request, *args, **kwargs):
        try:
            queued = services.cancel_session(session=self.session, base_url=base_url(request))
        except ValidationError as error:
            return self.render(self.template_name, {"errors": error.messages}, status=400)
        message = gettext("Session n° %(number)s annulée.") % {"number": self.session.number}
        if queued:
            message += " " + gettext("%(count)s personne(s) invitée(s) prévenue(s) par courriel.") % {"count": queued}
        messages.success(request, message)
        return redirect(self.session_url())


class SessionMinutesView(SessionRunMixin, View):
    template_name = "sessions/session_minutes.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": MinutesForm(initial={"minutes": self.session.minutes})})

    def post(self, request, *args, **kwargs):
        form = MinutesForm(request.POST)
        if form.is_valid():
            try:
                services.write_minutes(session=self.session, minutes=form.cleaned_data["minutes"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Compte rendu enregistré."))
                return redirect(self.session_url("compte-rendu"))
        return self.render(self.template_name, {"form": form}, status=400)


class SessionPhotoAddView(SessionRunMixin, View):
    template_name = "sessions/session_photo_form.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": PhotoForm()})

    def post(self, request, *args, **kwargs):
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            services.add_session_photo(
                session=self.session,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                uploaded_by=request.user,
            )
            messages.success(request, gettext("Photo ajoutée."))
            return redirect(self.session_url("photos"))
        return self.render(self.template_name, {"form": form}, status=400)


class SessionPhotoDeleteView(SessionRunMixin, View):
    template_name = "sessions/session_photo_delete.html"

    def resolve(self, **kwargs):
        super().resolve(**kwargs)
        self.photo = get_object_or_404(self.session.photos, pk=kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"photo": self.photo})

    def post(self, request, *args, **kwargs):
        services.delete_session_photo(photo=self.photo)
        messages.success(request, gettext("Photo retirée."))
        return redirect(self.session_url("photos"))
