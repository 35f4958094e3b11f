"""Cas pratiques: real problems of a collectivité, their stages and their journal (journal de bord).

sessions stands on cases (tests/test_floors.py): the sessions that work on a case, the agenda
blocks about it and the session a journal entry was written in are declared by sessions, and
read here through their reverse relations (``case.sessions``, ``entry.session_link``) without
naming sessions' models. See sessions/models.py for why that way round.
"""
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from ambassadors.models import Ambassador
from programmes.models import Lab, Visibility
from programmes.rules import labs_seen_whole_by, visible_items
from common.text import validate_single_line

# Path segments of a Lab's case pages (``cases/urls.py``): no case may take them as its slug.
RESERVED_SLUGS = frozenset({"nouveau"})


class Stage(models.TextChoices):
    FRAMING = "cadrage", _("Cadrage")
    INQUIRY = "enquete", _("Enquête / immersion")
    IDEATION = "ideation", _("Idéation")
    PROTOTYPING = "prototypage", _("Prototypage")
    TESTING = "test", _("Test / expérimentation")
    DEPLOYMENT = "deploiement", _("Déploiement / bilan")
    ABANDONED = "abandonne", _("Abandonné")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases the user may read (programmes.rules)."""
        return visible_items(self, user)

    def in_lab(self, lab):
        return self.filter(lab=lab)

    def in_programmes_of(self, user):
        """Cases of the programmes the user takes part in: a Lab of it joined, or its coordination.

        Combined with ``visible_to`` it gives the programme-wide list: the user's own Labs whole,
        the other Labs' shared and public cases, nothing from programmes they are not part of.
        """
        if user.is_authenticated and user.is_superuser:
            return self
        return self.filter(lab__programme_id__in=labs_seen_whole_by(user).values("programme_id"))

    def with_last_activity(self):
        """Annotate ``last_activity``: the latest journal entry's creation, else the case's own.

        A subquery rather than a join, so it adds no row and no GROUP BY to the query it joins.
        """
        latest = ProgressEntry.objects.filter(case=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
        return self.annotate(last_activity=Coalesce(Subquery(latest), "created_at"))

    def similar_to(self, case):
        """Cases of the *other* Labs of ``case``'s programme sharing at least one tag with it.

        Each has ``shared_tags`` (how many of the case's tags it carries) and ``last_activity``;
        most shared tags first, then the most recently active. Chain it after ``visible_to``:
        this method says what is similar, not who may read it. One query, plus one for the
        tags; ``case.tags`` is read from its prefetch when the caller made one.
        """
        tag_ids = [tag.pk for tag in case.tags.all()]
        if not tag_ids:
            return self.none()
        return (
            # Filtering on the tags before counting them makes the count that of the shared ones.
            self.filter(lab__programme_id=case.lab.programme_id, tags__in=tag_ids)
            .exclude(lab_id=case.lab_id)
            .annotate(shared_tags=Count("tags", distinct=True))
            .with_last_activity()
            .select_related("lab")
            .prefetch_related("tags")
            .order_by("-shared_tags", "-last_activity", "title", "pk")
        )


def check_team(lab, members) -> None:
    """Refuse a team with someone who is not an ambassador of the case's Lab.

    The one rule behind the admin's case form and the services that set a team.
    """
    strangers = [member.full_name for member in members if member.lab_id != lab.pk]
    if strangers:
        raise ValidationError(
            {
                "team": ValidationError(
                    _("Ces personnes n'appartiennent pas au labo du cas : %(names)s."),
                    code="team_outside_lab",
                    params={"names": ", ".join(strangers)},
                )
            }
        )


class Case(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="cases", verbose_name=_("labo"))
    title = models.CharField(_("titre"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("identifiant"), max_length=100)
    problem_statement = models.TextField(_("problématique"))
    sponsoring_service = models.CharField(_("service commanditaire"), max_length=200, blank=True, validators=[validate_single_line])
    team = models.ManyToManyField(
        Ambassador, blank=True, related_name="cases", verbose_name=_("équipe d'ambassadeur·rices")
    )
    stage = models.CharField(_("étape"), max_length=20, choices=Stage.choices, default=Stage.FRAMING)
    lessons = models.TextField(
        _("enseignements"), blank=True, help_text=_("Obligatoire si le cas est abandonné : un échec est un résultat.")
    )
    visibility = models.CharField(
        _("visibilité"), max_length=20, choices=Visibility.choices, default=Visibility.LAB
    )
    site_address = models.TextField(_("adresse du site"), blank=True)
    tags = TaggableManager(_("mots-clés"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("cas pratique")
        verbose_name_plural = _("cas pratiques")
        ordering = ["lab", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "slug"],
                name="case_slug_unique_per_lab",
                violation_error_message=_("Ce labo a déjà un cas avec cet identifiant."),
            ),
            models.CheckConstraint(
                condition=~Q(stage="abandonne") | ~Q(lessons=""),
                name="abandoned_case_has_lessons",
                violation_error_message=_("Un cas abandonné doit dire ce qu'on en a appris."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:case_detail", kwargs={"lab_slug": self.lab.slug, "slug": self.slug})

    def clean(self):
        super().clean()
        if self.stage == Stage.ABANDONED and not self.lessons.strip():
            raise ValidationError({"lessons": _("Un cas abandonné doit dire ce qu'on en a appris.")})
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("Cet identifiant est réservé ; choisissez-en un autre.")})


class StageChange(models.Model):
    """A dated move of a case from one stage to another, shown on its timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("cas"))
    from_stage = models.CharField(_("étape de départ"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("nouvelle étape"), max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField(_("date"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("changement d'étape")
        verbose_name_plural = _("changements d'étape")
        ordering = ["case", "changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=models.F("to_stage")),
                name="stage_change_changes_stage",
                violation_error_message=_("Le cas est déjà à cette étape."),
            ),
        ]

    def __str__(self):
        return f"{self.case} : {self.get_from_stage_display() or '—'} → {self.get_to_stage_display()}"


class ProgressEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Journal entries the user may read: those of the cases they may read."""
        return visible_items(self, user, lab="case__lab", visibility="case__visibility")


class ProgressEntry(models.Model):
    """An entry of a case's journal de bord: what was done, learnt, next, and what blocks."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries", verbose_name=_("cas"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_entries",
        verbose_name=_("auteur·rice"),
    )
    entry_date = models.DateField(_("date"), default=timezone.localdate)
    done = models.TextField(_("ce que nous avons fait"))
    learnt = models.TextField(_("ce que nous avons appris"), blank=True)
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    blockers = models.TextField(_("points de blocage"), blank=True)
    # The form's one-time token: a second post of the same form cannot create a second entry.
    submission_token = models.UUIDField(_("jeton d'envoi"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal de bord")
        verbose_name_plural = _("entrées du journal de bord")
        ordering = ["case", "-entry_date", "-created_at"]

    def __str__(self):
        return f"{self.case} — {self.entry_date:%d/%m/%Y}"

    # The session the entry was written in is a row of sessions' (``session_link``), fetched with
    # the entry by ``select_related("session_link__session")``; otherwise reading it is a query.
    @property
    def session(self):
        try:
            return self.session_link.session
        except ObjectDoesNotExist:
            return None

    @property
    def session_id(self):
        try:
            return self.session_link.session_id
        except ObjectDoesNotExist:
            return None

    def check_session(self, session) -> None:
        """Refuse a session of another Lab than the case's."""
        if session is not None and self.case_id and session.lab_id != self.case.lab_id:
            raise ValidationError({"session": _("Cette session n'est pas celle du labo du cas.")})

    def set_session(self, session, *, new=False) -> None:
        """Say which session the saved entry was written in (None: none), in one query at most.

        ``new``: the entry was just created, so it has no session yet (nothing to ask).
        """
        link_relation = type(self).session_link.related
        links = link_relation.related_model.objects.filter(entry=self)
        had_one = not new and self.session_id is not None
        if session is None:
            if had_one:
                links.delete()
            link = None
        elif had_one:
            links.update(session=session)
            link = self.session_link
            link.session = session
        else:
            link = links.model.objects.create(entry=self, session=session)
        link_relation.set_cached_value(self, link)


class EntryRevision(models.Model):
    """What a journal entry said before one of its edits, and who made that edit."""

    entry = models.ForeignKey(
        ProgressEntry, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("entrée")
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifiée par"),
    )
    edited_at = models.DateTimeField(_("modifiée le"), auto_now_add=True)
    previous = models.JSONField(_("version précédente"))

    class Meta:
        verbose_name = _("version d'une entrée")
        verbose_name_plural = _("versions des entrées")
        ordering = ["entry", "-edited_at"]

    def __str__(self):
        return f"{self.entry} — {self.edited_at:%d/%m/%Y %H:%M}"


class Attachment(models.Model):
    """A photo or a file attached to a journal entry."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        FILE = "file", _("Fichier")

    entry = models.ForeignKey(
        ProgressEntry, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("entrée")
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    file = models.FileField(_("fichier"), upload_to="journal/%Y/%m/")
    caption = models.CharField(_("légende"), max_length=300, blank=True, validators=[validate_single_line])
    uploaded_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["entry", "uploaded_at"]

    def __str__(self):
        return self.caption or self.file.name.rsplit("/", 1)[-1]


class DigestPreference(models.Model):
    """How often someone who runs a Lab receives the digest of its cases (cases.digest).

    Without a row, residents and hosts get the daily digest, everyone else none.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Chaque jour")
        WEEKLY = "weekly", _("Chaque semaine")
        NONE = "none", _("Jamais")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_digest_preference",
        verbose_name=_("personne"),
    )
    frequency = models.CharField(_("fréquence"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("préférence de résumé des cas")
        verbose_name_plural = _("préférences de résumé des cas")
        ordering = ["user__email"]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.email} : {self.get_frequency_display()}"


class StageProposal(models.Model):
    """A team ambassador's proposal to move a case, waiting until the case's stage next changes.

    Residents decide and move the case themselves; the case page and « Mon espace » show what waits.
    """

    case = models.ForeignKey("Case", on_delete=models.CASCADE, related_name="stage_proposals", verbose_name=_("cas"))
    to_stage = models.CharField(_("étape proposée"), max_length=20, choices=Stage.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("proposée par"),
    )
    note = models.TextField(_("message"), blank=True)
    proposed_at = models.DateTimeField(_("proposée le"), default=timezone.now)

    class Meta:
        verbose_name = _("proposition d'étape")
        verbose_name_plural = _("propositions d'étape")
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["case", "proposed_at"], name="cases_proposal_case_at")]

    def __str__(self):
        return f"{self.case} → {self.get_to_stage_display()}"
