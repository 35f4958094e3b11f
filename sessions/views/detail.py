"""A session's page: its days, agenda, cases, answers and minutes, for those who may read it.

Everyone who may read the session sees its agenda, cases, minutes and photos; the people of its
Lab also see who answered what; those who run the Lab get the editing tools on the same page.
"""
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404
from django.utils import timezone
from django.views.generic import DetailView

from ambassadors.models import Ambassador
from common.counts import related_count
from common.display import choice_labels
from common.offline import keep_offline
from common.views import VisibleItemMixin
from programmes.rules import can_read_item_with_roles, with_reader_roles

from ..forms import AnswerForm, MinutesForm, PhotoForm
from ..models import AgendaItem, Attendance, EventStatus, Session, SessionPhoto
from ..outside import show_outside_lab
from .agenda import agenda_editor_context


class SessionReadMixin(VisibleItemMixin):
    permission_required = "sessions.view_session"

    def get_visible_queryset(self, user):
        # Every session, with the reader's roles in its Lab: the permission decides from them.
        return with_reader_roles(Session.objects.select_related("lab__collectivite", "lab__programme"), user, lab="lab").order_by()

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "number": self.kwargs["number"]}


class SessionDetailView(SessionReadMixin, DetailView):
    template_name = "sessions/session_detail.html"
    context_object_name = "session"

    def get_visible_queryset(self, user):
        # Every session, with the reader's roles in its Lab: the permission decides from them.
        sessions = with_reader_roles(Session.objects.select_related("lab__collectivite", "lab__programme"), user, lab="lab")
        if user.is_authenticated:
            # The reader's own row among the Lab's people, read with the session (see attendance_context).
            sessions = sessions.annotate(reader_ambassador_id=Subquery(self.my_ambassador(user).values("pk")[:1]))
        return (
            # How many photos, read with the session: most sessions have none yet, and then the
            # photos are not asked for (get_context_data).
            sessions.annotate(photo_count=related_count(Session, SessionPhoto, "session_id"))
            # One session by its Lab and number: no need to sort (and join) by the Labs' order.
            .order_by()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session, user = self.object, self.request.user
        # runs_lab and belongs_to_lab of the session's Lab, read with it (programmes.rules).
        runs = session.reader_runs_lab
        items = AgendaItem.objects.filter(session_id=session.pk).order_by("day", "start_time")
        # Only the editor (for those who run the Lab) names each block's case.
        items = list(items.select_related("case") if runs else items)
        # Labels and hours worked out once here rather than by filters for every block.
        kinds = choice_labels(AgendaItem.kind)
        for item in items:
            item.kind_label = kinds.get(item.kind, item.kind)
            item.hours = f"{item.start_time:%H:%M}–{item.end_time:%H:%M}"
        context["agenda_days"] = [(day, [item for item in items if item.day == day]) for day in session.days]
        # Only the cases this reader may open are named. A session's cases are of its Lab (services
        # and admin check it): what this reader may open follows from the roles read with the session.
        context["cases"] = cases = []
        for case in session.cases.filter(lab_id=session.lab_id).order_by("title"):
            if can_read_item_with_roles(case.visibility, session):
                case.lab = session.lab
                cases.append(case)
        context["photos"] = photos = (
            list(SessionPhoto.objects.filter(session_id=session.pk).order_by("uploaded_at", "pk")) if session.photo_count else []
        )
        context["runs_lab"] = runs
        context["in_lab"] = in_lab = runs or session.reader_belongs_to_lab
        if not in_lab:
            # Read from outside the Lab (a public or shared session): names only with consent.
            show_outside_lab(session, items=items, photos=photos)
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

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["in_lab"]:
            # A session of the reader's own Lab (its agenda, its place): kept on their phone for offline.
            keep_offline(response, self.request.user)
        return response

    @staticmethod
    def my_ambassador(user):
        """The reader's active row among the session's Lab's people, in the Lab's own order (its
        Meta ordering starts with the Lab, the same for all of them)."""
        return Ambassador.objects.filter(lab=OuterRef("lab_id"), user=user, is_active=True).order_by("last_name", "first_name")

    def attendance_context(self, session, user):
        """Who answered what, per day, and the reader's own answer form if they were invited."""
        rows = list(
            Attendance.objects.filter(session=session)
            .select_related("ambassador")
            .order_by("ambassador__last_name", "ambassador__first_name", "ambassador_id", "day")
        )
        responses = choice_labels(Attendance.response)
        by_person = {}
        for row in rows:
            row.response_label = responses.get(row.response, row.response)
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
        me = None
        me_id = getattr(session, "reader_ambassador_id", None)
        if me_id is not None:
            # Already read with the answers when they were invited; otherwise fetched.
            me = next((row.ambassador for row in rows if row.ambassador_id == me_id), None)
            if me is None:
                me = Ambassador.objects.get(pk=me_id)
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
