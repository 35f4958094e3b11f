"""The collectivité's agents who take part in a Lab: ambassadeurs and the wider network (relais)."""
import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programmes.models import Lab
from programmes.names import public_form
from common.text import validate_single_line


class AmbassadorQuerySet(models.QuerySet):
    def with_invitation_state(self):
        """Annotate each person with their latest invitation's dates, in the same query.

        ``last_invited_at``, ``last_invitation_expires_at``, ``last_invitation_revoked_at`` are
        None for someone never invited; whether they joined is ``user_id``.
        """
        latest = Invitation.objects.filter(ambassador=OuterRef("pk")).order_by("-created_at", "-pk")
        return self.annotate(
            last_invited_at=Subquery(latest.values("created_at")[:1]),
            last_invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
            last_invitation_revoked_at=Subquery(latest.values("revoked_at")[:1]),
        )


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
    first_name = models.CharField(_("prénom"), max_length=100, validators=[validate_single_line])
    last_name = models.CharField(_("nom"), max_length=100, validators=[validate_single_line])
    email = models.EmailField(_("e-mail"))
    metier = models.CharField(_("métier"), max_length=150, validators=[validate_single_line])
    direction = models.CharField(_("direction / service"), max_length=200, validators=[validate_single_line])
    public_consent = models.BooleanField(
        _("accepte d'apparaître publiquement"),
        default=False,
        help_text=_("Sans ce consentement, les pages publiques n'affichent que le prénom ou le rôle."),
    )
    photo = models.ImageField(_("photo"), upload_to="ambassadors/", blank=True)
    joined_on = models.DateField(_("arrivée"), null=True, blank=True)
    is_active = models.BooleanField(_("actif·ve"), default=True)

    objects = AmbassadorQuerySet.as_manager()

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
        """What a page read outside the Lab may show: the full name with consent, else first name and trade."""
        return public_form(self.first_name, self.last_name, consent=self.public_consent, role=self.metier)

    @property
    def invitation_state(self):
        """Where this person stands: "joined", "invited", "expired" or "not_invited".

        Reads the annotations of ``Ambassador.objects.with_invitation_state()``.
        """
        if self.user_id:
            return "joined"
        invited_at = getattr(self, "last_invited_at", None)
        if invited_at is None:
            return "not_invited"
        if self.last_invitation_revoked_at is None and self.last_invitation_expires_at > timezone.now():
            return "invited"
        return "expired"


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        """Invitations whose link still works: neither accepted, nor replaced, nor expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """A link mailed to an ambassador so they join their Lab with an account.

    Only a hash of the link's token is stored: a copy of the database does not let anyone in.
    """

    VALIDITY = datetime.timedelta(days=30)

    ambassador = models.ForeignKey(
        Ambassador, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("invité·e")
    )
    token_hash = models.CharField(_("empreinte du jeton"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invité·e par"),
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        _("remplacée le"), null=True, blank=True, help_text=_("Une invitation plus récente rend celle-ci caduque.")
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="invitation_expires_after_creation",
                violation_error_message=_("Une invitation doit expirer après son envoi."),
            ),
        ]

    def __str__(self):
        return f"{self.ambassador.full_name} — {date_format(timezone.localtime(self.created_at), 'SHORT_DATE_FORMAT')}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def is_pending(self, now=None):
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
