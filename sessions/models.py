"""Work sessions of a Lab (2–3 consecutive days a month), their agenda and attendance, and InterTransfo.

Sessions work on cases, so sessions stands on cases (tests/test_floors.py) and every relation
between the two is declared here: the cases a session works on (``Session.cases``), the case of
an agenda block (``AgendaItem.case``), and the session a journal entry was written in
(``EntrySession``, a row of its own: the entry's table belongs to cases, which knows nothing of
sessions). That direction moves only this last link, and reads as the work is done: a session
takes up cases; a journal entry may say which session it was written in.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Ambassador
from cases.models import Case, ProgressEntry
from programmes.models import Lab, Programme, Visibility
from programmes.rules import visible_items
from common.text import validate_single_line

from .wording import GATHERING_PHRASES, SESSION_PHRASES, Wording

MAX_DAYS = 3


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ANNOUNCED = "announced", _("Annoncée")
    HELD = "held", _("Tenue")
    CANCELLED = "cancelled", _("Annulée")


class ScheduledEvent(models.Model):
    """What a Lab session and an InterTransfo share: 1–3 consecutive days at a place."""

    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("titre"), max_length=200, blank=True, validators=[validate_single_line])
    start_date = models.DateField(_("premier jour"))
    end_date = models.DateField(_("dernier jour"))
    place_name = models.CharField(_("lieu"), max_length=200, blank=True, validators=[validate_single_line])
    place_address = models.TextField(_("adresse"), blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT)
    objectives = models.TextField(_("objectifs"), blank=True)
    minutes = models.TextField(_("compte rendu"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # The SEQUENCE of its days in the calendars (RFC 5545): raised by every change an invited
    # person's calendar must take up (dates, hours, place, cancellation), never lowered.
    sequence = models.PositiveIntegerField(_("version du calendrier"), default=0, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date"))
                & Q(end_date__lte=F("start_date") + datetime.timedelta(days=MAX_DAYS - 1)),
                name="%(class)s_one_to_three_consecutive_days",
                violation_error_message=_("Une session ou une InterTransfo dure de 1 à 3 jours consécutifs."),
            ),
        ]

    # The phrases naming this kind of event on the pages and in the messages both kinds share.
    phrases = None

    # The fields whose change an invited person's calendar must take up.
    CALENDAR_FIELDS = ("start_date", "end_date", "place_name", "place_address", "status")

    @classmethod
    def from_db(cls, db, field_names, values):
        event = super().from_db(db, field_names, values)
        event._calendar_state_loaded = event.calendar_state()
        return event

    def calendar_state(self):
        """What a calendar shows of it that, changed, raises ``sequence``: its dates, its place,
        whether it is cancelled, confirmed or still a draft (held is confirmed too). None when
        one of them was not loaded (``only()``): reading it would cost a query."""
        values = self.__dict__
        if any(name not in values for name in self.CALENDAR_FIELDS):
            return None
        status = values["status"]
        kind = status if status in (EventStatus.DRAFT, EventStatus.CANCELLED) else "confirmed"
        return (values["start_date"], values["end_date"], values["place_name"], values["place_address"], kind)

    def save(self, *args, **kwargs):
        # Compared with what was loaded: no query, and a save that changes nothing of it leaves it.
        loaded = getattr(self, "_calendar_state_loaded", None)
        changed = loaded is not None and loaded != self.calendar_state()
        update_fields = kwargs.get("update_fields")
        # Written as an expression, never as the value read: an agenda block saved meanwhile
        # raised it in the database (sessions.calendar_versions), and it must not go back.
        writes_sequence = not self._state.adding and (update_fields is None or changed)
        if writes_sequence:
            self.sequence = F("sequence") + int(changed)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "sequence"}
        super().save(*args, **kwargs)
        if writes_sequence:
            # Read again from the database when asked for.
            del self.__dict__["sequence"]
        self._calendar_state_loaded = self.calendar_state()

    @property
    def wording(self) -> Wording:
        return Wording(self.phrases, self.number)

    @property
    def day_count(self):
        return (self.end_date - self.start_date).days + 1

    @property
    def days(self):
        return [self.start_date + datetime.timedelta(days=offset) for offset in range(self.day_count)]

    def clean(self):
        super().clean()
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                raise ValidationError({"end_date": _("Le dernier jour ne peut pas précéder le premier.")})
            if self.day_count > MAX_DAYS:
                raise ValidationError(
                    {"end_date": _("Une session ou une InterTransfo dure au plus %(max)d jours consécutifs.") % {"max": MAX_DAYS}}
                )


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sessions the user may read (programmes.rules)."""
        return visible_items(self, user)

    def in_lab(self, lab):
        return self.filter(lab=lab)

    def upcoming(self, today=None):
        return self.filter(end_date__gte=today or datetime.date.today()).exclude(status=EventStatus.CANCELLED)


class Session(ScheduledEvent):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("labo"))
    visibility = models.CharField(
        _("visibilité"), max_length=20, choices=Visibility.choices, default=Visibility.LAB
    )
    cases = models.ManyToManyField(
        Case, blank=True, related_name="sessions", verbose_name=_("cas pratiques travaillés")
    )

    objects = SessionQuerySet.as_manager()
    phrases = SESSION_PHRASES

    class Meta(ScheduledEvent.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["lab", "start_date"]
        constraints = [
            *ScheduledEvent.Meta.constraints,
            models.UniqueConstraint(
                fields=["lab", "number"],
                name="session_number_unique_per_lab",
                violation_error_message=_("Ce labo a déjà une session portant ce numéro."),
            ),
        ]

    def __str__(self):
        return f"{self.lab.name} — session #{self.number} ({self.start_date:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("lab_sessions:session_detail", kwargs={"lab_slug": self.lab.slug, "number": self.number})

    def clean(self):
        super().clean()
        if not (self.lab_id and self.start_date and self.end_date):
            return
        if not (self.lab.contains(self.start_date) and self.lab.contains(self.end_date)):
            raise ValidationError(
                _("La session doit avoir lieu pendant le labo (du %(start)s au %(end)s).")
                % {"start": date_format(self.lab.start_date, "SHORT_DATE_FORMAT"), "end": date_format(self.lab.end_date, "SHORT_DATE_FORMAT")}
            )
        overlapping = Session.objects.filter(
            lab_id=self.lab_id, start_date__lte=self.end_date, end_date__gte=self.start_date
        ).exclude(pk=self.pk).exclude(status=EventStatus.CANCELLED)
        if self.status != EventStatus.CANCELLED and overlapping.exists():
            raise ValidationError(_("Ces dates chevauchent une autre session de ce labo."))


class AgendaItem(models.Model):
    """A block of one day of the programme (déroulé) of a session or of an InterTransfo.

    It belongs to exactly one of the two (a check in the database), and the same rules hold for
    both: inside the event's days, after its start, never overlapping another block of its day.
    Only a session's block may name a case: an InterTransfo gathers every Lab.
    """

    class Kind(models.TextChoices):
        WATCH = "veille", _("Veille et prospective")
        IMMERSION = "immersion", _("Ethnographie / immersion")
        PROTOTYPING = "prototypage", _("Prototypage rapide")
        EXPERIMENT = "experimentation", _("Expérimentation")
        WORKSHOP = "atelier", _("Atelier créatif")
        TRAINING = "formation", _("Diffusion et formation")
        CASE_POINT = "point_cas", _("Point cas")
        RESTITUTION = "restitution", _("Restitution")
        LAB_DESIGN = "prefiguration", _("Préfiguration du labo")
        BREAK = "pause", _("Pause / repas")
        OTHER = "autre", _("Autre")

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("session"),
    )
    gathering = models.ForeignKey(
        "Gathering",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("InterTransfo"),
    )
    day = models.DateField(_("jour"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    title = models.CharField(_("titre"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    description = models.TextField(_("description"), blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("cas pratique"),
    )
    facilitators = models.CharField(_("animé par"), max_length=300, blank=True, validators=[validate_single_line])

    class Meta:
        verbose_name = _("temps du programme")
        verbose_name_plural = _("programme de la session")
        ordering = ["session", "gathering", "day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="agenda_item_ends_after_start",
                violation_error_message=_("Un temps du programme doit finir après avoir commencé."),
            ),
            models.CheckConstraint(
                condition=Q(session__isnull=False, gathering__isnull=True)
                | Q(session__isnull=True, gathering__isnull=False),
                name="agenda_item_of_one_session_or_gathering",
                violation_error_message=_(
                    "Un temps du programme appartient à une session ou à une InterTransfo, pas aux deux."
                ),
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(gathering__isnull=True),
                name="agenda_item_case_only_in_a_session",
                violation_error_message=_("Un temps d'InterTransfo ne porte pas sur le cas pratique d'un labo."),
            ),
        ]

    def __str__(self):
        return f"{self.day:%d/%m} {self.start_time:%H:%M}–{self.end_time:%H:%M} {self.title}"

    @property
    def event(self):
        """The session or the InterTransfo the block belongs to (None while it has neither)."""
        if self.session_id:
            return self.session
        if self.gathering_id:
            return self.gathering
        return None

    def clean(self):
        super().clean()
        event = self.event
        if event is None or (self.session_id and self.gathering_id):
            return  # Left to the database checks, which say what is wrong.
        if not (self.day and self.start_time and self.end_time):
            return
        if self.case_id and self.session_id and self.case.lab_id != self.session.lab_id:
            raise ValidationError({"case": _("Ce cas pratique appartient à un autre labo que celui de la session.")})
        if not event.start_date <= self.day <= event.end_date:
            dates = {
                "start": date_format(event.start_date, "SHORT_DATE_FORMAT"),
                "end": date_format(event.end_date, "SHORT_DATE_FORMAT"),
            }
            if self.gathering_id:
                message = _("Ce jour ne fait pas partie de l'InterTransfo (du %(start)s au %(end)s).") % dates
            else:
                message = _("Ce jour ne fait pas partie de la session (du %(start)s au %(end)s).") % dates
            raise ValidationError({"day": message})
        same_event = {"gathering_id": self.gathering_id} if self.gathering_id else {"session_id": self.session_id}
        clash = (
            AgendaItem.objects.filter(
                **same_event, day=self.day, start_time__lt=self.end_time, end_time__gt=self.start_time
            )
            .exclude(pk=self.pk)
            .first()
        )
        if clash:
            raise ValidationError(_("Ce créneau chevauche « %(title)s ».") % {"title": clash})


class DayAnswer(models.Model):
    """One person's answer for one day of an event, then whether they actually came.

    Shared by the answers to a Lab's sessions and to the InterTransfo, which differ only in who
    answers: an ambassador of the Lab, or someone invited from any Lab of the programme.
    """

    class Response(models.TextChoices):
        PENDING = "pending", _("Sans réponse")
        YES = "yes", _("Présent·e")
        NO = "no", _("Absent·e")
        MAYBE = "maybe", _("Pas sûr·e")

    day = models.DateField(_("jour"))
    response = models.CharField(_("réponse"), max_length=10, choices=Response.choices, default=Response.PENDING)
    attended = models.BooleanField(_("présence constatée"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)

    class Meta:
        abstract = True


class Attendance(DayAnswer):
    """One ambassador's answer for one day of a session of their Lab, then whether they came."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    ambassador = models.ForeignKey(
        Ambassador, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("participant·e")
    )

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        ordering = ["session", "day", "ambassador__last_name", "ambassador__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "ambassador", "day"],
                name="attendance_unique_per_person_and_day",
                violation_error_message=_("Cette personne a déjà une réponse pour ce jour."),
            ),
        ]

    def __str__(self):
        return f"{self.ambassador.full_name}, {self.day:%d/%m/%Y} : {self.get_response_display()}"

    @property
    def person_id(self):
        return self.ambassador_id

    def clean(self):
        super().clean()
        if self.session_id and self.day and not self.session.start_date <= self.day <= self.session.end_date:
            raise ValidationError({"day": _("Ce jour ne fait pas partie de la session.")})
        if self.session_id and self.ambassador_id and self.ambassador.lab_id != self.session.lab_id:
            raise ValidationError({"ambassador": _("Cette personne n'appartient pas au labo de la session.")})


class Gathering(ScheduledEvent):
    """An InterTransfo: every Lab of a programme meets, hosted by one of them."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="gatherings", verbose_name=_("programme")
    )
    host_lab = models.ForeignKey(
        Lab,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_gatherings",
        verbose_name=_("labo hôte"),
    )

    phrases = GATHERING_PHRASES

    class Meta(ScheduledEvent.Meta):
        verbose_name = _("InterTransfo")
        verbose_name_plural = _("InterTransfos")
        ordering = ["programme", "start_date"]
        constraints = [
            *ScheduledEvent.Meta.constraints,
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="gathering_number_unique_per_programme",
                violation_error_message=_("Ce programme a déjà une InterTransfo portant ce numéro."),
            ),
        ]

    def __str__(self):
        return f"InterTransfo #{self.number} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("intertransfo:gathering_detail", kwargs={"programme_slug": self.programme.slug, "number": self.number})

    def clean(self):
        super().clean()
        if self.host_lab_id and self.programme_id and self.host_lab.programme_id != self.programme_id:
            raise ValidationError({"host_lab": _("Le labo hôte doit faire partie du programme.")})


class GatheringInvitation(models.Model):
    """Someone invited to an InterTransfo: a resident or host of a Lab of its programme, or an ambassador.

    Made when the InterTransfo is announced. A person with an account is linked to it, an
    ambassador to their row (both when known): one who joins after the invitation keeps it.
    ``key`` names the person in the keys of the mails they get about this InterTransfo
    (``user-<id>`` or ``ambassador-<id>``), so that each mail goes out once.
    """

    gathering = models.ForeignKey(
        Gathering, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("InterTransfo")
    )
    key = models.CharField(_("clé"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="gathering_invitations",
        verbose_name=_("compte"),
    )
    ambassador = models.ForeignKey(
        Ambassador,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="gathering_invitations",
        verbose_name=_("ambassadeur·rice"),
    )
    invited_at = models.DateTimeField(_("invité·e le"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation à une InterTransfo")
        verbose_name_plural = _("invitations aux InterTransfo")
        ordering = ["gathering", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gathering", "key"],
                name="gathering_invitation_unique_per_person",
                violation_error_message=_("Cette personne est déjà invitée à cette InterTransfo."),
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(ambassador__isnull=False),
                name="gathering_invitation_names_someone",
                violation_error_message=_("Une invitation désigne un compte ou un·e ambassadeur·rice."),
            ),
        ]

    def __str__(self):
        return f"{self.full_name} — {self.gathering}"

    @property
    def full_name(self):
        if self.ambassador_id:
            return self.ambassador.full_name
        return self.user.get_full_name() or self.user.email

    @property
    def email(self):
        return self.ambassador.email if self.ambassador_id else self.user.email

    @property
    def first_name(self):
        return self.ambassador.first_name if self.ambassador_id else self.user.first_name

    @property
    def is_active(self):
        """Still someone to reach: an ambassador still active, an account still open."""
        if self.ambassador_id and not self.ambassador.is_active:
            return False
        return not self.user_id or self.user.is_active

    def belongs_to(self, user) -> bool:
        return user.is_authenticated and (
            self.user_id == user.pk or (self.ambassador_id is not None and self.ambassador.user_id == user.pk)
        )


class GatheringAttendance(DayAnswer):
    """One invited person's answer for one day of an InterTransfo, then whether they came."""

    invitation = models.ForeignKey(
        GatheringInvitation, on_delete=models.CASCADE, related_name="answers", verbose_name=_("invitation")
    )

    class Meta:
        verbose_name = _("présence à une InterTransfo")
        verbose_name_plural = _("présences aux InterTransfo")
        ordering = ["invitation", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "day"],
                name="gathering_attendance_unique_per_person_and_day",
                violation_error_message=_("Cette personne a déjà une réponse pour ce jour."),
            ),
        ]

    def __str__(self):
        return f"{self.invitation.full_name}, {self.day:%d/%m/%Y} : {self.get_response_display()}"

    @property
    def person_id(self):
        return self.invitation_id

    def clean(self):
        super().clean()
        if self.invitation_id and self.day:
            gathering = self.invitation.gathering
            if not gathering.start_date <= self.day <= gathering.end_date:
                raise ValidationError({"day": _("Ce jour ne fait pas partie de l'InterTransfo.")})


class EntrySession(models.Model):
    """The session of its case's Lab a journal entry was written in (at most one).

    The entry reads it as ``entry.session`` (through ``session_link``, this row's reverse
    one-to-one: ``select_related("session_link__session")`` gets both with the entry). Removing the
    session removes this row and leaves the entry, as the column it replaces was set to null.
    """

    entry = models.OneToOneField(
        ProgressEntry,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="session_link",
        verbose_name=_("entrée"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="entry_links", verbose_name=_("session")
    )

    class Meta:
        verbose_name = _("session d'une entrée du journal")
        verbose_name_plural = _("sessions des entrées du journal")

    def __str__(self):
        return f"{self.entry} — {self.session}"

    def clean(self):
        super().clean()
        if self.entry_id and self.session_id and self.session.lab_id != self.entry.case.lab_id:
            raise ValidationError({"session": _("Cette session n'est pas celle du labo du cas.")})


class SessionPhoto(models.Model):
    """A photo taken during a session, shown with its minutes (inside the Lab unless shared)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="photos", verbose_name=_("session"))
    image = models.ImageField(_("photo"), upload_to="sessions/%Y/%m/")
    caption = models.CharField(_("légende"), max_length=300, blank=True, validators=[validate_single_line])
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ajoutée par")
    )
    uploaded_at = models.DateTimeField(_("ajoutée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo de session")
        verbose_name_plural = _("photos de session")
        ordering = ["session", "uploaded_at"]

    def __str__(self):
        return self.caption or self.image.name.rsplit("/", 1)[-1]


class CalendarFeedToken(models.Model):
    """The secret in a person's private calendar address; renewing it cuts off the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token", verbose_name=_("personne")
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now=True)

    class Meta:
        verbose_name = _("abonnement au calendrier")
        verbose_name_plural = _("abonnements au calendrier")
        ordering = ["user"]

    def __str__(self):
        return str(self.user)
