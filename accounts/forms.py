"""Forms of a person's own account: their profile and the confirmation of its erasure."""
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import images
from outbox import unsubscribe
from outbox.models import MailKind, MailPreference
from common.text import validate_single_line

from .services import LAST_SUPERUSER_MESSAGE, clean_photo, is_last_superuser


class ProfileForm(forms.Form):
    """Name, photo, métier and consent: fields appear only where the person has somewhere to keep them.

    A photo, a métier and a consent live on a person's Lab rows (Ambassador, LabMembership):
    someone with no such row (an admin, a coordinator) edits their name only.
    """

    first_name = forms.CharField(label=_("Prénom"), max_length=100, validators=[validate_single_line])
    last_name = forms.CharField(label=_("Nom"), max_length=100, validators=[validate_single_line])
    metier = forms.CharField(label=_("Métier"), max_length=100, validators=[validate_single_line])
    photo = forms.FileField(
        label=_("Nouvelle photo"),
        required=False,
        help_text=images.PHOTO_HELP_TEXT,
        widget=forms.FileInput(attrs={"accept": images.ACCEPT}),
    )
    remove_photo = forms.BooleanField(label=_("Retirer ma photo"), required=False)
    public_consent = forms.BooleanField(
        label=_("J'accepte que mon nom et ma photo apparaissent sur les pages publiques"),
        required=False,
    )
    mail_language = forms.ChoiceField(
        label=_("Langue de mes courriels"),
        choices=[("", _("Celle de mon programme")), *settings.LANGUAGES],
        required=False,
    )
    mail_kinds = forms.MultipleChoiceField(
        label=_("Je reçois ces notifications"),
        choices=MailKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les courriels de connexion et les invitations arrivent toujours."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        ambassador_rows = list(user.ambassadorships.all())
        memberships = list(user.lab_memberships.all())
        self.has_ambassador_rows = bool(ambassador_rows)
        self.has_memberships = bool(memberships)
        rows = [*ambassador_rows, *memberships]
        # Differing consents (set by several imports, say) show as "no" until the person decides.
        self.consents_differ = len({row.public_consent for row in rows}) > 1
        # Rows share one file; it is shown through the row's photo view, never from /media/.
        self.current_photo = next((row for row in ambassador_rows if row.photo), None)
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "metier": ambassador_rows[0].metier if ambassador_rows else getattr(next(iter(memberships), None), "discipline", ""),
            "public_consent": bool(rows) and all(row.public_consent for row in rows),
            "mail_language": getattr(MailPreference.objects.filter(user=user).first(), "language", ""),
            "mail_kinds": sorted(set(MailKind.values) - unsubscribe.stopped_kinds(user.email)),
        }
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        # Labels sit above their fields: no colon after them.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.has_ambassador_rows:
            self.fields["metier"].help_text = _("Ex. bibliothécaire, agent·e d'accueil, juriste.")
            if self.has_memberships:
                self.fields["metier"].label = _("Métier ou discipline")
        elif self.has_memberships:
            self.fields["metier"].label = _("Discipline")
            self.fields["metier"].help_text = _("Ex. designer, sociologue, architecte.")
            self.fields["metier"].required = False
        else:
            del self.fields["metier"]
        if not self.has_ambassador_rows:
            del self.fields["photo"]
            del self.fields["remove_photo"]
        elif not self.current_photo:
            del self.fields["remove_photo"]
        if rows:
            # The explanation of what consent means, on the page next to the box, is read with it.
            self.fields["public_consent"].widget.attrs["aria-describedby"] = "consent-explained"
        else:
            del self.fields["public_consent"]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return clean_photo(upload)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and cleaned.get("remove_photo"):
            raise ValidationError(
                gettext("Choisissez : envoyer une nouvelle photo ou retirer l'actuelle, pas les deux.")
            )
        return cleaned

    def service_arguments(self) -> dict:
        """What to pass to ``services.update_profile``: only the values this form asked about."""
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "metier": data.get("metier") if "metier" in self.fields else None,
            "public_consent": data.get("public_consent") if "public_consent" in self.fields else None,
            "photo": data.get("photo"),
            "remove_photo": bool(data.get("remove_photo")),
            "mail_language": data.get("mail_language", ""),
            "mail_kinds": data.get("mail_kinds", []),
        }


class ErasureForm(forms.Form):
    """The person re-types their address and says they understand: erasure cannot be undone."""

    email = forms.CharField(
        label=_("Votre adresse e-mail, pour confirmer"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    understood = forms.BooleanField(
        label=_("Je comprends que mon compte sera anonymisé définitivement et que je ne pourrai plus me connecter."),
        required=True,
        error_messages={"required": _("Cochez cette case pour confirmer.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_email(self):
        typed = self.cleaned_data["email"].strip()
        # An account made on the command line may have no address: its login name stands in.
        expected = self.user.email or self.user.get_username()
        if typed.lower() != expected.lower():
            raise ValidationError(gettext("Ce n'est pas l'adresse de votre compte."))
        return typed

    def clean(self):
        cleaned = super().clean()
        if is_last_superuser(self.user):
            raise ValidationError(LAST_SUPERUSER_MESSAGE)
        return cleaned
