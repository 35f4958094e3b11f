"""Case pages: the case and its timeline, the journal forms, stage moves, the Lab board, My cases.

Reading follows ``Case.objects.visible_to(user)``; writing follows ``cases.rules``. A case the
user may not read, or may not write on, answers 404 as if it did not exist; an anonymous
visitor is sent to the login first.
"""
import datetime

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView

from ambassadors.models import Ambassador
from programmes.models import Lab, Visibility
from programmes.rules import belongs_to_lab, runs_lab
from transfo.views import VisibleItemMixin

from .. import rules as case_rules  # also registers the cases.* permissions
from .. import services
from ..forms import EntryForm, MoveCaseForm, ProposeStageForm, add_service_errors
from ..markup import render_text
from ..models import Attachment, Case, ProgressEntry, Stage, StageChange
from ..uploads import content_type_for, thumbnail_name

STALE_AFTER = datetime.timedelta(days=30)
SIMILAR_CASES = 5
TEXT_FIELDS = ("done", "learnt", "next_steps", "blockers")


def _session_model():
    # sessions imports cases: the way back goes through the app registry, not an import.
    return apps.get_model("lab_sessions", "Session")


def prepare_entries(entries):
    """Give each entry the sanitised HTML of its texts (``done_html``…) for the templates."""
    for entry in entries:
        for name in TEXT_FIELDS:
            setattr(entry, f"{name}_html", render_text(getattr(entry, name)))
    return entries


def build_timeline(case, entries, stage_changes, sessions):
    """One list, newest first, of journal entries, stage moves and the sessions on the case."""
    tz_min = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    items = [("entry", entry.entry_date, entry.created_at, entry) for entry in entries]
    items += [("stage", timezone.localdate(change.changed_at), change.changed_at, change) for change in stage_changes]
    items += [("session", session.start_date, tz_min, session) for session in sessions]
    items.sort(key=lambda item: (item[1], item[2]), reverse=True)
    return [{"kind": kind, "date": day, "item": item} for kind, day, _moment, item in items]


class CaseDetailView(VisibleItemMixin, DetailView):
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_visible_queryset(self, user):
        sessions = _session_model().objects.visible_to(user).select_related("lab").order_by("start_date")
        return (
            Case.objects.visible_to(user)
            .select_related("lab__collectivite")
            .prefetch_related(
                "tags",
                "team",
                Prefetch("stage_changes", queryset=StageChange.objects.select_related("changed_by").order_by("changed_at")),
                Prefetch(
                    "entries",
                    queryset=ProgressEntry.objects.select_related("author", "session").order_by("-entry_date", "-created_at"),
                ),
                Prefetch("entries__attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
                Prefetch("sessions", queryset=sessions),
            )
        )

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "slug": self.kwargs["slug"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        runs = runs_lab(user, case.lab)
        # People outside the Lab see names only with consent (DESIGN.md §2).
        inside = runs or belongs_to_lab(user, case.lab)
        team = list(case.team.all())
        in_team = user.is_authenticated and any(
            member.user_id == user.pk and member.is_active and member.circle == Ambassador.Circle.AMBASSADOR for member in team
        )
        entries = prepare_entries(list(case.entries.all()))
        for entry in entries:
            entry.editable = runs or (inside and user.is_authenticated and entry.author_id == user.pk)
        context.update(
            inside_lab=inside,
            runs_lab=runs,
            can_write=runs or in_team,
            team=team,
            timeline=build_timeline(case, entries, case.stage_changes.all(), case.sessions.all()),
        )
        if case.visibility != Visibility.LAB:
            # What the other Labs learnt on the same themes; only what this reader may open.
            context["similar_cases"] = list(Case.objects.visible_to(user).similar_to(case)[:SIMILAR_CASES])
        if runs:
            context["move_form"] = MoveCaseForm(case=case, prefix="move")
        elif in_team:
            context["propose_form"] = ProposeStageForm(case=case, prefix="propose")
        return context


class CaseWriteMixin:
    """The case of the URL, for a user allowed to ``permission`` on it; anyone else gets a 404."""

    permission = staticmethod(case_rules.can_write_entry)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.case = (
            Case.objects.visible_to(request.user)
            .select_related("lab__collectivite", "lab__programme")
            .filter(lab__slug=kwargs["lab_slug"], slug=kwargs["slug"])
            .first()
        )
        if self.case is None or not self.permission(request.user, self.case):
            raise Http404
        self.resolve(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def resolve(self, **kwargs):
        """Look up what else the URL names, once the case is known to be writable."""

    def render(self, template_name, context, status=200):
        return TemplateResponse(self.request, template_name, {"case": self.case, **context}, status=status)


class EntryCreateView(CaseWriteMixin, View):
    template_name = "cases/entry_form.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": EntryForm(case=self.case)})

    def post(self, request, *args, **kwargs):
        form = EntryForm(request.POST, request.FILES, case=self.case)
        if form.is_valid():
            try:
                entry = services.log_progress(
                    case=self.case,
                    author=request.user,
                    files=form.cleaned_data["files"],
                    token=str(form.cleaned_data["token"]),
                    **form.entry_fields(),
                )
            except services.DuplicateSubmission:
                messages.info(request, gettext("Cette entrée était déjà enregistrée."))
                return redirect(self.case.get_absolute_url() + "#journal-title")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Entrée ajoutée au journal de bord."))
                return redirect(self.case.get_absolute_url() + f"#entree-{entry.pk}")
        return self.render(self.template_name, {"form": form}, status=400)


class EntryMixin(CaseWriteMixin):
    permission = staticmethod(lambda user, case: belongs_to_lab(user, case.lab))

    def resolve(self, **kwargs):
        self.entry = ProgressEntry.objects.filter(case=self.case, pk=kwargs["pk"]).first()
        if self.entry is None:
            raise Http404
        self.entry.case = self.case
        if not case_rules.can_change_entry(self.request.user, self.entry):
            raise Http404

    def render(self, template_name, context, status=200):
        return super().render(template_name, {"entry": self.entry, **context}, status=status)


class EntryUpdateView(EntryMixin, View):
    template_name = "cases/entry_form.html"

    def get_form(self, data=None, files=None):
        instance = ProgressEntry.objects.get(pk=self.entry.pk)
        return EntryForm(data, files, case=self.case, instance=instance)

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": self.get_form()})

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.edit_entry(entry=self.entry, edited_by=self.request.user, files=form.cleaned_data["files"], **form.entry_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Entrée modifiée."))
                return redirect(self.case.get_absolute_url() + f"#entree-{self.entry.pk}")
        return self.render(self.template_name, {"form": form}, status=400)


class EntryDeleteView(EntryMixin, View):
    template_name = "cases/entry_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {})

    def post(self, request, *args, **kwargs):
        services.delete_entry(entry=self.entry)
        messages.success(request, gettext("Entrée supprimée."))
        return redirect(self.case.get_absolute_url() + "#journal-title")


class AttachmentView(VisibleItemMixin, DetailView):
    """A journal photo, its thumbnail or a file, served to those who may read the case."""

    thumbnail = False

    def get_visible_queryset(self, user):
        return Case.objects.visible_to(user)

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "slug": self.kwargs["slug"]}

    def render_to_response(self, context, **response_kwargs):
        attachment = Attachment.objects.filter(entry__case=self.object, pk=self.kwargs["pk"]).first()
        if attachment is None or not attachment.file or (self.thumbnail and attachment.kind != Attachment.Kind.PHOTO):
            raise Http404
        storage, name = attachment.file.storage, attachment.file.name
        if self.thumbnail and storage.exists(thumbnail_name(name)):
            name = thumbnail_name(name)
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        is_photo = attachment.kind == Attachment.Kind.PHOTO
        response = FileResponse(
            handle,
            content_type=content_type_for(name),
            # Documents download rather than open in the site's origin.
            as_attachment=not is_photo,
            filename=str(attachment),
        )
        # Private: a shared cache must not hand a Lab's file to someone else.
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _safe_next(request, fallback):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


class MoveCaseView(CaseWriteMixin, View):
    """Residents (and whoever runs the Lab) move the case; the move is dated on its timeline."""

    permission = staticmethod(case_rules.can_move_case)
    template_name = "cases/case_move.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": MoveCaseForm(case=self.case, prefix="move")})

    def post(self, request, *args, **kwargs):
        form = MoveCaseForm(request.POST, case=self.case, prefix="move")
        if form.is_valid():
            lessons = form.cleaned_data["lessons"]
            try:
                change = services.move_case(
                    case=self.case,
                    to_stage=form.cleaned_data["to_stage"],
                    note=form.cleaned_data["note"],
                    moved_by=request.user,
                    lessons=lessons if lessons.strip() else None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, gettext("« %(case)s » passe à l'étape « %(stage)s ».") % {"case": self.case.title, "stage": change.get_to_stage_display()}
                )
                return redirect(_safe_next(request, self.case.get_absolute_url()))
        return self.render(self.template_name, {"form": form, "next": request.POST.get("next", "")}, status=400)


class ProposeStageView(CaseWriteMixin, View):
    """A team ambassador proposes a move: the residents are mailed, the case does not change."""

    permission = staticmethod(case_rules.can_propose_stage)
    template_name = "cases/case_propose.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {"form": ProposeStageForm(case=self.case, prefix="propose")})

    def post(self, request, *args, **kwargs):
        form = ProposeStageForm(request.POST, case=self.case, prefix="propose")
        if form.is_valid():
            try:
                services.propose_stage(
                    case=self.case,
                    to_stage=form.cleaned_data["to_stage"],
                    note=form.cleaned_data["note"],
                    proposed_by=request.user,
                    case_url=request.build_absolute_uri(self.case.get_absolute_url()),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Proposition envoyée aux résident·es."))
                return redirect(self.case.get_absolute_url())
        return self.render(self.template_name, {"form": form}, status=400)


class LabBoardView(View):
    """Every case of a Lab as columns by stage, for the people of the Lab, with filters."""

    template_name = "cases/case_board.html"

    def get(self, request, lab_slug):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        lab = Lab.objects.select_related("collectivite").filter(slug=lab_slug).first()
        if lab is None or not belongs_to_lab(request.user, lab):
            raise Http404
        now = timezone.now()
        cases = (
            Case.objects.in_lab(lab)
            .annotate(last_activity=Coalesce(Max("entries__created_at"), "created_at"))
            .prefetch_related("tags", "team")
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
        for case in cases:
            case.lab = lab
            case.stale = case.last_activity < now - STALE_AFTER
        runs = runs_lab(request.user, lab)
        columns = [
            {"stage": value, "label": label, "cases": [case for case in cases if case.stage == value]} for value, label in Stage.choices
        ]
        context = {
            "lab": lab,
            "columns": columns,
            "filters": filters,
            "runs_lab": runs,
            "stage_choices": Stage.choices,
            "tag_choices": _lab_tags(lab),
            "member_choices": Ambassador.objects.filter(lab=lab, cases__lab=lab).distinct().order_by("last_name", "first_name"),
            "board_url": request.get_full_path(),
        }
        return TemplateResponse(request, self.template_name, context)


def _lab_tags(lab):
    from taggit.models import Tag

    return Tag.objects.filter(
        pk__in=Case.tags.through.objects.filter(
            content_type__app_label="cases", content_type__model="case", object_id__in=Case.objects.in_lab(lab).values("pk")
        ).values("tag_id")
    ).order_by("name")


class MyCasesView(View):
    """An ambassador's home: the cases whose team they are in, what happened, what comes next."""

    template_name = "cases/my_cases.html"

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        user = request.user
        mine = Case.objects.filter(team__user=user, team__is_active=True).values("pk")
        cases = list(
            Case.objects.filter(pk__in=mine)
            .select_related("lab")
            .annotate(last_activity=Max("entries__created_at"))
            .prefetch_related("tags")
            .order_by("lab__name", "title")
        )
        latest = prepare_entries(
            list(
                ProgressEntry.objects.filter(case__in=mine)
                .select_related("case__lab", "author")
                .order_by("-created_at")[:10]
            )
        )
        next_steps = prepare_entries(
            list(
                ProgressEntry.objects.filter(author=user)
                .exclude(next_steps="")
                .filter(case__in=mine)
                .select_related("case__lab")
                .order_by("-entry_date", "-created_at")[:5]
            )
        )
        context = {"cases": cases, "latest": latest, "next_steps": next_steps}
        return TemplateResponse(request, self.template_name, context)
