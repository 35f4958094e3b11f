"""Django admin for cas pratiques, their stages, their journal de bord and its attachments."""
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes.admin import count_of, live_forms, person_name
from programmes.contributions import LabCount, add_lab_count

from .models import Attachment, Case, DigestPreference, ProgressEntry, StageChange, check_team


def _session_of_another_lab_message():
    return gettext("Cette session n'est pas celle du labo du cas.")


def _entry_session_field():
    """sessions' field pointing at the session an entry was written in (EntrySession.session).

    sessions stands on cases: the entry reaches it through its reverse one-to-one, not an import.
    """
    return ProgressEntry.session_link.related.related_model._meta.get_field("session")


class ProgressEntryAdminForm(forms.ModelForm):
    """An entry and the session it was written in, a row of sessions' saved after the entry."""

    session = forms.ModelChoiceField(queryset=None, required=False, label=capfirst(_("session")))
    request = None  # set by the admin (EntrySessionFormMixin), for the links beside the field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = _entry_session_field()
        # The widget first: setting the queryset hands its choices to the widget.
        widget = AutocompleteSelect(field, admin.site)
        session_admin = admin.site._registry.get(field.remote_field.model)
        if self.request is not None and session_admin is not None:
            # The add / change / view links a foreign key of the model would have, by the same rights.
            widget = RelatedFieldWidgetWrapper(
                widget,
                field.remote_field,
                admin.site,
                can_add_related=session_admin.has_add_permission(self.request),
                can_change_related=session_admin.has_change_permission(self.request),
                can_delete_related=False,
                can_view_related=session_admin.has_view_permission(self.request),
            )
        self.fields["session"].widget = widget
        self.fields["session"].queryset = field.remote_field.model._default_manager.all()
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("session", self.instance.session_id)

    def clean(self):
        cleaned_data = super().clean()
        session = cleaned_data.get("session")
        case = cleaned_data.get("case") or (self.instance.case if self.instance.case_id else None)
        if session and case and session.lab_id != case.lab_id:
            self.add_error("session", _session_of_another_lab_message())
        return cleaned_data

    def _save_m2m(self):
        super()._save_m2m()
        if "session" in self.cleaned_data:
            session = self.cleaned_data["session"]
            if (session.pk if session else None) != self.instance.session_id:
                self.instance.set_session(session)


class EntrySessionFormMixin:
    """Hands the request to ProgressEntryAdminForm, which the session's links need."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset


class ProgressEntryInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        case = self.instance
        # ProgressEntry.clean() needs a saved case; on the add page it has none yet.
        if case.pk is not None or not case.lab_id:
            return
        for form in live_forms(self):
            session = form.cleaned_data.get("session")
            if session and session.lab_id != case.lab_id:
                form.add_error("session", _session_of_another_lab_message())


class ProgressEntryInline(EntrySessionFormMixin, admin.TabularInline):
    model = ProgressEntry
    form = ProgressEntryAdminForm
    formset = ProgressEntryInlineFormSet
    fields = ("entry_date", "author", "done", "session")
    autocomplete_fields = ("author",)
    formfield_overrides = {
        # Compact rows: the whole entry (learnt, next steps, blockers, files) is one click away.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})},
    }
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "session_link__session__lab")


class StageChangeInline(admin.TabularInline):
    model = StageChange
    fields = ("changed_at", "from_stage", "to_stage", "changed_by", "note")
    autocomplete_fields = ("changed_by",)
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class CaseAdminForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        lab, team = cleaned_data.get("lab"), cleaned_data.get("team")
        if lab and team:
            # The same rule as the case pages' (cases.services.set_case_team).
            try:
                check_team(lab, team)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    form = CaseAdminForm
    list_display = ("title", "lab", "stage", "visibility", "tag_list", "team_size", "entry_count", "updated_at")
    list_select_related = ("lab",)
    list_filter = ("lab__programme", "lab", "stage", "visibility", "tags")
    search_fields = ("title", "problem_statement", "sponsoring_service")
    search_help_text = _("Titre, problématique ou service commanditaire")
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("lab", "team")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("lab", "title", "slug", "problem_statement", "sponsoring_service", "site_address")}),
        (_("Avancement"), {"fields": ("stage", "lessons")}),
        (_("Équipe et diffusion"), {"fields": ("team", "visibility", "tags")}),
        (_("Historique"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (StageChangeInline, ProgressEntryInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("tags")
            .annotate(
                team_size=count_of(Case.team.through, "case"),
                entry_count=count_of(ProgressEntry, "case"),
            )
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        if not change or "stage" not in form.changed_data:
            return
        # A stage moved from the admin belongs on the case's timeline too, unless the
        # admin has just written that move in the inline themselves.
        written = any(
            isinstance(obj, StageChange) and obj.to_stage == case.stage
            for formset in formsets
            for obj in getattr(formset, "new_objects", ())
        )
        if not written:
            StageChange.objects.create(
                case=case, from_stage=form.initial.get("stage", ""), to_stage=case.stage, changed_by=request.user
            )

    @admin.display(description=_("mots-clés"))
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))

    @admin.display(description=_("équipe"), ordering="team_size")
    def team_size(self, obj):
        return obj.team_size

    @admin.display(description=_("entrées du journal"), ordering="entry_count")
    def entry_count(self, obj):
        return obj.entry_count


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("case", "case_lab", "from_stage", "to_stage", "changed_at", "author")
    list_select_related = ("case__lab", "changed_by")
    list_filter = ("to_stage", "from_stage", "case__lab__programme", "case__lab")
    search_fields = ("case__title", "note")
    search_help_text = _("Titre du cas ou note")
    date_hierarchy = "changed_at"
    autocomplete_fields = ("case", "changed_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("labo"), ordering="case__lab__name")
    def case_lab(self, obj):
        return obj.case.lab

    @admin.display(description=_("par"), ordering="changed_by__last_name")
    def author(self, obj):
        return person_name(obj.changed_by)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("kind", "file", "caption", "uploaded_at")
    readonly_fields = ("uploaded_at",)
    extra = 0


@admin.register(ProgressEntry)
class ProgressEntryAdmin(EntrySessionFormMixin, admin.ModelAdmin):
    form = ProgressEntryAdminForm
    list_display = ("entry_date", "case", "case_lab", "author_name", "summary", "session", "attachment_count")
    list_display_links = ("entry_date", "case")
    list_select_related = ("case__lab", "author", "session_link__session__lab")
    list_filter = ("case__lab__programme", "case__lab", "case__stage")
    search_fields = ("case__title", "done", "learnt", "next_steps", "blockers")
    search_help_text = _("Titre du cas ou texte de l'entrée")
    date_hierarchy = "entry_date"
    autocomplete_fields = ("case", "author")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("case", "entry_date", "author", "session")}),
        (_("Contenu"), {"fields": ("done", "learnt", "next_steps", "blockers")}),
        (_("Historique"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (AttachmentInline,)

    def get_queryset(self, request):
        # str(entry) reads the case, and the autocomplete of the attachments lists twenty
        # entries at once. The changelist skips list_select_related once a select_related
        # is set here, so this one names everything the list shows.
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .annotate(attachment_count=count_of(Attachment, "entry"))
        )

    @admin.display(description=_("labo"), ordering="case__lab__name")
    def case_lab(self, obj):
        return obj.case.lab

    @admin.display(description=_("auteur·rice"), ordering="author__last_name")
    def author_name(self, obj):
        return person_name(obj.author)

    @admin.display(description=_("ce que nous avons fait"))
    def summary(self, obj):
        return Truncator(obj.done).words(15)

    @admin.display(description=_("pièces jointes"), ordering="attachment_count")
    def attachment_count(self, obj):
        return obj.attachment_count


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "entry", "case_lab", "uploaded_at", "file_link")
    list_select_related = ("entry__case__lab",)
    list_filter = ("kind", "entry__case__lab__programme", "entry__case__lab")
    search_fields = ("caption", "file", "entry__case__title")
    search_help_text = _("Légende, nom du fichier ou titre du cas")
    date_hierarchy = "uploaded_at"
    autocomplete_fields = ("entry",)
    readonly_fields = ("uploaded_at",)

    @admin.display(description=_("labo"), ordering="entry__case__lab__name")
    def case_lab(self, obj):
        return obj.entry.case.lab

    @admin.display(description=_("fichier"))
    def file_link(self, obj):
        if not obj.file:
            return "—"
        # /media/journal/ is never served: the file goes through the case's permission-checked view.
        case = obj.entry.case
        url = reverse("cases:attachment", kwargs={"lab_slug": case.lab.slug, "slug": case.slug, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, gettext("Ouvrir"))


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "updated_at"]
    list_filter = ["frequency"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


# The Lab admin's column and overview line (programmes.contributions).
add_lab_count(
    LabCount(
        name="case_count",
        model=Case,
        column_label=_("cas pratiques"),
        overview_label=_("Cas pratiques"),
        changelist="admin:cases_case_changelist",
        overview_rank=3,
    )
)
