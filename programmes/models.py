"""Programmes, the collectivités taking part, and their Labs (one démarche de montage de labo each)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from common.text import validate_single_line


class Licence(models.TextChoices):
    """Open licences a published item can carry; the value is an SPDX identifier."""

    CC_BY_SA_4 = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC_BY_4 = "CC-BY-4.0", "CC BY 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    LO_2 = "etalab-2.0", _("Licence Ouverte 2.0")


LICENCE_URLS = {
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.LO_2: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


class Visibility(models.TextChoices):
    """Who may see an item of a Lab: the Lab alone, every Lab of the programme, or everyone."""

    LAB = "lab", _("Labo uniquement")
    PROGRAMME = "programme", _("Partagé avec le programme")
    PUBLIC = "public", _("Public")


class Programme(models.Model):
    name = models.CharField(_("nom"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    organiser = models.CharField(_("organisateur"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    # Its mails are written in it for whoever has chosen no language of their own.
    language = models.CharField(
        _("langue des courriels"), max_length=10, choices=settings.LANGUAGES, default="fr"
    )
    default_licence = models.CharField(
        _("licence par défaut"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_SA_4
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Coordination",
        related_name="coordinated_programmes",
        verbose_name=_("coordination"),
        blank=True,
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="programme_ends_after_start",
                violation_error_message=_("La fin du programme doit suivre son début."),
            ),
        ]

    def __str__(self):
        return self.name


class Coordination(models.Model):
    """A member of the organiser's staff who coordinates a programme (sees every Lab)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="coordinations", verbose_name=_("programme")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinations",
        verbose_name=_("personne"),
    )

    class Meta:
        verbose_name = _("coordinateur·rice")
        verbose_name_plural = _("coordinateur·rices")
        ordering = ["programme", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user"],
                name="coordination_unique_per_programme",
                violation_error_message=_("Cette personne coordonne déjà ce programme."),
            ),
        ]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.email} — {self.programme}"


class Collectivite(models.Model):
    class Kind(models.TextChoices):
        VILLE = "ville", _("Ville")
        COMMUNAUTE_URBAINE = "communaute_urbaine", _("Communauté urbaine")
        METROPOLE = "metropole", _("Métropole")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")

    name = models.CharField(_("nom"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    website = models.URLField(_("site web"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="collectivites/", blank=True)
    seat_address = models.TextField(_("adresse du siège"), blank=True)
    departement = models.CharField(
        _("département"),
        max_length=3,
        validators=[validate_single_line],
        help_text=_("Code du département du siège (ex. 68, 75, 2A) : il fixe les jours fériés."),
    )

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(departement__regex=r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$"),
                name="collectivite_departement_code",
                violation_error_message=_("Code de département inconnu (ex. 68, 75, 2A, 974)."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def holiday_subdivision(self):
        """The `holidays` subdivision whose public holidays apply here (Alsace-Moselle has two more)."""
        if self.departement in ("67", "68"):
            return "6AE"
        if self.departement == "57":
            return "57"
        return None


class Lab(models.Model):
    """One programme in one collectivité: the future innovation lab being prefigured."""

    class Phase(models.TextChoices):
        PREPARATION = "preparation", _("En préparation")
        RUNNING = "running", _("En cours")
        PREFIGURATION = "prefiguration", _("Préfiguration du labo")
        CLOSED = "closed", _("Terminé")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="labs", verbose_name=_("programme")
    )
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, related_name="labs", verbose_name=_("collectivité")
    )
    name = models.CharField(
        _("nom de travail du labo"), max_length=200, validators=[validate_single_line], help_text=_("Ex. « La Transfo de Mulhouse »")
    )
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.PREPARATION)
    description = models.TextField(_("description"), blank=True)
    # What "who takes part" is measured against on the Lab's dashboard; left empty, no target.
    target_metiers = models.PositiveSmallIntegerField(
        _("objectif : métiers différents"),
        null=True,
        blank=True,
        help_text=_("Le nombre de métiers différents que le labo souhaite parmi ses ambassadeur·rices."),
    )
    target_directions = models.PositiveSmallIntegerField(
        _("objectif : directions différentes"),
        null=True,
        blank=True,
        help_text=_("Le nombre de directions ou services différents que le labo souhaite parmi ses ambassadeur·rices."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="LabMembership",
        related_name="labs",
        verbose_name=_("équipe"),
        blank=True,
    )

    class Meta:
        verbose_name = _("labo")
        verbose_name_plural = _("labos")
        ordering = ["start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "collectivite"],
                name="lab_unique_per_programme_and_collectivite",
                violation_error_message=_("Cette collectivité a déjà un labo dans ce programme."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="lab_ends_after_start",
                violation_error_message=_("La fin du labo doit suivre son début."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:lab_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        programme = self.programme if self.programme_id else None
        if programme and self.start_date and self.end_date:
            if self.start_date < programme.start_date or self.end_date > programme.end_date:
                raise ValidationError(
                    _("Le labo doit se dérouler pendant le programme (du %(start)s au %(end)s).")
                    % {"start": date_format(programme.start_date, "SHORT_DATE_FORMAT"), "end": date_format(programme.end_date, "SHORT_DATE_FORMAT")}
                )

    def contains(self, day):
        return self.start_date <= day <= self.end_date


class LabMembership(models.Model):
    """A resident, or the collectivité's host coordinator (« résident at home »), of a Lab."""

    class Role(models.TextChoices):
        RESIDENT = "resident", _("Résident·e")
        HOST = "host", _("Résident·e « at home »")

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("labo"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lab_memberships",
        verbose_name=_("personne"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    discipline = models.CharField(
        _("discipline"), max_length=100, blank=True, validators=[validate_single_line], help_text=_("Ex. designer, sociologue, architecte")
    )
    public_consent = models.BooleanField(
        _("accepte d'apparaître publiquement"),
        default=False,
        help_text=_("Sans ce consentement, les pages publiques n'affichent que le prénom ou le rôle."),
    )

    class Meta:
        verbose_name = _("membre de l'équipe d'un labo")
        verbose_name_plural = _("équipes des labos")
        ordering = ["lab", "role", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "user"],
                name="membership_unique_per_lab",
                violation_error_message=_("Cette personne fait déjà partie de l'équipe de ce labo."),
            ),
        ]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.email} ({self.get_role_display()}, {self.lab})"
