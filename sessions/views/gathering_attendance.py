"""Answering an InterTransfo day by day (logged in, or from the link in one's mail), and noting who came.

The pages are the sessions' (``attendance``): what differs is who answers — anyone invited from a
Lab of the programme, and the coordination for any of them — and the page's surroundings.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from .. import invitations
from ..answers import answers_open
from ..forms import AttendanceMarksForm, add_service_errors
from ..gatherings import gathering_url, record_gathering_attendance
from ..invitees import invitation_of, invitations_of
from ..models import EventStatus, Gathering, GatheringAttendance
from ..outside import show_gathering_agenda
from ..schedule import agenda_by_day
from .attendance import PerDayAnswerMixin, RsvpView, all_present_saved
from .gatherings import ProgrammeMixin

BREADCRUMB = "sessions/gatherings/_breadcrumb.html"


class GatheringAnswerMixin(PerDayAnswerMixin):
    """An InterTransfo's answers: one invitation (``self.person``)."""

    @property
    def event(self):
        return self.gathering

    def rows(self):
        return GatheringAttendance.objects.filter(invitation=self.person)

    def save_answers(self, answers):
        invitations.answer(event=self.gathering, person=self.person, answers_by_day=answers)


class GatheringAnswerView(GatheringAnswerMixin, ProgrammeMixin, View):
    """Someone invited answers for themself; the coordination may answer for anyone invited.

    The person is named by ``personne`` (an invitation's id); without it, it is the user's own
    invitation. A person the user may not answer for is a 404, like one that does not exist.
    """

    template_name = "sessions/answer_form.html"

    def resolve(self, **kwargs):
        super().resolve(**kwargs)
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
            "event": self.gathering,
            "owner": self.programme,
            "breadcrumb_template": BREADCRUMB,
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


class GatheringRsvpView(GatheringAnswerMixin, RsvpView):
    """The answer link of an InterTransfo's mails: no login, the signed link says who answers."""

    event_model = Gathering

    def find_event(self, kwargs):
        self.gathering = (
            Gathering.objects.select_related("programme", "host_lab")
            .filter(programme__slug=kwargs["programme_slug"], number=kwargs["number"])
            .first()
        )
        return self.gathering

    def context(self):
        return {
            "owner": self.gathering.programme,
            "gathering": self.gathering,
            "programme": self.gathering.programme,
            # An answer link works without logging in: people named as their consent allows.
            "agenda_days": show_gathering_agenda(self.gathering, agenda_by_day(self.gathering)),
            "show_facilitators": True,
        }


class GatheringAttendanceView(ProgrammeMixin, TemplateView):
    """From its first day on, the coordination notes who actually came, day by day."""

    template_name = "sessions/attendance.html"
    permission_required = "sessions.plan_gatherings"

    def form(self, data=None):
        people = list(invitations_of(self.gathering))
        rows = GatheringAttendance.objects.filter(invitation__gathering=self.gathering)
        return AttendanceMarksForm(data, event=self.gathering, people=people, rows=rows)

    def render(self, form, status=200):
        today = timezone.localdate()
        context = self.get_context_data(
            event=self.gathering,
            owner=self.programme,
            breadcrumb_template=BREADCRUMB,
            person_template="sessions/gatherings/_attendance_invitation.html",
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
                if form.all_present_day is not None:
                    return all_present_saved(request, form.all_present_day)
                messages.success(request, self.gathering.wording.attendance_saved)
                return redirect(gathering_url(self.gathering) + "#presence")
        return self.render(form, status=400)
