"""Attendance: answering per day (logged in, or from the link in one's mail), noting who came,
and the Lab's table of presence rates."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views import View

from ambassadors.models import Ambassador
from common.views import PermissionRequiredMixin
from programmes.rules import runs_lab, with_reader_roles

from .. import invitations
from ..answers import answers_open
from ..schedule import agenda_by_day
from ..forms import AnswerForm, AttendanceMarksForm, add_service_errors
from ..models import Attendance, EventStatus, Session
from .editor import LabRunMixin, SessionRunMixin


class PerDayAnswerMixin:
    """One person's answers for each day of ``self.event`` (a session or an InterTransfo): shown, checked, saved.

    The ways in (the event's page, logged in; the mail's signed link) differ only in who the
    person is and where a saved answer leads (``answer_saved``); a session and an InterTransfo
    differ in where the answers are kept (``rows`` and ``save_answers``).
    """

    def rows(self):
        raise NotImplementedError

    def save_answers(self, answers):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return self.render(AnswerForm(event=self.event, rows=self.rows()))

    def post(self, request, *args, **kwargs):
        form = AnswerForm(request.POST, event=self.event, rows=self.rows())
        if form.is_valid():
            try:
                self.save_answers(form.answers())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.answer_saved(request)
        return self.render(form, status=400)


class SessionAnswerMixin(PerDayAnswerMixin):
    """A session's answers: one ambassador of its Lab (``self.person``)."""

    @property
    def event(self):
        return self.session

    def rows(self):
        return Attendance.objects.filter(session=self.session, ambassador=self.person)

    def save_answers(self, answers):
        invitations.answer(event=self.session, person=self.person, answers_by_day=answers)


class AnswerView(PermissionRequiredMixin, SessionAnswerMixin, View):
    """A person of the Lab answers for themself; those who run the Lab may answer for anyone of it.

    The person is named by ``personne`` (an id); without it, it is the user's own row in the Lab.
    A person the user may not answer for is a 404, like one that does not exist.
    """

    template_name = "sessions/answer_form.html"

    permission_required = "sessions.answer_session"

    def get_permission_object(self):
        # The reader's roles read with the session: the permission decides from them.
        self.session = (
            with_reader_roles(Session.objects.select_related("lab__collectivite"), self.request.user, lab="lab")
            .filter(lab__slug=self.kwargs["lab_slug"], number=self.kwargs["number"])
            .first()
        )
        if self.session is None:
            raise Http404
        return self.session

    def resolve(self, **kwargs):
        self.person = self.find_person(self.request.POST.get("personne") or self.request.GET.get("personne"))

    def find_person(self, person_id):
        people = Ambassador.objects.filter(lab_id=self.session.lab_id, is_active=True)
        user = self.request.user
        if not person_id:
            person = people.filter(user=user).first()
        else:
            try:
                person = people.filter(pk=int(person_id)).first()
            except (TypeError, ValueError):
                person = None
            if person is not None and person.user_id != user.pk and not runs_lab(user, self.session.lab):
                person = None
        if person is None:
            raise Http404
        return person

    def render(self, form, status=200):
        context = {
            "event": self.session,
            "owner": self.session.lab,
            "session": self.session,
            "lab": self.session.lab,
            "person": self.person,
            "for_self": self.person.user_id == self.request.user.pk,
            "form": form,
            "open": answers_open(self.session),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def answer_saved(self, request):
        if self.person.user_id == request.user.pk:
            messages.success(request, gettext("Merci, votre réponse est enregistrée."))
        else:
            messages.success(request, gettext("Réponse de %(name)s enregistrée.") % {"name": self.person.full_name})
        return redirect(self.session.get_absolute_url() + "#presence")


class RsvpView(SessionAnswerMixin, View):
    """The answer link of an invitation mail: no login, the signed link says who answers.

    Opening it (GET) changes nothing, so a mail scanner following it does no harm.
    """

    template_name = "sessions/rsvp.html"
    unavailable_template_name = "sessions/rsvp_unavailable.html"
    event_model = Session

    def dispatch(self, request, *args, **kwargs):
        try:
            event = self.find_event(kwargs)
            if event is None:
                raise invitations.RsvpLinkInvalid("unknown")
            self.person = invitations.read_rsvp_token(kwargs["token"], event=event)
        except invitations.RsvpLinkInvalid as invalid:
            phrases = self.event_model.phrases
            explanation = {"unknown": phrases.rsvp_unknown, "expired": phrases.rsvp_expired, "cancelled": phrases.rsvp_cancelled}
            context = {"reason": invalid.reason, "explanation": explanation[invalid.reason], "event": invalid.event}
            status = 404 if invalid.reason == "unknown" else 410
            return TemplateResponse(request, self.unavailable_template_name, context, status=status)
        return super().dispatch(request, *args, **kwargs)

    def find_event(self, kwargs):
        """The event of the address (kept as the view's event), or None."""
        self.session = (
            Session.objects.select_related("lab__collectivite")
            .filter(lab__slug=kwargs["lab_slug"], number=kwargs["number"])
            .first()
        )
        return self.session

    def context(self):
        return {"owner": self.session.lab, "session": self.session, "lab": self.session.lab, "agenda_days": agenda_by_day(self.session)}

    def render(self, form, status=200):
        context = {"event": self.event, "person": self.person, "form": form, **self.context()}
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def answer_saved(self, request):
        messages.success(request, self.event.wording.answer_saved_by_link)
        return redirect(request.path)


def all_present_saved(request, day):
    """After "everyone present" on a day: back to the table, where the exceptions are changed."""
    messages.success(
        request,
        gettext(
            "Le %(day)s, toutes les personnes qui n'étaient pas notées sont notées présentes, et c'est enregistré. "
            "Changez maintenant les exceptions."
        )
        % {"day": date_format(day, "l j F")},
    )
    return redirect(request.path + "#presences")


class SessionAttendanceView(SessionRunMixin, View):
    """After (or during) the session, those who run the Lab note who actually came, day by day."""

    template_name = "sessions/attendance.html"

    def form(self, data=None):
        rows = list(self.session.attendances.all())
        with_rows = {row.ambassador_id for row in rows}
        # Everyone active, and anyone who left since but was invited to this session.
        people = (
            Ambassador.objects.filter(lab=self.lab)
            .filter(Q(is_active=True) | Q(pk__in=with_rows))
            .order_by("last_name", "first_name", "pk")
        )
        return AttendanceMarksForm(data, event=self.session, people=people, rows=rows)

    def context(self, form, **kwargs):
        today = timezone.localdate()
        return {
            "event": self.session,
            "owner": self.lab,
            "person_template": "sessions/partials/attendance_ambassador.html",
            "form": form,
            "too_early": self.session.start_date > today,
            "cancelled": self.session.status == EventStatus.CANCELLED,
            **kwargs,
        }

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, self.context(self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                invitations.record_attendance(event=self.session, marks=form.marks())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if form.all_present_day is not None:
                    return all_present_saved(request, form.all_present_day)
                messages.success(request, self.session.wording.attendance_saved)
                return redirect(self.session_url("presence"))
        return self.render(self.template_name, self.context(form), status=400)


class LabAttendanceView(LabRunMixin, View):
    """Per person of the Lab, the days they came out of the days of the sessions held.

    Sortable by name, circle or rate, in two queries whatever the number of sessions.
    """

    permission_required = "sessions.view_lab_attendance"
    template_name = "sessions/lab_attendance.html"
    orderings = {
        "nom": ("last_name", "first_name", "pk"),
        "-nom": ("-last_name", "-first_name", "-pk"),
        "cercle": ("circle", "last_name", "first_name", "pk"),
        "taux": ("-attended_days", "last_name", "first_name", "pk"),
        "-taux": ("attended_days", "last_name", "first_name", "pk"),
    }

    def get(self, request, *args, **kwargs):
        sort = request.GET.get("tri", "nom")
        if sort not in self.orderings:
            sort = "nom"
        held = list(
            Session.objects.filter(lab=self.lab, status=EventStatus.HELD).values_list("start_date", "end_date")
        )
        held_days = sum((end - start).days + 1 for start, end in held)
        came = Q(attendances__attended=True, attendances__session__status=EventStatus.HELD)
        people = list(
            Ambassador.objects.filter(lab=self.lab)
            .annotate(attended_days=Count("attendances", filter=came))
            .order_by(*self.orderings[sort])
        )
        # Translated once for the table, not by get_circle_display() for every row.
        circles = {value: str(label) for value, label in Ambassador.Circle.choices}
        for person in people:
            person.rate = round(100 * person.attended_days / held_days) if held_days else None
            person.circle_label = circles.get(person.circle, person.circle)
        context = {
            "people": people,
            "held_sessions": len(held),
            "held_days": held_days,
            "sort": sort,
        }
        return self.render(self.template_name, context)

