"""Case pages: the case and its timeline, the journal forms, stage moves.

Reading follows ``Case.objects.visible_to(user)``; writing follows ``cases.rules``, each page
naming its permission. A case the user may not read, or may not write on, answers 404 as if it did not exist; an anonymous
visitor is sent to the login first.
"""
import datetime
import functools

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django.views import View
from django.views.generic import DetailView
from taggit.models import Tag

from ambassadors.models import Ambassador
from common.counts import related_count
from common.display import choice_labels, date_label
from common.public_url import public_url
from common.offline import keep_offline
from common.views import PermissionRequiredMixin, VisibleItemMixin
from programmes.models import Visibility
from programmes.rules import belongs_to_lab, can_read_item_with_roles, with_reader_roles

from .. import services
from ..forms import EntryForm, MoveCaseForm, ProposeStageForm, add_service_errors
from ..markup import render_text
from ..models import Attachment, Case, ProgressEntry, StageChange
from ..outside import file_name_outside_lab, show_outside_lab
from ..uploads import content_type_for, thumbnail_name

# A case page shows this many journal entries, the newest first, and links to the older ones: an
# 18-month journal would otherwise weigh hundreds of kilobytes on a phone.
JOURNAL_PAGE_SIZE = 10
JOURNAL_ORDER = ("-entry_date", "-created_at", "-pk")
SIMILAR_CASES = 5
TEXT_FIELDS = ("done", "learnt", "next_steps", "blockers")


def prepare_entries(entries):
    """Give each entry the sanitised HTML of its texts (``done_html``…) for the templates."""
    for entry in entries:
        for name in TEXT_FIELDS:
            setattr(entry, f"{name}_html", render_text(getattr(entry, name)))
    return entries


_BEFORE_EVERYTHING = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def timeline_key(kind, item):
    """Where an item sorts on the timeline: its day, then its moment within the day."""
    if kind == "entry":
        return (item.entry_date, item.created_at)
    if kind == "stage":
        return (timezone.localdate(item.changed_at), item.changed_at)
    return (item.start_date, _BEFORE_EVERYTHING)


def build_timeline(case, entries, stage_changes, sessions):
    """One list, newest first, of journal entries, stage moves and the sessions on the case.

    Each row also carries, for the template, its ``<time datetime>`` (``iso``) and its date as shown
    (``when``).
    """
    items = [("entry", entry) for entry in entries]
    items += [("stage", change) for change in stage_changes]
    items += [("session", session) for session in sessions]
    items.sort(key=lambda item: timeline_key(*item), reverse=True)
    rows = []
    for kind, item in items:
        day, moment = timeline_key(kind, item)
        if kind == "stage":
            iso, when = timezone.localtime(moment).isoformat(timespec="seconds"), date_label(moment)
        else:
            iso, when = day.isoformat(), date_label(day)
        rows.append({"kind": kind, "date": day, "item": item, "iso": iso, "when": when})
    return rows


def journal_url(case, entry):
    """The address of ``entry`` on its case page: the journal page it falls on, at the entry."""
    newer = (
        ProgressEntry.objects.filter(case_id=case.pk)
        .filter(
            Q(entry_date__gt=entry.entry_date)
            | Q(entry_date=entry.entry_date, created_at__gt=entry.created_at)
            | Q(entry_date=entry.entry_date, created_at=entry.created_at, pk__gt=entry.pk)
        )
        .count()
    )
    number = newer // JOURNAL_PAGE_SIZE + 1
    return case.get_absolute_url() + (f"?page={number}" if number > 1 else "") + f"#entree-{entry.pk}"


@functools.lru_cache(maxsize=2048)
def excerpt(html):
    """The first 30 words of a sanitised journal text (``truncatewords_html:30``), once per text."""
    return mark_safe(Truncator(html).words(30, html=True, truncate=" …"))


_STAGE_FORMS = {}


def stage_form_fields(form, case):
    """The fields of an empty stage form (``MoveCaseForm``, ``ProposeStageForm``) as HTML.

    Rendering a form costs a millisecond a page; an empty one depends only on the case's stage
    (the choices), its lessons (MoveCaseForm's initial value) and the language, so it is rendered
    once per process for each of these and kept (a few hundred at most).
    """
    key = (type(form), form.prefix, case.stage, form.initial.get("lessons"), get_language())
    html = _STAGE_FORMS.get(key)
    if html is None:
        if len(_STAGE_FORMS) >= 512:
            _STAGE_FORMS.clear()
        html = _STAGE_FORMS[key] = render_to_string("cases/_form_fields.html", {"form": form})
    return html


_PK_MARK = 987654321987654321


def url_with_pk(name, **kwargs):
    """A function giving the address of ``name`` for any ``pk``, from one ``reverse()``.

    Reversing costs as much as rendering a few lines, and those who run a Lab get two links per
    journal entry. The mark stands for the pk, the last part of these addresses, so its last
    occurrence is the one replaced.
    """
    before, after = reverse(name, kwargs={**kwargs, "pk": _PK_MARK}).rsplit(str(_PK_MARK), 1)
    return lambda pk: f"{before}{pk}{after}"


def _team_in_order():
    # A team is of its case's Lab (models.check_team): the people's own order, without joining
    # the Labs to sort by the Lab first as Ambassador's Meta ordering does.
    return Ambassador.objects.order_by("last_name", "first_name")


def tags_of(case):
    """The case's tags in the order they were made, as on the board: read straight from taggit's
    table (a tag is on an item once), without the tag manager's DISTINCT and join."""
    items = {"taggit_taggeditem_items__content_type": ContentType.objects.get_for_model(Case)}
    return list(Tag.objects.filter(**items, taggit_taggeditem_items__object_id=case.pk).order_by("pk"))


def person_name(user):
    return (user.get_full_name() or user.first_name) if user is not None else ""


class CaseDetailView(VisibleItemMixin, DetailView):
    permission_required = "cases.view_case"
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_visible_queryset(self, user):
        # Every case, with the reader's roles in its Lab: the permission decides from them.
        return (
            with_reader_roles(Case.objects.all(), user, lab="lab")
            .select_related("lab")
            # The journal's length for its pagination, in the same query.
            .annotate(journal_size=related_count(Case, ProgressEntry, "case_id"))
            # One case by its Lab and slug: no need to sort (and join) by the Labs' order.
            .order_by()
        )

    def timeline_parts(self, case):
        """One page of the case's journal (with each entry's files), and the stage moves and the
        sessions this reader may see that fall between its entries, one query each: asked of the
        one case directly, without prefetching's machinery (as are its tags and team, in
        get_context_data)."""
        journal = (
            ProgressEntry.objects.filter(case_id=case.pk)
            .select_related("author", "session_link__session")
            # What the timeline shows of each: not the session's long texts nor the author's account.
            .only(*TEXT_FIELDS, "case_id", "entry_date", "created_at", "author__first_name", "author__last_name", "session_link__session__number")
            .order_by(*JOURNAL_ORDER)
        )
        paginator = Paginator(journal, JOURNAL_PAGE_SIZE)
        paginator.count = case.journal_size  # counted with the case (get_visible_queryset)
        page = paginator.get_page(self.request.GET.get("page"))
        # The entry just before the page (the oldest of the newer page) bounds the page from above.
        first = max(page.start_index() - 1, 0)  # 0-based; start_index() is 0 for an empty journal
        rows = list(journal[max(first - 1, 0):first + JOURNAL_PAGE_SIZE])
        newer, entries = (rows[0], rows[1:]) if first else (None, rows)
        page.object_list = entries
        files = {}
        for attachment in Attachment.objects.filter(entry__in=[entry.pk for entry in entries]).order_by("uploaded_at", "pk"):
            files.setdefault(attachment.entry_id, []).append(attachment)
        for entry in entries:
            entry.files = files.get(entry.pk, [])
        stage_changes = list(StageChange.objects.filter(case_id=case.pk).select_related("changed_by").order_by("changed_at"))
        self.last_moved_at = stage_changes[-1].changed_at if stage_changes else None
        # A case's sessions are of its Lab (services and admin check it): what this reader may see
        # of them follows from the roles read with the case, without the rules' subqueries.
        sessions = []
        for session in case.sessions.filter(lab_id=case.lab_id).order_by("start_date"):
            if can_read_item_with_roles(session.visibility, case):
                session.lab = case.lab
                sessions.append(session)
        # The moves and sessions from the page's oldest entry (or the very start, on the last page)
        # up to the next newer entry (or for ever, on the first page).
        low = timeline_key("entry", entries[-1]) if page.has_next() and entries else None
        high = timeline_key("entry", newer) if newer is not None else None

        def on_page(kind, item):
            key = timeline_key(kind, item)
            return (low is None or key >= low) and (high is None or key < high)

        stage_changes = [change for change in stage_changes if on_page("stage", change)]
        sessions = [session for session in sessions if on_page("session", session)]
        return page, entries, stage_changes, sessions

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "slug": self.kwargs["slug"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        # runs_lab and belongs_to_lab of the case's Lab, read with it (programmes.rules).
        runs = case.reader_runs_lab
        # People outside the Lab see names only with consent (DESIGN.md §2).
        inside = runs or case.reader_belongs_to_lab
        team = list(_team_in_order().filter(cases=case))
        in_team = user.is_authenticated and any(
            member.user_id == user.pk and member.is_active and member.circle == Ambassador.Circle.AMBASSADOR for member in team
        )
        journal_page, entries, stage_changes, sessions = self.timeline_parts(case)
        if not inside:
            # Read from outside the Lab (a public or shared case): names only with consent.
            show_outside_lab(case, entries=entries, stage_changes=stage_changes, sessions=sessions)
        prepare_entries(entries)
        address = {"lab_slug": case.lab.slug, "slug": case.slug}
        update_url, delete_url = url_with_pk("cases:entry_update", **address), url_with_pk("cases:entry_delete", **address)
        for entry in entries:
            entry.editable = runs or (inside and user.is_authenticated and entry.author_id == user.pk)
            entry.author_name = person_name(entry.author)
            entry.anchor = f"entree-{entry.pk}"
            if entry.editable:
                entry.short_date = date_label(entry.entry_date, "SHORT_DATE_FORMAT")
                entry.update_url, entry.delete_url = update_url(entry.pk), delete_url(entry.pk)
        stages = choice_labels(StageChange.to_stage)
        for change in stage_changes:
            change.from_label = stages.get(change.from_stage, change.from_stage)
            change.to_label = stages.get(change.to_stage, change.to_stage)
            change.by_name = person_name(change.changed_by)
        context.update(
            inside_lab=inside,
            runs_lab=runs,
            can_write=runs or in_team,
            team=team,
            case_tags=tags_of(case),
            timeline=build_timeline(case, entries, stage_changes, sessions),
            page_obj=journal_page,
        )
        if case.visibility != Visibility.LAB:
            # What the other Labs learnt on the same themes; only what this reader may open.
            context["similar_cases"] = list(Case.objects.visible_to(user).similar_to(case)[:SIMILAR_CASES])
        if inside:
            # One query more, for the Lab's people only: a proposal waits here until the case moves.
            proposals = case.stage_proposals.exclude(to_stage=case.stage).select_related("proposed_by")
            if self.last_moved_at is not None:
                proposals = proposals.filter(proposed_at__gt=self.last_moved_at)
            context["stage_proposals"] = proposals = list(proposals.order_by("proposed_at"))
            for proposal in proposals:
                proposal.by_name = person_name(proposal.proposed_by)
                proposal.to_label = stages.get(proposal.to_stage, proposal.to_stage)
        if runs:
            context["move_form"] = form = MoveCaseForm(case=case, prefix="move")
            context["stage_form_fields"] = stage_form_fields(form, case)
        elif in_team:
            context["propose_form"] = form = ProposeStageForm(case=case, prefix="propose")
            context["stage_form_fields"] = stage_form_fields(form, case)
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["can_write"]:
            # A case of the reader's own team (or Lab they run): kept on their phone for offline.
            keep_offline(response, self.request.user)
        return response


class CaseWriteMixin(PermissionRequiredMixin):
    """The case of the URL, for a user holding ``permission_required`` on it; anyone else gets a 404."""

    permission_required = "cases.add_entry_to_case"

    def get_permission_object(self):
        self.case = (
            Case.objects.visible_to(self.request.user)
            .select_related("lab__collectivite", "lab__programme")
            .filter(lab__slug=self.kwargs["lab_slug"], slug=self.kwargs["slug"])
            .first()
        )
        if self.case is None:
            raise Http404
        return self.case

    def render(self, template_name, context, status=200):
        return TemplateResponse(self.request, template_name, {"case": self.case, **context}, status=status)


class EntryCreateView(CaseWriteMixin, View):
    permission_required = "cases.add_entry_to_case"
    template_name = "cases/entry_form.html"

    def get(self, request, *args, **kwargs):
        # Kept on the phone: an entry can be written offline and sent later (static/js/offline.js).
        return keep_offline(self.render(self.template_name, {"form": EntryForm(case=self.case)}), request.user)

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
                return redirect(journal_url(self.case, entry))
        return self.render(self.template_name, {"form": form}, status=400)


class EntryMixin(CaseWriteMixin):
    """An entry of a case the user reads, for its author (still in the Lab) or those who run the Lab."""

    permission_required = "cases.change_entry"

    def get_permission_object(self):
        case = super().get_permission_object()
        self.entry = ProgressEntry.objects.filter(case=case, pk=self.kwargs["pk"]).select_related("session_link").first()
        if self.entry is None:
            raise Http404
        self.entry.case = case
        return self.entry

    def render(self, template_name, context, status=200):
        return super().render(template_name, {"entry": self.entry, **context}, status=status)


class EntryUpdateView(EntryMixin, View):
    template_name = "cases/entry_form.html"

    def get_form(self, data=None, files=None):
        instance = ProgressEntry.objects.select_related("session_link").get(pk=self.entry.pk)
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
                return redirect(journal_url(self.case, ProgressEntry.objects.get(pk=self.entry.pk)))
        return self.render(self.template_name, {"form": form}, status=400)


class EntryDeleteView(EntryMixin, View):
    template_name = "cases/entry_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.template_name, {})

    def post(self, request, *args, **kwargs):
        services.delete_entry(entry=self.entry)
        messages.success(request, gettext("Entrée supprimée."))
        return redirect(self.case.get_absolute_url() + "#journal-title")


class EntryLinkView(VisibleItemMixin, DetailView):
    """The lasting address of a journal entry (mails, My cases): sends to the page it is on."""

    permission_required = "cases.view_entry"

    def get_visible_queryset(self, user):
        # Every entry, with the reader's roles in its case's Lab: the permission decides from them.
        return with_reader_roles(ProgressEntry.objects.select_related("case__lab"), user, lab="case__lab").order_by()

    def get_lookup(self):
        return {"case__lab__slug": self.kwargs["lab_slug"], "case__slug": self.kwargs["slug"], "pk": self.kwargs["pk"]}

    def render_to_response(self, context, **response_kwargs):
        return redirect(journal_url(self.object.case, self.object))


class AttachmentView(VisibleItemMixin, DetailView):
    """A journal photo, its thumbnail or a file, served to those who may read the case."""

    permission_required = "cases.view_case"
    thumbnail = False

    def get_visible_queryset(self, user):
        # Every case, with the reader's roles in its Lab: the permission decides from them.
        return with_reader_roles(Case.objects.select_related("lab"), user, lab="lab").order_by()

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
        filename = str(attachment)
        if not belongs_to_lab(self.request.user, self.object.lab):
            # Its caption names it: outside the Lab, people in it as their consent allows.
            filename = file_name_outside_lab(attachment, self.object.lab)
        response = FileResponse(
            handle,
            content_type=content_type_for(name),
            # Documents download rather than open in the site's origin.
            as_attachment=not is_photo,
            filename=filename,
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

    permission_required = "cases.move_case"
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

    permission_required = "cases.propose_stage"
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
                    case_url=public_url(self.case.get_absolute_url()),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Proposition envoyée aux résident·es."))
                return redirect(self.case.get_absolute_url())
        return self.render(self.template_name, {"form": form}, status=400)
