"""InterTransfo pages: everyone of a programme reads its gatherings; its coordination plans them."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from common.public_url import public_base_url
from common.views import PermissionRequiredMixin
from programmes.models import Lab, Programme
from programmes.rules import labs_run_by

from ..answers import answers_open
from ..forms import AgendaItemForm, AnswerForm, add_service_errors, day_label
from ..gatherings import (
    announce_gathering,
    gathering_url,
    may_plan_gatherings,
    plan_gathering,
    programmes_of,
    update_gathering,
)
from ..invitees import invitation_of, invitations_of
from ..models import AgendaItem, EventStatus, Gathering, GatheringAttendance
from ..outside import show_gathering_agenda
from ..services import add_agenda_item, delete_agenda_item, update_agenda_item
from .agenda import safe_date
from .planner import DateInput


class GatheringForm(forms.ModelForm):
    class Meta:
        model = Gathering
        fields = ("title", "start_date", "end_date", "host_lab", "place_name", "place_address", "objectives", "status")
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "place_address": forms.Textarea(attrs={"rows": 2}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "end_date": _("Une InterTransfo dure de 1 à 3 jours consécutifs."),
            "status": _("« Annoncée » invite par e-mail les équipes et ambassadeur·rices de chaque labo."),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_lab"].queryset = Lab.objects.filter(programme=programme).order_by("name")
        self.fields["host_lab"].empty_label = gettext("— à choisir —")


class ProgrammeMixin(PermissionRequiredMixin):
    """The programme of the URL, looked up among the user's own (``programmes_of``): someone
    outside it gets a 404, as if it did not exist. Reading is ``sessions.view_gatherings``;
    planning views declare ``sessions.plan_gatherings`` (its coordination and admins), refused
    with the same 404.
    """

    permission_required = "sessions.view_gatherings"

    def get_permission_object(self):
        programme = programmes_of(self.request.user).filter(slug=self.kwargs["programme_slug"]).first()
        if programme is None:
            raise Http404
        return programme

    def resolve(self, **kwargs):
        self.programme = self.permission_object
        self.may_plan = may_plan_gatherings(self.request.user, self.programme)

    def get_gathering(self, *prefetches):
        gathering = (
            Gathering.objects.filter(programme=self.programme, number=self.kwargs["number"])
            .select_related("host_lab")
            .prefetch_related(*prefetches)
            .first()
        )
        if gathering is None:
            raise Http404
        gathering.programme = self.programme
        return gathering

    def base_url(self):
        return public_base_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(programme=self.programme, may_plan=self.may_plan)
        return context


class GatheringIndexView(PermissionRequiredMixin, TemplateView):
    """The InterTransfo of every programme the person takes part in."""

    template_name = "sessions/gatherings/index.html"
    permission_required = "common.logged_in"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        programmes = list(
            Programme.objects.filter(pk__in=programmes_of(user).values("pk"))
            .prefetch_related(
                Prefetch("gatherings", queryset=Gathering.objects.select_related("host_lab").order_by("start_date"))
            )
            .order_by("-start_date", "name")
        )
        coordinated = set(
            Programme.objects.filter(coordinations__user=user).values_list("pk", flat=True)
        ) if not user.is_superuser else {programme.pk for programme in programmes}
        # The programme's board is for its coordination and its Labs' residents (dashboards.rules).
        run = set(labs_run_by(user).values_list("programme_id", flat=True)) if programmes else set()
        context["programmes"] = [
            {
                "programme": programme,
                "may_plan": programme.pk in coordinated,
                "may_open_board": programme.pk in coordinated or programme.pk in run,
                "gatherings": [(gathering, gathering_url(gathering)) for gathering in programme.gatherings.all()],
            }
            for programme in programmes
        ]
        return context


class GatheringListView(ProgrammeMixin, TemplateView):
    template_name = "sessions/gatherings/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        gatherings = list(
            Gathering.objects.filter(programme=self.programme).select_related("host_lab").order_by("start_date")
        )
        for gathering in gatherings:
            gathering.programme = self.programme
        context["gatherings"] = [(gathering, gathering_url(gathering)) for gathering in gatherings]
        return context


class GatheringDetailView(ProgrammeMixin, TemplateView):
    """An InterTransfo's page: its days and agenda, the reader's own answer, the answers so far.

    Everyone of the programme reads it and sees how many answered what; its coordination also
    sees who answered what, edits the agenda (a form per day, no JavaScript needed) and notes
    who came. Its cost does not depend on the number of blocks or of people invited.
    """

    template_name = "sessions/gatherings/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        gathering = self.get_gathering(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("day", "start_time"))
        )
        items = list(gathering.agenda_items.all())
        if not self.may_plan:
            # Read by every Lab of the programme: its people named as their consent allows.
            show_gathering_agenda(gathering, [(None, items)])
        today = timezone.localdate()
        context.update(
            gathering=gathering,
            agenda_days=[
                {"day": day, "label": day_label(day), "items": [item for item in items if item.day == day]}
                for day in gathering.days
            ],
            answers_open=gathering.status == EventStatus.ANNOUNCED and answers_open(gathering, today),
            started=gathering.start_date <= today,
        )
        me = invitation_of(gathering, self.request.user)
        if me is not None:
            me.gathering = gathering
            my_rows = list(me.answers.order_by("day"))
            context.update(me=me, my_rows=my_rows, answer_form=AnswerForm(event=gathering, rows=my_rows, auto_id="id_answer_%s"))
        context["answer_counts"] = answer_counts(gathering)
        if self.may_plan:
            invitations = list(
                invitations_of(gathering).prefetch_related(
                    Prefetch("answers", queryset=GatheringAttendance.objects.order_by("day"))
                )
            )
            context["answer_table"] = [
                (invitation, [{row.day: row for row in invitation.answers.all()}.get(day) for day in gathering.days])
                for invitation in invitations
            ]
            for entry in context["agenda_days"]:
                day = entry["day"]
                entry["add_form"] = AgendaItemForm(event=gathering, fixed_day=day, auto_id=f"id_add-{day.isoformat()}_%s")
        return context


def answer_counts(gathering) -> list[dict]:
    """Per day, how many answered present, not sure, absent, nothing yet, and came (one query)."""
    totals = {
        (row["day"], row["response"], row["attended"]): row["count"]
        for row in GatheringAttendance.objects.filter(invitation__gathering=gathering)
        .values("day", "response", "attended")
        .annotate(count=Count("pk"))
        .order_by()
    }
    counts = []
    for day in gathering.days:
        of_day = {key: count for key, count in totals.items() if key[0] == day}
        counts.append(
            {
                "day": day,
                **{
                    name: sum(count for (_day, response, _came), count in of_day.items() if response == value)
                    for name, value in (
                        ("yes", GatheringAttendance.Response.YES),
                        ("maybe", GatheringAttendance.Response.MAYBE),
                        ("no", GatheringAttendance.Response.NO),
                        ("pending", GatheringAttendance.Response.PENDING),
                    )
                },
                "attended": sum(count for (_day, _response, came), count in of_day.items() if came is True),
            }
        )
    return counts


class GatheringFormView(ProgrammeMixin, TemplateView):
    """Create (no ``number`` in the URL) or change an InterTransfo."""

    template_name = "sessions/gatherings/form.html"
    permission_required = "sessions.plan_gatherings"

    def get_instance(self):
        if "number" in self.kwargs:
            return self.get_gathering()
        return Gathering(programme=self.programme, number=0)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_form(GatheringForm(instance=instance, programme=self.programme), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        creating = instance.pk is None
        form = GatheringForm(request.POST, instance=instance, programme=self.programme)
        if not form.is_valid():
            return self.render_form(form, instance, status=400)
        fields = {name: form.cleaned_data[name] for name in GatheringForm.Meta.fields}
        try:
            if creating:
                gathering = plan_gathering(
                    programme=self.programme, planned_by=request.user, base_url=self.base_url(), **fields
                )
            else:
                gathering = update_gathering(
                    gathering=Gathering.objects.get(pk=instance.pk),
                    changed_by=request.user,
                    base_url=self.base_url(),
                    **fields,
                )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_form(form, instance, status=400)
        messages.success(
            request,
            gettext("InterTransfo n° %(number)s enregistrée.") % {"number": gathering.number},
        )
        gathering.programme = self.programme
        return redirect(gathering_url(gathering))

    def render_form(self, form, instance, status=200):
        context = self.get_context_data(form=form, gathering=instance if instance.pk else None)
        return self.render_to_response(context, status=status)


class GatheringAnnounceView(ProgrammeMixin, View):
    """Announce (POST): every Lab's people get an invitation, once each however often it is pressed."""

    permission_required = "sessions.plan_gatherings"
    http_method_names = ("post",)

    def post(self, request, *args, **kwargs):
        gathering = self.get_gathering()
        try:
            queued = announce_gathering(gathering=gathering, announced_by=request.user, base_url=self.base_url())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(gathering_url(gathering))
        if queued:
            messages.success(
                request,
                ngettext(
                    "InterTransfo annoncée : %(count)d invitation envoyée.",
                    "InterTransfo annoncée : %(count)d invitations envoyées.",
                    queued,
                )
                % {"count": queued},
            )
        else:
            messages.info(request, gettext("Tout le monde avait déjà reçu l'invitation : aucun nouvel envoi."))
        return redirect(gathering_url(gathering))


# --- Agenda -------------------------------------------------------------------------------
# Simpler than a session's htmx editor: each action is a page of its own or a form on the
# InterTransfo's page, and leads back to the day it changed.


class GatheringAgendaMixin(ProgrammeMixin):
    """The agenda of an InterTransfo, for its coordination; ``pk`` (when in the URL) is one of its blocks."""

    permission_required = "sessions.plan_gatherings"
    item = None

    def resolve(self, **kwargs):
        super().resolve(**kwargs)
        self.gathering = self.get_gathering()
        if "pk" in self.kwargs:
            # A block of another InterTransfo, or one that does not exist, is the same 404.
            self.item = AgendaItem.objects.filter(gathering=self.gathering, pk=self.kwargs["pk"]).first()
            if self.item is None:
                raise Http404
            self.item.gathering = self.gathering

    def back_url(self, anchor="programme"):
        return f"{gathering_url(self.gathering)}#{anchor}"

    def form_page(self, form, *, status=200):
        context = self.get_context_data(gathering=self.gathering, form=form, item=self.item)
        return self.render_to_response(context, status=status)


class GatheringAgendaAddView(GatheringAgendaMixin, TemplateView):
    """Add a block to a day (``?jour=`` picks the day shown first)."""

    template_name = "sessions/gatherings/agenda_item_form.html"

    def get(self, request, *args, **kwargs):
        day = safe_date(request.GET.get("jour"))
        day = day if day in self.gathering.days else self.gathering.start_date
        return self.form_page(AgendaItemForm(event=self.gathering, initial={"day": day}))

    def post(self, request, *args, **kwargs):
        form = AgendaItemForm(request.POST, event=self.gathering)
        if form.is_valid():
            try:
                item = add_agenda_item(gathering=self.gathering, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("« %(title)s » ajouté au %(day)s.")
                    % {"title": item.title, "day": date_format(item.day, "l j F")},
                )
                return redirect(self.back_url(f"jour-{item.day.isoformat()}"))
        return self.form_page(form, status=400)


class GatheringAgendaEditView(GatheringAgendaMixin, TemplateView):
    template_name = "sessions/gatherings/agenda_item_form.html"

    def get(self, request, *args, **kwargs):
        return self.form_page(AgendaItemForm(event=self.gathering, instance=self.item))

    def post(self, request, *args, **kwargs):
        # A copy: a form being checked changes its instance, and the page shows the saved title.
        form = AgendaItemForm(request.POST, event=self.gathering, instance=AgendaItem.objects.get(pk=self.item.pk))
        if form.is_valid():
            try:
                item = update_agenda_item(item=self.item, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("« %(title)s » enregistré.") % {"title": item.title})
                return redirect(self.back_url(f"temps-{item.pk}"))
        return self.form_page(form, status=400)


class GatheringAgendaDeleteView(GatheringAgendaMixin, TemplateView):
    template_name = "sessions/agenda_item_delete.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(gathering=self.gathering, item=self.item, breadcrumb_template="sessions/gatherings/_breadcrumb.html")
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        delete_agenda_item(item=self.item)
        messages.success(request, gettext("« %(title)s » retiré du programme.") % {"title": self.item.title})
        return redirect(self.back_url(f"jour-{self.item.day.isoformat()}"))
