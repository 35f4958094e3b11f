"""Forms of the journal and of the stages: they check the input, the services write."""
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ProgressEntry, Stage
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


class EntryForm(forms.ModelForm):
    """A journal entry, with its photos and files checked by content before anything is saved."""

    files = MultipleFileField(
        label=_("Photos et fichiers"),
        required=False,
        help_text=_("Plusieurs à la fois si besoin : photos, PDF, documents bureautiques ; 10 Mo au plus chacun."),
    )
    # Generated when the form is shown: posting the same form twice saves one entry.
    token = forms.UUIDField(widget=forms.HiddenInput)

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
        self.fields["session"].required = False
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
