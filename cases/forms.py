"""Forms of the cases, their journal and their stages: they check the input, the services write."""
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from ambassadors.models import Ambassador

from .models import Case, ProgressEntry, Stage
from .uploads import check_uploads


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def session_choice_label(session):
    """« Session n° 16 — 14/03/2017 », the way sessions are numbered everywhere else."""
    label = f"{session.wording.numbered} — {date_format(session.start_date, 'SHORT_DATE_FORMAT')}"
    return f"{label} : {session.title}" if session.title else label


class EntryForm(forms.ModelForm):
    """A journal entry, with its photos and files checked by content before anything is saved."""

    files = MultipleFileField(
        label=_("Photos et fichiers"),
        required=False,
        help_text=_("Plusieurs à la fois si besoin : photos, PDF, documents bureautiques ; 10 Mo au plus chacun."),
    )
    # Generated when the form is shown: posting the same form twice saves one entry.
    token = forms.UUIDField(widget=forms.HiddenInput)
    # A row of sessions' (sessions.models.EntrySession); its choices are set for the case below.
    session = forms.ModelChoiceField(queryset=None, required=False, label=capfirst(_("session")))

    class Meta:
        model = ProgressEntry
        fields = ["entry_date", "done", "learnt", "next_steps", "blockers", "session"]
        widgets = {
            "entry_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "done": forms.Textarea(attrs={"rows": 4}),
            "learnt": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "blockers": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"done": _("Texte simple ; les adresses web deviennent des liens.")}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        # Only this Lab's sessions: a forged id of another Lab's session is "not a valid choice".
        self.fields["session"].queryset = case.lab.sessions.order_by("-start_date")
        self.fields["session"].label_from_instance = session_choice_label
        if not self.is_bound and self.instance.pk:
            self.initial.setdefault("session", self.instance.session_id)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        if self.instance.pk:
            # Editing adds files but keeps the ones already there; no double-submit guard needed.
            del self.fields["token"]

    def clean_files(self):
        return check_uploads(self.cleaned_data.get("files") or [])

    def entry_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class MoveCaseForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Nouvelle étape"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lessons = forms.CharField(
        label=_("Enseignements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour abandonner le cas : un échec est un résultat."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["to_stage"].choices = [(value, label) for value, label in Stage.choices if value != case.stage]
        self.fields["to_stage"].initial = next_stage(case.stage)
        if not self.is_bound:
            self.initial.setdefault("lessons", case.lessons)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to_stage") == Stage.ABANDONED and not (cleaned.get("lessons") or "").strip():
            self.add_error("lessons", _("Un cas abandonné doit dire ce qu'on en a appris."))
        return cleaned


class ProposeStageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Étape proposée"), choices=Stage.choices)
    note = forms.CharField(
        label=_("Pourquoi ?"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Les résident·es reçoivent votre proposition par e-mail.")
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(value, label) for value, label in Stage.choices if value != case.stage]
        self.fields["to_stage"].initial = next_stage(case.stage)


def next_stage(stage):
    """The stage a case usually moves to from ``stage`` (the menus start there), or None after the last."""
    order = [value for value in Stage.values if value != Stage.ABANDONED]
    if stage in order and order.index(stage) + 1 < len(order):
        return order[order.index(stage) + 1]
    return None


MAX_TAGS = 15
TAG_LENGTH = Tag._meta.get_field("name").max_length
SUGGESTED_TAGS = 15


def programme_tags(queryset):
    """The tags of ``queryset``'s cases, by name: one query."""
    tagged = Case.tags.through.objects.filter(
        content_type__app_label="cases", content_type__model="case", object_id__in=queryset.values("pk")
    )
    return Tag.objects.filter(pk__in=tagged.values("tag_id")).order_by("name")


class TeamField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.full_name} — {obj.metier}"


def team_choices(lab, case=None):
    """Who may be put in a case's team: the Lab's active ambassadors, and whoever is already in it.

    Keeping the current members on offer means saving the page never drops someone unseen. Any
    other id (another Lab's ambassador, say) is "not a valid choice".
    """
    condition = Q(is_active=True, circle=Ambassador.Circle.AMBASSADOR)
    if case is not None and case.pk:
        condition |= Q(pk__in=case.team.values("pk"))
    return Ambassador.objects.filter(lab=lab).filter(condition).order_by("last_name", "first_name", "pk")


class CaseForm(forms.ModelForm):
    """A case's description, tags and visibility (and its team when it is created).

    ``save()`` is not used: the view hands ``service_arguments()`` to ``cases.services``.
    """

    team = TeamField(
        label=_("Équipe d'ambassadeur·rices"),
        queryset=Ambassador.objects.none(),
        required=False,
        help_text=_("Les ambassadeur·rices actif·ves du labo."),
    )

    class Meta:
        model = Case
        fields = ["title", "problem_statement", "sponsoring_service", "site_address", "tags", "visibility", "team"]
        widgets = {
            "problem_statement": forms.Textarea(attrs={"rows": 5}),
            "site_address": forms.Textarea(attrs={"rows": 2}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "site_address": _("Si le cas se travaille sur un site : une session pourra s'y tenir."),
        }

    def __init__(self, *args, lab, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.lab = lab
        self.instance.lab = lab
        if "team" in self.fields:
            self.fields["team"].queryset = team_choices(lab, self.instance)
        tags = self.fields["tags"]
        tags.required = False
        # Suggested from the cases the user may read: another Lab's private tags stay private.
        readable = Case.objects.visible_to(user).filter(lab__programme_id=lab.programme_id)
        suggestions = [tag.name for tag in programme_tags(readable)[:SUGGESTED_TAGS]]
        tags.help_text = gettext("Séparés par des virgules. Reprenez ceux du programme pour qu'on retrouve les cas proches.")
        if suggestions:
            # Escaped here: Django's own field template shows help texts unescaped.
            tags.help_text = format_html(
                "{} {}", tags.help_text, gettext("Déjà utilisés : %(tags)s.") % {"tags": ", ".join(suggestions)}
            )

    def clean_tags(self):
        names = self.cleaned_data.get("tags") or []
        too_long = [name for name in names if len(name) > TAG_LENGTH]
        if too_long:
            raise ValidationError(
                gettext("Un mot-clé fait au plus %(length)s caractères : « %(tag)s… » est trop long.")
                % {"length": TAG_LENGTH, "tag": too_long[0][:30]}
            )
        if len(names) > MAX_TAGS:
            raise ValidationError(
                ngettext("%(count)s mot-clé au plus.", "%(count)s mots-clés au plus.", MAX_TAGS) % {"count": MAX_TAGS}
            )
        return names

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class CaseCreateForm(CaseForm):
    def clean(self):
        cleaned = super().clean()
        # A case opens at the framing stage; a posted stage can only be a forged one.
        if self.data.get("stage", Stage.FRAMING) != Stage.FRAMING:
            raise ValidationError(
                gettext("Un cas commence toujours au cadrage ; changez son étape ensuite, depuis sa page."),
                code="stage_at_creation",
            )
        return cleaned


class CaseEditForm(CaseForm):
    """The description of an existing case; its team has a page of its own."""

    team = None

    class Meta(CaseForm.Meta):
        fields = ["title", "problem_statement", "sponsoring_service", "site_address", "tags", "visibility"]


class CaseTeamForm(forms.Form):
    team = TeamField(label=_("Équipe d'ambassadeur·rices"), queryset=Ambassador.objects.none(), required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_choices(case.lab, case)
        if not self.is_bound:
            self.initial.setdefault("team", [member.pk for member in case.team.all()])


class CaseFilterForm(forms.Form):
    """The filters of the programme's case list, read from the address (GET), so links keep them."""

    tag = forms.ChoiceField(label=_("Mot-clé"), required=False)
    etape = forms.ChoiceField(label=_("Étape"), required=False)
    labo = forms.ChoiceField(label=_("Labo"), required=False)

    def __init__(self, *args, tags, labs, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", gettext("Tous"))]
        self.fields["tag"].choices = everything + [(tag.slug, tag.name) for tag in tags]
        self.fields["etape"].choices = [("", gettext("Toutes"))] + list(Stage.choices)
        self.fields["labo"].choices = everything + [(lab.slug, lab.name) for lab in labs]

    def filter(self, queryset):
        """Apply the filters that are valid; an invalid one is shown as an error and left out."""
        values = self.cleaned_data if self.is_bound else {}
        if values.get("tag"):
            # Through the pk, so a case is listed once whatever the join.
            queryset = queryset.filter(pk__in=Case.objects.filter(tags__slug=values["tag"]).values("pk"))
        if values.get("etape"):
            queryset = queryset.filter(stage=values["etape"])
        if values.get("labo"):
            queryset = queryset.filter(lab__slug=values["labo"])
        return queryset
