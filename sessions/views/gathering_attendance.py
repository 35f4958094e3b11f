"""Answering an InterTransfo day by day (logged in, or from the link in one's mail), and noting who came.

The answer pages share the sessions' per-day handling (``PerDayAnswerMixin``); what differs is
who answers: anyone invited from a Lab of the programme, and the coordination for any of them.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from .. import services
from ..answers import answers_open
from ..forms import AttendanceMarksForm, add_service_errors
from ..gatherings import (
    answer_gathering,
    gathering_url,
    invitation_of,
    invitations_of,
    read_rsvp_token,
    record_gathering_attendance,
)
from ..models import EventStatus, Gathering, GatheringAttendance
from ..outside import show_gathering_agenda
from .attendance import PerDayAnswerMixin, RsvpView
from .gatherings import ProgrammeMixin


class GatheringAnswerMixin(PerDayAnswerMixin):
    """An InterTransfo's answers: one invitation (``self.person``)."""

    @property
    def event(self):
        return self.gathering

    def rows(self):
        return GatheringAttendance.objects.filter(invitation=self.person)

    def save_answers(self, answers):
        answer_gathering(invitation=self.person, answers=answers)


class GatheringAnswerView(GatheringAnswerMixin, ProgrammeMixin, View):
    """Someone invited answers for themself; the coordination may answer for anyone invited.

    The person is named by ``personne`` (an invitation's id); without it, it is the user's own
    invitation. A person the user may not answer for is a 404, like one that does not exist.
    """

    template_name = "sessions/gatherings/answer_form.html"

    def get(self, request, *args, **kwargs):
        self.resolve()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.resolve()
        return super().post(request, *args, **kwargs)

    def resolve(self):
        self.gathering = self.get_gathering()
        person_id = self.request.POST.get("personne") or self.request.GET.get("personne")
        if not person_id:
            person = invitation_of(self.gathering, self.request.user)
        elif not self.may_plan:
            person = None
        else:
            try:
                person = invitations_of(self.gathering).filter(pk=int(person_id)).first()
            except (TypeError, ValueError):
                person = None
        if person is None or not person.is_active:
            raise Http404
        person.gathering = self.gathering
        self.person = person

    def render(self, form, status=200):
        context = {
            "gathering": self.gathering,
            "programme": self.programme,
            "person": self.person,
            "for_self": self.person.belongs_to(self.request.user),
            "form": form,
            "open": answers_open(self.gathering),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def answer_saved(self, request):
        if self.person.belongs_to(request.user):
            messages.success(request, gettext("Merci, votre réponse est enregistrée."))
        else:
            messages.success(request, gettext("Réponse de %(name)s enregistrée.") % {"name": self.person.full_name})
        return redirect(gathering_url(self.gathering) + "#presence")


class GatheringRsvpView(GatheringAnswerMixin, View):
    """The answer link of an InterTransfo's mails: no login, the signed link says who answers.

    Opening it (GET) changes nothing, so a mail scanner following it does no harm.
    """

    template_name = "sessions/gatherings/rsvp.html"
    explanations = {
        "unknown": _(
            "Ce lien de réponse n'est pas valable. Vérifiez qu'il a été copié en entier depuis le courriel, "
            "ou connectez-vous pour répondre depuis la page de l'InterTransfo."
        ),
        "expired": _("Cette InterTransfo est passée : il n'est plus possible d'y répondre."),
        "cancelled": _("Cette InterTransfo a été annulée : il n'y a plus rien à répondre."),
    }

    def dispatch(self, request, *args, **kwargs):
        self.gathering = (
            Gathering.objects.select_related("programme", "host_lab")
            .filter(programme__slug=kwargs["programme_slug"], number=kwargs["number"])
            .first()
        )
        try:
            if self.gathering is None:
                raise services.RsvpLinkInvalid("unknown")
            self.person = read_rsvp_token(kwargs["token"], gathering=self.gathering)
        except services.RsvpLinkInvalid as invalid:
            context = {
                "reason": invalid.reason,
                "explanation": self.explanations[invalid.reason],
                "event": invalid.event,
                "is_gathering": True,
            }
            status = 404 if invalid.reason == "unknown" else 410
            return TemplateResponse(request, RsvpView.unavailable_template_name, context, status=status)
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, status=200):
        context = {
            "gathering": self.gathering,
            "programme": self.gathering.programme,
            "person": self.person,
            "form": form,
            # An answer link works without logging in: people named as their consent allows.
            "agenda_days": show_gathering_agenda(self.gathering, services.agenda_by_day(self.gathering)),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def answer_saved(self, request):
        messages.success(
            request, gettext("Merci, votre réponse est enregistrée. Vous pouvez la changer ici jusqu'à l'InterTransfo.")
        )
        return redirect(request.path)


class GatheringAttendanceView(ProgrammeMixin, TemplateView):
    """From its first day on, the coordination notes who actually came, day by day."""

    template_name = "sessions/gatherings/attendance.html"
    requires_planning = True

    def form(self, data=None):
        invitations = list(invitations_of(self.gathering))
        rows = GatheringAttendance.objects.filter(invitation__gathering=self.gathering)
        return AttendanceMarksForm(data, event=self.gathering, people=invitations, rows=rows)

    def render(self, form, status=200):
        today = timezone.localdate()
        context = self.get_context_data(
            gathering=self.gathering,
            form=form,
            too_early=self.gathering.start_date > today,
            cancelled=self.gathering.status == EventStatus.CANCELLED,
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        self.gathering = self.get_gathering()
        return self.render(self.form())

    def post(self, request, *args, **kwargs):
        self.gathering = self.get_gathering()
        form = self.form(request.POST)
        if form.is_valid():
            try:
                record_gathering_attendance(gathering=self.gathering, marks=form.marks(), recorded_by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Présences enregistrées : l'InterTransfo est notée comme tenue."))
                return redirect(gathering_url(self.gathering) + "#presence")
        return self.render(form, status=400)
