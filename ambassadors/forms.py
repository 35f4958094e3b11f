"""Forms of the Lab's ambassadors page and of the invitation link."""
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.csv_files import SHEET_ACCEPT

from .models import Ambassador


class InvitationForm(forms.ModelForm):
    """One person to invite; the e-mail decides whether they are new or already listed."""

    class Meta:
        model = Ambassador
        fields = ["first_name", "last_name", "email", "metier", "direction", "circle"]
        labels = {"direction": _("Direction / service")}
        widgets = {"circle": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        for field in self.fields.values():
            field.label = field.label[:1].upper() + field.label[1:]

    def validate_unique(self):
        # The same e-mail again is an update of that person, not an error.
        pass


class ImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("Fichier CSV ou Excel"),
        help_text=_(
            "Une ligne par personne, avec l'en-tête « prénom, nom, e-mail, métier, direction » "
            "(et, si besoin, « cercle » : ambassadeur ou réseau). CSV (UTF-8, Windows-1252 ou UTF-16 ; "
            "séparateur « ; », « , » ou tabulation) ou classeur Excel (.xlsx), 1 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": SHEET_ACCEPT}),
    )


class AcceptInvitationForm(forms.Form):
    """Opening an account from an invitation: a password is optional (login by code works)."""

    password1 = forms.CharField(
        label=_("Mot de passe (facultatif)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Le même mot de passe, une seconde fois"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, ambassador, **kwargs):
        self.ambassador = ambassador
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1", ""), cleaned.get("password2", "")
        if not (password1 or password2):
            return cleaned
        if password1 != password2:
            self.add_error("password2", gettext("Les deux mots de passe ne sont pas identiques."))
            return cleaned
        # The person as they will be, so that a password too close to their name is refused.
        person = get_user_model()(
            username=self.ambassador.email,
            email=self.ambassador.email,
            first_name=self.ambassador.first_name,
            last_name=self.ambassador.last_name,
        )
        try:
            validate_password(password1, person)
        except ValidationError as error:
            self.add_error("password1", error)
        return cleaned
