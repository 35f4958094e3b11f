"""Django admin for programmes, collectivités, Labs and the people who run them."""
from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, UniqueConstraint
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import contributions
from .models import Collectivite, Coordination, Lab, LabMembership, Programme


def count_of(model, fk_name):
    """The number of `model` rows pointing at each outer row.

    A correlated subquery rather than Count() on a join: a changelist showing several
    counts would otherwise multiply the joined rows (sessions × ambassadors × cases).
    """
    rows = (
        model._default_manager.filter(**{fk_name: OuterRef("pk")})
        .order_by()
        .values(fk_name)
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def changelist_link(url_name, label, **filters):
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', reverse(url_name), query, label)


def person_name(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.email or user.get_username()


def live_forms(formset):
    """The forms of a formset that will be saved: filled in and not marked for deletion."""
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class ConstraintMessageFormSet(BaseInlineFormSet):
    """Two rows of one inline that break a UniqueConstraint say what the model says.

    The inline's foreign key is left out of the model's own constraint check, so the
    formset catches these duplicates itself, with a generic message by default.
    """

    def get_unique_error_message(self, unique_check):
        for constraint in self.model._meta.constraints:
            if (
                isinstance(constraint, UniqueConstraint)
                and set(constraint.fields) == set(unique_check)
                and constraint.violation_error_message != constraint.default_violation_error_message
            ):
                return constraint.violation_error_message
        return super().get_unique_error_message(unique_check)


class LabInlineFormSet(ConstraintMessageFormSet):
    def clean(self):
        super().clean()
        programme = self.instance
        # Lab.clean() reads lab.programme_id, which stays empty while the programme is
        # being created: check the dates here against the programme of the form.
        if programme.pk is not None or not (programme.start_date and programme.end_date):
            return
        for form in live_forms(self):
            start, end = form.cleaned_data.get("start_date"), form.cleaned_data.get("end_date")
            if start and end and (start < programme.start_date or end > programme.end_date):
                form.add_error(
                    None,
                    gettext("Le labo doit se dérouler pendant le programme (du %(start)s au %(end)s).")
                    % {"start": programme.start_date, "end": programme.end_date},
                )


class LabAdminForm(forms.ModelForm):
    class Meta:
        model = Lab
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start_date"), cleaned_data.get("end_date")
        # The model only checks a session against its Lab when the session is saved;
        # moving the Lab's dates must not strand the sessions already planned.
        if self.instance.pk and start and end:
            stranded = self.instance.sessions.exclude(start_date__gte=start, end_date__lte=end).count()
            if stranded:
                self.add_error(
                    None,
                    ngettext(
                        "%(count)d session de ce labo tomberait hors de ces dates : déplacez-la d'abord.",
                        "%(count)d sessions de ce labo tomberaient hors de ces dates : déplacez-les d'abord.",
                        stranded,
                    )
                    % {"count": stranded},
                )
        return cleaned_data


class LabInline(admin.TabularInline):
    model = Lab
    form = LabAdminForm
    formset = LabInlineFormSet
    fields = ("name", "slug", "collectivite", "start_date", "end_date", "phase")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("collectivite",)
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 1


class CoordinationInline(admin.TabularInline):
    model = Coordination
    formset = ConstraintMessageFormSet
    fields = ("user",)
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "organiser", "start_date", "end_date", "default_licence", "lab_count")
    search_fields = ("name", "organiser", "slug")
    search_help_text = _("Nom, organisateur ou identifiant")
    list_filter = ("default_licence",)
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "organiser", "description")}),
        (_("Calendrier, licence et langue"), {"fields": ("start_date", "end_date", "default_licence", "language")}),
    )
    inlines = (LabInline, CoordinationInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lab_count=count_of(Lab, "programme"))

    @admin.display(description=_("labos"), ordering="lab_count")
    def lab_count(self, obj):
        return obj.lab_count


@admin.register(Coordination)
class CoordinationAdmin(admin.ModelAdmin):
    list_display = ("person", "user_email", "programme")
    list_select_related = ("user", "programme")
    list_filter = ("programme",)
    search_fields = ("user__first_name", "user__last_name", "user__email", "programme__name")
    search_help_text = _("Nom ou e-mail de la personne, nom du programme")
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("personne"), ordering="user__last_name")
    def person(self, obj):
        return person_name(obj.user)

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email


@admin.register(Collectivite)
class CollectiviteAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "departement", "website", "lab_count")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "departement")
    search_help_text = _("Nom, identifiant ou code du département")
    prepopulated_fields = {"slug": ("name",)}
    # Collectivités publish over HTTPS; a bare domain typed in should become https://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "departement")}),
        (_("Coordonnées"), {"fields": ("website", "seat_address", "logo")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lab_count=count_of(Lab, "collectivite"))

    @admin.display(description=_("labos"), ordering="lab_count")
    def lab_count(self, obj):
        return obj.lab_count


class LabMembershipInline(admin.TabularInline):
    model = LabMembership
    formset = ConstraintMessageFormSet
    fields = ("user", "role", "discipline")
    autocomplete_fields = ("user",)
    extra = 0


def count_column(count):
    """A column of the Lab list showing one registered count, sortable on its annotation."""

    def column(obj):
        return getattr(obj, count.name)

    column.__name__ = count.name  # names the column's CSS class, as a method of the admin would
    return admin.display(description=count.column_label, ordering=count.name)(column)


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    form = LabAdminForm
    # Then a column for each count the apps built on programmes register (programmes.contributions).
    list_display = ("name", "collectivite", "programme", "start_date", "end_date", "phase")
    list_select_related = ("programme", "collectivite")
    list_filter = ("programme", "phase", "collectivite")
    search_fields = ("name", "slug", "collectivite__name")
    search_help_text = _("Nom du labo, identifiant ou collectivité")
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("collectivite",)
    readonly_fields = ("overview",)
    fieldsets = (
        (None, {"fields": ("programme", "collectivite", "name", "slug", "description")}),
        (_("Calendrier"), {"fields": ("start_date", "end_date", "phase")}),
        (_("Objectifs de diversité"), {"fields": ("target_metiers", "target_directions")}),
        (_("Vue d'ensemble"), {"fields": ("overview",)}),
    )
    inlines = (LabMembershipInline,)

    def get_list_display(self, request):
        return (*super().get_list_display(request), *(count_column(count) for count in contributions.lab_counts()))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            **{count.name: count_of(count.model, "lab") for count in contributions.lab_counts()}
        )

    @admin.display(description=_("contenu du labo"))
    def overview(self, obj):
        if obj.pk is None:
            return "—"
        counts = sorted(contributions.lab_counts(), key=lambda count: count.overview_rank)
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({})</li>",
                (
                    (changelist_link(count.changelist, count.overview_label, lab__id__exact=obj.pk), getattr(obj, count.name))
                    for count in counts
                ),
            ),
        )


@admin.register(LabMembership)
class LabMembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "user_email", "lab", "role", "discipline")
    list_select_related = ("user", "lab")
    list_filter = ("role", "lab__programme", "lab")
    search_fields = ("user__first_name", "user__last_name", "user__email", "lab__name", "discipline")
    search_help_text = _("Nom ou e-mail de la personne, labo, discipline")
    autocomplete_fields = ("lab", "user")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("personne"), ordering="user__last_name")
    def person(self, obj):
        return person_name(obj.user)

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email
