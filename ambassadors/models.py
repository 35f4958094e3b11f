"""The collectivité's agents who take part in a Lab: ambassadeurs and the wider network (relais)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from programmes.models import Lab


class Ambassador(models.Model):
    class Circle(models.TextChoices):
        AMBASSADOR = "ambassador", _("Ambassadeur·rice")
        NETWORK = "network", _("Réseau / relais")

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="ambassadors", verbose_name=_("labo"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ambassadorships",
        verbose_name=_("compte"),
        help_text=_("Rattaché quand la personne accepte son invitation."),
    )
    circle = models.CharField(_("cercle"), max_length=20, choices=Circle.choices, default=Circle.AMBASSADOR)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"))
    metier = models.CharField(_("métier"), max_length=150)
    direction = models.CharField(_("direction / service"), max_length=200)
    public_consent = models.BooleanField(
        _("accepte d'apparaître publiquement"),
        default=False,
        help_text=_("Sans ce consentement, les pages publiques n'affichent que le prénom ou le rôle."),
    )
    photo = models.ImageField(_("photo"), upload_to="ambassadors/", blank=True)
    joined_on = models.DateField(_("arrivée"), null=True, blank=True)
    is_active = models.BooleanField(_("actif·ve"), default=True)

    class Meta:
        verbose_name = _("ambassadeur·rice")
        verbose_name_plural = _("ambassadeur·rices")
        ordering = ["lab", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                "lab",
                Lower("email"),
                name="ambassador_email_unique_per_lab",
                violation_error_message=_("Cette adresse e-mail est déjà inscrite dans ce labo."),
            ),
            models.UniqueConstraint(
                fields=["lab", "user"],
                condition=Q(user__isnull=False),
                name="ambassador_account_unique_per_lab",
                violation_error_message=_("Ce compte est déjà rattaché à un·e ambassadeur·rice de ce labo."),
            ),
        ]

    def __str__(self):
        return f"{self.full_name} — {self.metier}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def public_name(self):
        """What a public page may show: the full name with consent, else first name and trade."""
        if self.public_consent:
            return self.full_name
        return f"{self.first_name} ({self.metier})"
