"""The Labs a person belongs to, and each Lab's home page."""
from django.db.models import Count, Prefetch
from django.http import Http404
from django.views.generic import DetailView, ListView

from common.views import PermissionRequiredMixin

from .models import Lab, LabMembership
from .names import public_form
from .rules import belongs_to_lab, labs_seen_whole_by, runs_lab


class LabListView(PermissionRequiredMixin, ListView):
    """« Mes labos »: the Labs one joined, runs or coordinates."""

    permission_required = "common.logged_in"
    template_name = "programmes/lab_list.html"
    context_object_name = "labs"

    def get_queryset(self):
        return (
            Lab.objects.filter(pk__in=labs_seen_whole_by(self.request.user).values("pk"))
            .select_related("collectivite", "programme")
            .annotate(session_count=Count("sessions", distinct=True), case_count=Count("cases", distinct=True))
            .order_by("programme__name", "start_date")
        )


class LabDetailView(PermissionRequiredMixin, DetailView):
    """A Lab's home: its team, its sessions and its cases, as far as the reader may see them.

    People of another Lab of the same programme may open it and see what is shared; anyone else
    gets a 404, as for a Lab that does not exist.
    """

    permission_required = "programmes.open_lab"
    template_name = "programmes/lab_detail.html"
    context_object_name = "lab"

    def get_permission_object(self):
        lab = (
            Lab.objects.select_related("collectivite", "programme")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=LabMembership.objects.select_related("user").order_by("role", "user__last_name"),
                )
            )
            .filter(slug=self.kwargs["slug"])
            .first()
        )
        if lab is None:
            raise Http404
        return lab

    def get_object(self, queryset=None):
        return self.permission_object

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, lab = self.request.user, self.object
        # Reverse managers carry the sessions' and cases' own visible_to(), without importing them.
        context["sessions"] = lab.sessions.visible_to(user).order_by("start_date")
        context["cases"] = lab.cases.visible_to(user).order_by("stage", "title")
        context["runs_lab"] = runs_lab(user, lab)
        context["belongs_to_lab"] = inside = belongs_to_lab(user, lab)
        for membership in lab.memberships.all():
            person = membership.user
            # The other Labs of the programme see the team as the public does: names with consent.
            membership.shown_name = (person.get_full_name() or person.email) if inside else public_form(
                person.first_name, person.last_name, consent=membership.public_consent, role=membership.get_role_display()
            )
        return context
