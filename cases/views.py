"""A case's page: its problem, team, stage history and journal, for those who may read it."""
from django.db.models import Prefetch
from django.views.generic import DetailView

from transfo.views import VisibleItemMixin

from .models import Case, ProgressEntry, StageChange


class CaseDetailView(VisibleItemMixin, DetailView):
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_visible_queryset(self, user):
        return (
            Case.objects.visible_to(user)
            .select_related("lab__collectivite")
            .prefetch_related(
                "tags",
                "team",
                Prefetch("stage_changes", queryset=StageChange.objects.order_by("changed_at")),
                Prefetch(
                    "entries",
                    queryset=ProgressEntry.objects.select_related("author", "session").order_by("-entry_date", "-created_at"),
                ),
            )
        )

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "slug": self.kwargs["slug"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # People outside the Lab see names only with consent (DESIGN.md §2).
        context["inside_lab"] = self.request.user.has_perm("programmes.enter_lab", self.object.lab)
        return context
