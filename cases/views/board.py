"""A Lab's board: every case of the Lab as columns by stage, for the people of the Lab, with filters."""
import datetime

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from common.display import date_label
from common.views import PermissionRequiredMixin
from programmes.models import Lab
from programmes.rules import with_reader_roles

from ..models import Case, Stage

STALE_AFTER = datetime.timedelta(days=30)


class LabBoardView(PermissionRequiredMixin, View):
    """Every case of a Lab as columns by stage, for the people of the Lab, with filters."""

    permission_required = "cases.view_board"
    template_name = "cases/case_board.html"

    def get_permission_object(self):
        # The reader's roles read with the Lab: the permission and the board answer from them.
        lab = with_reader_roles(Lab.objects.select_related("collectivite"), self.request.user).filter(slug=self.kwargs["lab_slug"]).first()
        if lab is None:
            raise Http404
        return lab

    def get(self, request, lab_slug):
        lab = self.permission_object
        now = timezone.now()
        cases = (
            Case.objects.in_lab(lab)
            .annotate(last_activity=Coalesce(Max("entries__created_at"), "created_at"))
            .order_by("title")
        )
        filters = {
            "tag": request.GET.get("tag", ""),
            "membre": request.GET.get("membre", ""),
            "activite": request.GET.get("activite", ""),
        }
        if filters["tag"]:
            cases = cases.filter(pk__in=Case.objects.filter(tags__slug=filters["tag"]).values("pk"))
        if filters["membre"].isdigit():
            cases = cases.filter(pk__in=Case.objects.filter(team__pk=int(filters["membre"])).values("pk"))
        if filters["activite"] == "inactifs":
            cases = cases.filter(last_activity__lt=now - STALE_AFTER)
        elif filters["activite"] == "actifs":
            cases = cases.filter(last_activity__gte=now - STALE_AFTER)
        cases = list(cases)
        teams, member_choices = _lab_teams(lab)
        tags, tag_choices = _lab_tagging(lab)
        runs = lab.reader_runs_lab
        # Translated and formatted once here, not again for every card by the template.
        stage_choices = [(value, str(label)) for value, label in Stage.choices]
        for case in cases:
            case.lab = lab
            case.stale = case.last_activity < now - STALE_AFTER
            case.activity_iso = timezone.localtime(case.last_activity).isoformat(timespec="seconds")
            case.activity_date = date_label(case.last_activity, "SHORT_DATE_FORMAT")
            case.members, case.tag_list = teams.get(case.pk, []), tags.get(case.pk, [])
            if runs:
                case.move_choices = [(value, label) for value, label in stage_choices if value != case.stage]
        columns = [
            {"stage": value, "label": label, "cases": [case for case in cases if case.stage == value]} for value, label in stage_choices
        ]
        context = {
            "lab": lab,
            "columns": columns,
            "filters": filters,
            "runs_lab": runs,
            "stage_choices": stage_choices,
            "tag_choices": tag_choices,
            "member_choices": member_choices,
            "board_url": request.get_full_path(),
        }
        return TemplateResponse(request, self.template_name, context)


# The board reads the teams and the tags of all the Lab's cases at once, each in one query: the
# cards get theirs from it, and so do the filters' choices (who is in a team, which tags are used),
# whatever cases the filters leave on the board.


def _lab_teams(lab):
    """``({case id: [its team]}, [the Lab's people in a team])``, both in order of name."""
    rows = (
        Case.team.through.objects.filter(case__lab=lab)
        .select_related("ambassador")
        .order_by("ambassador__last_name", "ambassador__first_name", "ambassador_id")
    )
    teams, members = {}, {}
    for row in rows:
        teams.setdefault(row.case_id, []).append(row.ambassador)
        if row.ambassador.lab_id == lab.pk:
            members.setdefault(row.ambassador_id, row.ambassador)
    return teams, list(members.values())


def _lab_tagging(lab):
    """``({case id: [its tags]}, [the tags of the Lab's cases, by name])``."""
    rows = (
        Case.tags.through.objects.filter(
            content_type__app_label="cases", content_type__model="case", object_id__in=Case.objects.in_lab(lab).values("pk")
        )
        .select_related("tag")
        .order_by("tag__name", "tag_id")
    )
    tags, used = {}, {}
    for row in rows:
        tags.setdefault(row.object_id, []).append(row.tag)
        used.setdefault(row.tag_id, row.tag)
    for case_tags in tags.values():
        case_tags.sort(key=lambda tag: tag.pk)
    return tags, list(used.values())
