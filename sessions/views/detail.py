"""A session's page: its days, agenda, cases, answers and minutes, for those who may read it.

Everyone who may read the session sees its agenda, cases, minutes and photos; the people of its
Lab also see who answered what; those who run the Lab get the editing tools on the same page.
"""
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.utils import timezone
from django.views.generic import DetailView

from programmes.rules import belongs_to_lab, runs_lab
from transfo.views import VisibleItemMixin

from ..forms import AnswerForm, MinutesForm, PhotoForm
from ..models import AgendaItem, Attendance, EventStatus, Session
from .agenda import agenda_editor_context


class SessionReadMixin(VisibleItemMixin):
    def get_visible_queryset(self, user):
        return Session.objects.visible_to(user).select_related("lab__collectivite", "lab__programme")

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "number": self.kwargs["number"]}


class SessionDetailView(SessionReadMixin, DetailView):
    template_name = "sessions/session_detail.html"
    context_object_name = "session"

    def get_visible_queryset(self, user):
        return (
            super()
            .get_visible_queryset(user)
            .prefetch_related(
                Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("case").order_by("day", "start_time")),
                "photos",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session, user = self.object, self.request.user
        lab = session.lab
        items = list(session.agenda_items.all())
        context["agenda_days"] = [(day, [item for item in items if item.day == day]) for day in session.days]
        # Only the cases this reader may open are named.
        context["cases"] = session.cases.visible_to(user).select_related("lab")
        context["runs_lab"] = runs = runs_lab(user, lab)
        context["in_lab"] = in_lab = runs or belongs_to_lab(user, lab)
        today = timezone.localdate()
        context["started"] = session.start_date <= today
        context["answers_open"] = session.status == EventStatus.ANNOUNCED and session.end_date >= today
        context["can_announce"] = runs and session.status in (EventStatus.DRAFT, EventStatus.ANNOUNCED) and session.end_date >= today
        if in_lab:
            context.update(self.attendance_context(session, user))
        if runs:
            context.update(agenda_editor_context(session, items=items))
            context["minutes_form"] = MinutesForm(initial={"minutes": session.minutes})
            context["photo_form"] = PhotoForm()
        return context

    def attendance_context(self, session, user):
        """Who answered what, per day, and the reader's own answer form if they were invited."""
        rows = list(
            Attendance.objects.filter(session=session)
            .select_related("ambassador")
            .order_by("ambassador__last_name", "ambassador__first_name", "ambassador_id", "day")
        )
        by_person = {}
        for row in rows:
            by_person.setdefault(row.ambassador_id, (row.ambassador, {}))[1][row.day] = row
        table = [(person, [answers.get(day) for day in session.days]) for person, answers in by_person.values()]
        counts = []
        for day in session.days:
            day_rows = [row for row in rows if row.day == day]
            counts.append(
                {
                    "day": day,
                    "yes": sum(row.response == Attendance.Response.YES for row in day_rows),
                    "maybe": sum(row.response == Attendance.Response.MAYBE for row in day_rows),
                    "no": sum(row.response == Attendance.Response.NO for row in day_rows),
                    "pending": sum(row.response == Attendance.Response.PENDING for row in day_rows),
                    "attended": sum(row.attended is True for row in day_rows),
                }
            )
        me = session.lab.ambassadors.filter(user=user, is_active=True).first() if user.is_authenticated else None
        context = {"attendance_table": table, "attendance_counts": counts, "me": me}
        if me is not None:
            my_rows = [row for row in rows if row.ambassador_id == me.pk]
            context["my_rows"] = my_rows
            context["answer_form"] = AnswerForm(event=session, rows=my_rows, auto_id="id_answer_%s")
        return context


class SessionPhotoView(SessionReadMixin, DetailView):
    """A session photo, served to those who may read the session (its visibility applies)."""

    def render_to_response(self, context, **response_kwargs):
        photo = self.object.photos.filter(pk=self.kwargs["pk"]).first()
        if photo is None or not photo.image:
            raise Http404
        try:
            image = photo.image.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = "image/png" if photo.image.name.lower().endswith(".png") else "image/jpeg"
        response = FileResponse(image, content_type=content_type)
        # Private: a shared cache must not hand a Lab's photo to someone else.
        response["Cache-Control"] = "private, max-age=3600"
        return response
