"""The day-by-day agenda: edited in place with htmx, and page by page without JavaScript.

Each action answers an htmx request with the agenda editor (one fragment that every action
replaces whole, so the days never disagree), and a plain request with a redirect to the session
page or, on bad input, with a page holding the form and its errors. Bad input answers 422 to htmx
(the session page tells htmx to show such answers) and 400 to a plain request.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView

from common.views import VisibleItemMixin
from programmes.rules import can_read_item_with_roles, with_reader_roles

from .. import services
from ..forms import AgendaItemForm, add_service_errors, day_label
from ..models import AgendaItem, Session
from ..outside import show_outside_lab
from .editor import SessionRunMixin

EDITOR_TEMPLATE = "sessions/partials/agenda_editor.html"


def add_form(session, day, data=None):
    return AgendaItemForm(data, event=session, fixed_day=day, auto_id=f"id_add-{day.isoformat()}_%s")


def edit_form(item, data=None, *, autofocus=False):
    form = AgendaItemForm(data, event=item.session, instance=item, auto_id=f"id_edit-{item.pk}_%s")
    if autofocus:
        form.fields["day"].widget.attrs["autofocus"] = True
    return form


def agenda_editor_context(
    session, *, items=None, add_forms=None, edit=None, delete=None, focus=None, message="", htmx=False
):
    """What the agenda editor fragment shows.

    ``edit`` is (item, form) for the block whose row is a form; ``delete`` the block whose
    deletion is being confirmed; ``focus`` the id of the element htmx focuses once it has swapped
    the fragment in (so a keyboard user keeps their place).
    """
    if items is None:
        items = list(session.agenda_items.select_related("case").order_by("day", "start_time"))
    add_forms = add_forms or {}
    days = []
    for day in session.days:
        day_items = [item for item in items if item.day == day]
        days.append(
            {
                "day": day,
                "label": day_label(day),
                "items": day_items,
                "add_form": add_forms.get(day) or add_form(session, day),
            }
        )
    return {
        "session": session,
        "agenda_days": days,
        "editing": edit[0] if edit else None,
        "edit_form": edit[1] if edit else None,
        "deleting": delete,
        "focus": focus,
        "agenda_message": message,
        "htmx": htmx,
    }


class AgendaMixin(SessionRunMixin):
    def editor(self, *, status=200, **state):
        context = agenda_editor_context(self.session, htmx=True, **state)
        return TemplateResponse(self.request, EDITOR_TEMPLATE, context, status=status)

    def done(self, message, *, anchor="programme", focus=None):
        if self.request.htmx:
            return self.editor(message=message, focus=focus)
        messages.success(self.request, message)
        return redirect(self.session_url(anchor))

    def form_page(self, form, *, title, status=200, item=None):
        return self.render(
            "sessions/agenda_item_form.html", {"form": form, "page_title": title, "item": item}, status=status
        )


class AgendaEditorView(AgendaMixin, View):
    """The editor fragment as it is (htmx's « cancel »); the session page for everyone else."""

    def get(self, request, *args, **kwargs):
        if request.htmx:
            return self.editor(focus=request.GET.get("focus") or None)
        return redirect(self.session_url("programme"))


class AgendaItemAddView(AgendaMixin, View):
    def get(self, request, *args, **kwargs):
        day = safe_date(request.GET.get("jour"))
        day = day if day in self.session.days else self.session.start_date
        form = AgendaItemForm(event=self.session, initial={"day": day})
        return self.form_page(form, title=gettext("Ajouter un temps au programme"))

    def post(self, request, *args, **kwargs):
        if request.htmx:
            day = _posted_day(request.POST, self.session)
            form = add_form(self.session, day, request.POST)
        else:
            form = AgendaItemForm(request.POST, event=self.session)
        if form.is_valid():
            try:
                item = services.add_agenda_item(session=self.session, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message = gettext("« %(title)s » ajouté au %(day)s.") % {
                    "title": item.title,
                    "day": date_format(item.day, "l j F"),
                }
                return self.done(message, anchor=f"jour-{item.day.isoformat()}")
        if request.htmx:
            return self.editor(status=422, add_forms={day: form})
        return self.form_page(form, title=gettext("Ajouter un temps au programme"), status=400)


def _posted_day(data, session):
    """The day whose « add » form was used; a day not of the session shows its error on the first."""
    day = safe_date(data.get("day"))
    return day if day in session.days else session.start_date


def safe_date(value):
    try:
        return parse_date(value or "")
    except ValueError:  # well-formed but impossible, such as 2016-02-31
        return None


class AgendaItemMixin(AgendaMixin):
    def resolve(self, **kwargs):
        super().resolve(**kwargs)
        self.item = get_object_or_404(AgendaItem.objects.select_related("case"), session=self.session, pk=kwargs["pk"])
        self.item.session = self.session


class AgendaItemEditView(AgendaItemMixin, View):
    def get(self, request, *args, **kwargs):
        if request.htmx:
            return self.editor(edit=(self.item, edit_form(self.item, autofocus=True)))
        return self.form_page(edit_form(self.item), title=gettext("Modifier un temps du programme"), item=self.item)

    def post(self, request, *args, **kwargs):
        # A fresh copy: a form being checked changes its instance.
        item = AgendaItem.objects.select_related("session__lab").get(pk=self.item.pk)
        form = edit_form(item, request.POST)
        if form.is_valid():
            try:
                item = services.update_agenda_item(item=self.item, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message = gettext("« %(title)s » enregistré.") % {"title": item.title}
                return self.done(message, anchor=f"temps-{item.pk}", focus=f"edit-link-{item.pk}")
        if request.htmx:
            return self.editor(status=422, edit=(self.item, form))
        return self.form_page(form, title=gettext("Modifier un temps du programme"), status=400, item=self.item)


class AgendaItemDeleteView(AgendaItemMixin, View):
    def get(self, request, *args, **kwargs):
        if request.htmx:
            return self.editor(delete=self.item, focus=f"delete-confirm-{self.item.pk}")
        return self.render("sessions/agenda_item_delete.html", {"item": self.item})

    def post(self, request, *args, **kwargs):
        services.delete_agenda_item(item=self.item)
        message = gettext("« %(title)s » retiré du programme.") % {"title": self.item.title}
        day = self.item.day
        return self.done(message, anchor=f"jour-{day.isoformat()}", focus=f"jour-{day.isoformat()}")


class AgendaItemMoveView(AgendaItemMixin, View):
    """Swap a block with its neighbour (see services.move_agenda_item)."""

    def get(self, request, *args, **kwargs):
        return redirect(self.session_url(f"temps-{self.item.pk}"))

    def post(self, request, *args, **kwargs):
        direction = request.POST.get("direction", "")
        try:
            neighbour = services.move_agenda_item(item=self.item, direction=direction)
        except ValidationError as error:
            if request.htmx:
                return self.editor(status=422, message=" ".join(error.messages))
            context = {
                "title": gettext("Déplacement impossible"),
                "errors": error.messages,
                "back_url": self.session_url("programme"),
            }
            return self.render("sessions/message.html", context, status=400)
        if neighbour is None:
            message = (
                gettext("« %(title)s » est déjà le premier temps de la journée.")
                if direction == "up"
                else gettext("« %(title)s » est déjà le dernier temps de la journée.")
            ) % {"title": self.item.title}
        else:
            message = gettext("« %(title)s » passe %(where)s « %(other)s ».") % {
                "title": self.item.title,
                "where": gettext("avant") if direction == "up" else gettext("après"),
                "other": neighbour.title,
            }
        # The focus follows the block to its new place (its « Modifier » link), for keyboard users.
        return self.done(message, anchor=f"temps-{self.item.pk}", focus=f"edit-link-{self.item.pk}")


class AgendaPrintView(VisibleItemMixin, DetailView):
    """The agenda on paper: one section per day, without the site's navigation.

    It shows what the session page shows, by the same rules: a block's case only to those who
    may open that case, people only as their consent allows to readers outside the Lab.
    """

    permission_required = "sessions.view_session"
    template_name = "sessions/agenda_print.html"
    context_object_name = "session"

    def get_visible_queryset(self, user):
        # Every session, with the reader's roles in its Lab: the permission decides from them.
        sessions = with_reader_roles(Session.objects.select_related("lab__collectivite"), user, lab="lab")
        return sessions.prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("case").order_by("day", "start_time"))
        ).order_by()

    def get_lookup(self):
        return {"lab__slug": self.kwargs["lab_slug"], "number": self.kwargs["number"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        items = list(session.agenda_items.all())
        for item in items:
            # A case of the session's Lab (services and admin check it), named only to its readers.
            item.shown_case = item.case if item.case_id and can_read_item_with_roles(item.case.visibility, session) else None
        if not (session.reader_runs_lab or session.reader_belongs_to_lab):
            show_outside_lab(session, items=items)
        context["agenda_days"] = [(day, [item for item in items if item.day == day]) for day in session.days]
        return context
