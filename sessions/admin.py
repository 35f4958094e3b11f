"""Django admin for sessions, their agenda and attendance, and the InterTransfos."""
from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.admin import changelist_link, count_of, live_forms
from programmes.contributions import LabCount, add_lab_count

from .answers import rows_saved
from .models import AgendaItem, Attendance, Gathering, GatheringAttendance, GatheringInvitation, Session
from .wording import NUMBER


def _day_outside_session_message(session):
    return gettext("Ce jour ne fait pas partie de la session (du %(start)s au %(end)s).") % {
        "start": session.start_date.strftime("%d/%m/%Y"),
        "end": session.end_date.strftime("%d/%m/%Y"),
    }


def _case_of_another_lab_message():
    return gettext("Ce cas pratique appartient à un autre labo que celui de la session.")


class AgendaItemInlineFormSet(BaseInlineFormSet):
    """Checks what AgendaItem.clean() cannot see from a single row.

    The model compares a row with the rows already saved, so two new rows that overlap,
    or rows of a session that is not saved yet (its id is still empty), escape it.
    """

    def clean(self):
        super().clean()
        # The session, or the InterTransfo (whose blocks name no case and have no Lab).
        session = self.instance
        items = [
            form
            for form in live_forms(self)
            if all(form.cleaned_data.get(name) for name in ("day", "start_time", "end_time"))
        ]
        lab_id = getattr(session, "lab_id", None)
        for form in items:
            case = form.cleaned_data.get("case")
            if case and lab_id and case.lab_id != lab_id:
                form.add_error("case", _case_of_another_lab_message())
        if session.pk is None and session.start_date and session.end_date:
            for form in items:
                if not session.start_date <= form.cleaned_data["day"] <= session.end_date:
                    form.add_error("day", _day_outside_session_message(session))
        items = [form for form in items if not form.errors]
        for index, later in enumerate(items):
            for earlier in items[:index]:
                if _overlap(earlier.cleaned_data, later.cleaned_data):
                    later.add_error(None, gettext("Ce créneau chevauche « %(title)s ».") % {"title": earlier.instance})
                    break


def _overlap(one, other):
    return (
        one["day"] == other["day"]
        and one["start_time"] < other["end_time"]
        and other["start_time"] < one["end_time"]
    )


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    formset = AgendaItemInlineFormSet
    fields = ("day", "start_time", "end_time", "title", "kind", "case", "facilitators")
    autocomplete_fields = ("case",)
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case")


class GatheringAgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fk_name = "gathering"
    formset = AgendaItemInlineFormSet
    fields = ("day", "start_time", "end_time", "title", "kind", "facilitators")
    show_change_link = True
    extra = 0


class GatheringInvitationInline(admin.TabularInline):
    """Who was invited and what they answered; answers are given on the site, not here."""

    model = GatheringInvitation
    fields = ("person", "key", "invited_at", "answers_by_day")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user", "ambassador")
            .prefetch_related(Prefetch("answers", queryset=GatheringAttendance.objects.order_by("day")))
        )

    @admin.display(description=_("personne"))
    def person(self, obj):
        return obj.full_name

    @admin.display(description=_("réponses"))
    def answers_by_day(self, obj):
        return format_html_join(
            ", ",
            "{} : {}{}",
            (
                (
                    row.day.strftime("%d/%m"),
                    row.get_response_display(),
                    "" if row.attended is None else (gettext(" (venu·e)") if row.attended else gettext(" (pas venu·e)")),
                )
                for row in obj.answers.all()
            ),
        )


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        lab, cases = cleaned_data.get("lab"), cleaned_data.get("cases")
        if lab and cases:
            strangers = [case.title for case in cases if case.lab_id != lab.pk]
            if strangers:
                self.add_error(
                    "cases",
                    gettext("Ces cas pratiques appartiennent à un autre labo : %(titles)s.")
                    % {"titles": ", ".join(strangers)},
                )
        start, end = cleaned_data.get("start_date"), cleaned_data.get("end_date")
        # Attendance rows are edited on their own page, so nothing else would notice
        # answers left on days the session no longer has.
        if self.instance.pk and start and end:
            stranded = self.instance.attendances.exclude(day__gte=start, day__lte=end).count()
            if stranded:
                self.add_error(
                    None,
                    ngettext(
                        "%(count)d réponse de présence porte sur un jour hors de ces dates : "
                        "supprimez-la ou changez son jour d'abord.",
                        "%(count)d réponses de présence portent sur des jours hors de ces dates : "
                        "supprimez-les ou changez leur jour d'abord.",
                        stranded,
                    )
                    % {"count": stranded},
                )
        return cleaned_data


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    list_display = (
        "session_number",
        "title",
        "lab",
        "start_date",
        "end_date",
        "status",
        "visibility",
        "place_name",
        "agenda_item_count",
    )
    list_display_links = ("session_number", "title")
    list_select_related = ("lab",)
    list_filter = ("lab__programme", "lab", "status", "visibility")
    search_fields = ("title", "place_name", "lab__name")
    search_help_text = _("Titre, lieu ou labo")
    date_hierarchy = "start_date"
    autocomplete_fields = ("lab", "cases")
    readonly_fields = ("attendance_summary", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("lab", "number", "title", "status", "visibility")}),
        (_("Dates et lieu"), {"fields": ("start_date", "end_date", "place_name", "place_address")}),
        (_("Contenu"), {"fields": ("objectives", "cases", "minutes")}),
        (_("Présences"), {"fields": ("attendance_summary",)}),
        (_("Historique"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (AgendaItemInline,)

    def get_queryset(self, request):
        # The autocomplete of other admins prints str(session), which reads the lab.
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .annotate(agenda_item_count=count_of(AgendaItem, "session"))
        )

    @admin.display(description=_("n°"), ordering="number")
    def session_number(self, obj):
        return NUMBER % {"number": obj.number}

    @admin.display(description=_("temps au programme"), ordering="agenda_item_count")
    def agenda_item_count(self, obj):
        return obj.agenda_item_count

    @admin.display(description=_("réponses par jour"))
    def attendance_summary(self, obj):
        if obj.pk is None:
            return "—"
        Response = Attendance.Response
        days = (
            obj.attendances.order_by("day")
            .values("day")
            .annotate(
                yes=Count("pk", filter=Q(response=Response.YES)),
                no=Count("pk", filter=Q(response=Response.NO)),
                maybe=Count("pk", filter=Q(response=Response.MAYBE)),
                pending=Count("pk", filter=Q(response=Response.PENDING)),
                attended=Count("pk", filter=Q(attended=True)),
            )
        )
        link = changelist_link(
            "admin:lab_sessions_attendance_changelist", _("Voir et modifier les présences"), session__id__exact=obj.pk
        )
        if not days:
            return format_html("{}<br>{}", _("Aucune réponse enregistrée."), link)
        counted = ("yes", "no", "maybe", "pending", "attended")
        headers = (
            _("Jour"),
            Response.YES.label,
            Response.NO.label,
            Response.MAYBE.label,
            Response.PENDING.label,
            _("Présence constatée"),
        )
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>{}",
            format_html_join("", '<th scope="col">{}</th>', ((header,) for header in headers)),
            format_html_join(
                "",
                '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
                (
                    (row["day"].strftime("%d/%m/%Y"), *(row[key] for key in counted))
                    for row in days
                ),
            ),
            link,
        )


class AgendaItemAdminForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        session, case = cleaned_data.get("session"), cleaned_data.get("case")
        if session and case and case.lab_id != session.lab_id:
            self.add_error("case", _case_of_another_lab_message())
        return cleaned_data


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    form = AgendaItemAdminForm
    list_display = ("day", "start_time", "end_time", "title", "kind", "session", "gathering", "case")
    list_display_links = ("day", "title")
    list_select_related = ("session__lab", "gathering", "case")
    list_filter = ("kind", "session__lab__programme", "session__lab")
    search_fields = ("title", "description", "facilitators", "session__title")
    search_help_text = _("Titre, description, animateur·rices ou titre de la session")
    date_hierarchy = "day"
    autocomplete_fields = ("session", "gathering", "case")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    # A session has about twenty people for up to three days: its sixty rows are
    # handled here, filtered by session, rather than in an inline on the session.
    list_display = ("ambassador_name", "session", "day", "response", "attended", "answered_at")
    list_editable = ("response", "attended")
    list_select_related = ("ambassador", "session__lab")
    list_filter = ("response", "attended", "session__lab__programme", "session__lab", "ambassador__circle")
    search_fields = (
        "ambassador__first_name",
        "ambassador__last_name",
        "ambassador__email",
        "session__title",
    )
    search_help_text = _("Nom ou e-mail de la personne, titre de la session")
    date_hierarchy = "day"
    autocomplete_fields = ("session", "ambassador")
    actions = ("mark_attended", "mark_absent")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("participant·e"), ordering="ambassador__last_name")
    def ambassador_name(self, obj):
        return obj.ambassador.full_name

    @admin.action(description=_("Constater la présence"))
    def mark_attended(self, request, queryset):
        self._set_attended(request, queryset, True)

    @admin.action(description=_("Constater l'absence"))
    def mark_absent(self, request, queryset):
        self._set_attended(request, queryset, False)

    def _set_attended(self, request, queryset, attended):
        count = queryset.update(attended=attended)
        rows_saved.send(sender=queryset.model)  # an update sends no post_save: the dashboards forget
        self.message_user(
            request,
            ngettext("%(count)d présence mise à jour.", "%(count)d présences mises à jour.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Gathering)
class GatheringAdmin(admin.ModelAdmin):
    list_display = (
        "gathering_number",
        "title",
        "programme",
        "host_lab",
        "start_date",
        "end_date",
        "status",
        "place_name",
    )
    list_display_links = ("gathering_number", "title")
    list_select_related = ("programme", "host_lab")
    list_filter = ("programme", "status")
    search_fields = ("title", "place_name", "host_lab__name")
    search_help_text = _("Titre, lieu ou labo hôte")
    date_hierarchy = "start_date"
    autocomplete_fields = ("host_lab",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("programme", "number", "title", "host_lab", "status")}),
        (_("Dates et lieu"), {"fields": ("start_date", "end_date", "place_name", "place_address")}),
        (_("Contenu"), {"fields": ("objectives", "minutes")}),
        (_("Historique"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (GatheringAgendaItemInline, GatheringInvitationInline)

    @admin.display(description=_("n°"), ordering="number")
    def gathering_number(self, obj):
        return NUMBER % {"number": obj.number}


# The Lab admin's column and overview line (programmes.contributions).
add_lab_count(
    LabCount(
        name="session_count",
        model=Session,
        column_label=_("sessions"),
        overview_label=_("Sessions"),
        changelist="admin:lab_sessions_session_changelist",
        overview_rank=1,
    )
)
