"""« Mes cas »: the cases whose team one is in, what happened on them, what comes next."""
from django.db.models import Max
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from common.display import date_label
from common.offline import keep_offline
from common.views import PermissionRequiredMixin

from ..models import Case, ProgressEntry
from .journal import excerpt, person_name, prepare_entries


class MyCasesView(PermissionRequiredMixin, View):
    """An ambassador's home: the cases whose team they are in, what happened, what comes next."""

    permission_required = "common.logged_in"
    template_name = "cases/my_cases.html"

    def get(self, request):
        user = request.user
        mine = Case.objects.filter(team__user=user, team__is_active=True).values("pk")
        cases = list(
            Case.objects.filter(pk__in=mine)
            .select_related("lab")
            .annotate(last_activity=Max("entries__created_at"))
            .order_by("lab__name", "title")
        )
        # The entries below are of these cases: each gets its case (and Lab) from here rather than
        # by a join, and each case's address is worked out once.
        by_pk = {case.pk: case for case in cases}
        for case in cases:
            case.url = case.get_absolute_url()
            if case.last_activity:
                case.activity_iso = timezone.localtime(case.last_activity).isoformat(timespec="seconds")
                case.activity_date = date_label(case.last_activity, "SHORT_DATE_FORMAT")
        latest = prepare_entries(
            list(ProgressEntry.objects.filter(case__in=mine).select_related("author").order_by("-created_at")[:10])
        )
        next_steps = prepare_entries(
            list(
                ProgressEntry.objects.filter(author=user)
                .exclude(next_steps="")
                .filter(case__in=mine)
                .order_by("-entry_date", "-created_at")[:5]
            )
        )
        for entry in (*latest, *next_steps):
            if entry.case_id in by_pk:
                entry.case = by_pk[entry.case_id]
            else:  # joined a team between the two queries: read the case on its own
                entry.case.url = entry.case.get_absolute_url()
            entry.day_iso = entry.entry_date.isoformat()
            entry.day_short = date_label(entry.entry_date, "SHORT_DATE_FORMAT")
        for entry in latest:
            entry.author_name = person_name(entry.author)
            entry.done_excerpt = excerpt(entry.done_html)
        context = {"cases": cases, "latest": latest, "next_steps": next_steps}
        # The ambassador's home: kept on the phone to be read offline (common.offline).
        return keep_offline(TemplateResponse(request, self.template_name, context), user)
