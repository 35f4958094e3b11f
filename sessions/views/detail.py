"""A session's page: its days, agenda, cases and minutes, for those who may read it."""
from django.db.models import Prefetch
from django.views.generic import DetailView

from transfo.views import VisibleItemMixin

from ..models import AgendaItem, Session


class SessionDetailView(VisibleItemMixin, DetailView):
    template_name = "sessions/session_detail.html"
    context_object_name = "session"

    def get_visible_queryset(self, user):
        return Session.objects.visible_to(user).select_related("lab__collectivite", "lab__programme").prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("case").order_by("day", "start_time"))
        )

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "number": self.kwargs["number"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        items = list(session.agenda_items.all())
        context["agenda_days"] = [(day, [item for item in items if item.day == day]) for day in session.days]
        # Only the cases this reader may open are named.
        context["cases"] = session.cases.visible_to(self.request.user).select_related("lab")
        return context
