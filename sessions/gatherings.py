"""InterTransfo: the coordination plans cross-Lab gatherings of a programme and invites every Lab.

Reads (who sees which programme's gatherings) and writes (plan, change, announce, answers and
attendance) live here together, apart from the Lab sessions' services, whose rules they follow:

- announcing invites every active resident, host and ambassador of the programme's Labs, with an
  answer row per day and one mail each holding a personal answer link; announcing again only
  reaches the newcomers;
- once announced, a change of its dates or place mails the invited once per change, cancelling
  it and bringing it back mail them too; every mail carries a key, so none goes out twice;
- its agenda blocks follow the sessions' rules (``services.add_agenda_item``);
- the invited answer day by day, from its page or from the link; the coordination notes who came.
"""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from ambassadors.models import Ambassador
from outbox.models import OutgoingMail
from outbox.services import queue_mail
from programmes.models import LabMembership, Programme
from programmes.rules import is_coordinator, labs_seen_whole_by

from . import answers as answers_module
from .models import EventStatus, Gathering, GatheringAttendance, GatheringInvitation
from .outside import show_gathering_agenda
from .services import RsvpLinkInvalid, absolute_url, agenda_by_day, change_fingerprint, dates_text

RSVP_SALT = "sessions.gathering-rsvp"

# What the coordination may set; the programme and the number are fixed by the service.
EDITABLE_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "host_lab",
    "place_name",
    "place_address",
    "objectives",
    "status",
    "minutes",
)


def programmes_of(user):
    """Programmes whose gatherings the user sees: those of their Labs and those they coordinate."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(
        Q(pk__in=labs_seen_whole_by(user).values("programme_id")) | Q(coordinations__user=user)
    ).distinct()


def gatherings_visible_to(user):
    """Every gathering of the programmes the user takes part in, as one query."""
    return Gathering.objects.filter(programme__in=programmes_of(user).values("pk"))


def may_plan_gatherings(user, programme) -> bool:
    """The coordination of the programme, and admins."""
    return user.is_authenticated and (user.is_superuser or is_coordinator(user, programme))


def gathering_url(gathering) -> str:
    return reverse(
        "feeds:gathering_detail", kwargs={"programme_slug": gathering.programme.slug, "number": gathering.number}
    )


def _check_inside_programme(gathering):
    programme = gathering.programme
    if gathering.start_date and gathering.end_date and (
        gathering.start_date < programme.start_date or gathering.end_date > programme.end_date
    ):
        raise ValidationError(
            gettext("L'InterTransfo doit avoir lieu pendant le programme (du %(start)s au %(end)s).")
            % {
                "start": date_format(programme.start_date, "SHORT_DATE_FORMAT"),
                "end": date_format(programme.end_date, "SHORT_DATE_FORMAT"),
            }
        )


# --- Who is invited -----------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    """Someone the InterTransfo is for: ``key`` names them in their mails' keys."""

    key: str
    email: str
    name: str
    user: object = None
    ambassador: Ambassador | None = None


def gathering_invitees(gathering: Gathering) -> list[Invitee]:
    """Everyone to invite: every Lab's residents and host, and its ambassadors (not the network).

    A person with an account is keyed by it (once, however many Labs they belong to); an
    ambassador who has not joined yet by their ambassador row. Two rows with the same address
    are one person.
    """
    invitees = {}
    memberships = (
        LabMembership.objects.filter(lab__programme=gathering.programme)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        user = membership.user
        if user.is_active and user.email:
            invitees.setdefault(
                f"user-{user.pk}", Invitee(f"user-{user.pk}", user.email, user.get_full_name() or user.email, user=user)
            )
    ambassadors = (
        Ambassador.objects.filter(
            lab__programme=gathering.programme, is_active=True, circle=Ambassador.Circle.AMBASSADOR
        )
        .select_related("user")
        .order_by("pk")
    )
    for ambassador in ambassadors:
        key = f"user-{ambassador.user_id}" if ambassador.user_id else f"ambassador-{ambassador.pk}"
        invitees.setdefault(
            key, Invitee(key, ambassador.email, ambassador.full_name, user=ambassador.user, ambassador=ambassador)
        )
    result, seen_emails = [], set()
    for invitee in invitees.values():
        if invitee.email.lower() in seen_emails:
            continue
        seen_emails.add(invitee.email.lower())
        result.append(invitee)
    return result


def invitations_of(gathering: Gathering):
    """The gathering's invitations with what their names and addresses read, in name order."""
    return (
        GatheringInvitation.objects.filter(gathering=gathering)
        .select_related("user", "ambassador__lab")
        .order_by(
            Coalesce("ambassador__last_name", "user__last_name"),
            Coalesce("ambassador__first_name", "user__first_name"),
            "pk",
        )
    )


def invitation_of(gathering: Gathering, user) -> GatheringInvitation | None:
    """The user's own invitation to the gathering (as an account, or as the ambassador they became)."""
    if not user.is_authenticated:
        return None
    return (
        invitations_of(gathering).filter(Q(user=user) | Q(ambassador__user=user)).order_by("pk").first()
    )


def _active(invitations):
    return [invitation for invitation in invitations if invitation.is_active]


# --- Mails --------------------------------------------------------------------------------


def rsvp_token(*, invitation: GatheringInvitation) -> str:
    """The signed part of a person's answer link to an InterTransfo; nothing is stored."""
    return signing.dumps({"g": invitation.gathering_id, "i": invitation.pk}, salt=RSVP_SALT)


def read_rsvp_token(token: str, *, gathering: Gathering, today: datetime.date | None = None) -> GatheringInvitation:
    """The invitation an answer link speaks for, or RsvpLinkInvalid.

    Refused when its signature is wrong, when it was made for another InterTransfo, when the
    person left (ambassador no longer active, account closed), once it is over, or cancelled.
    """
    try:
        data = signing.loads(token, salt=RSVP_SALT)
    except signing.BadSignature:
        raise RsvpLinkInvalid("unknown") from None
    if not isinstance(data, dict) or data.get("g") != gathering.pk:
        raise RsvpLinkInvalid("unknown")
    invitation = invitations_of(gathering).filter(pk=data.get("i")).first()
    if invitation is None or not invitation.is_active:
        raise RsvpLinkInvalid("unknown")
    invitation.gathering = gathering
    if gathering.status == EventStatus.CANCELLED:
        raise RsvpLinkInvalid("cancelled", gathering)
    if gathering.end_date < (today or timezone.localdate()):
        raise RsvpLinkInvalid("expired", gathering)
    return invitation


def _subject(kind: str, gathering: Gathering) -> str:
    values = {"number": gathering.number, "dates": dates_text(gathering)}
    if kind == "announce":
        return gettext("InterTransfo n° %(number)s : %(title)s, le %(date)s") % {
            "number": gathering.number,
            "title": gathering.title or gathering.programme.name,
            "date": date_format(gathering.start_date, "DATE_FORMAT"),
        }
    subjects = {
        "reminder-7d": gettext("Dans une semaine : InterTransfo n° %(number)s, %(dates)s"),
        "reminder-1d": gettext("Demain : InterTransfo n° %(number)s, %(dates)s"),
        "change": gettext("Changement : InterTransfo n° %(number)s, désormais %(dates)s"),
        "reopen": gettext("L'InterTransfo n° %(number)s est de nouveau prévue, %(dates)s"),
        "cancel": gettext("Annulée : InterTransfo n° %(number)s, %(dates)s"),
    }
    return subjects[kind] % values


def queue_gathering_mail(
    *, gathering: Gathering, invitation: GatheringInvitation, kind: str, key: str, agenda_days=None, base_url=None
):
    """Queue one mail about an InterTransfo to one invited person, with the agenda and their answer link.

    ``kind`` is "announce", "reminder-7d", "reminder-1d", "change", "reopen" or "cancel"; the
    mail is written in the site's language. Returns None when ``key`` was already queued.
    """
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "kind": kind,
            "gathering": gathering,
            "name": invitation.full_name,
            "dates": dates_text(gathering),
            "start": date_format(gathering.start_date, "DATE_FORMAT"),
            "end": date_format(gathering.end_date, "DATE_FORMAT"),
            "agenda_days": agenda_days if agenda_days is not None else show_gathering_agenda(gathering, agenda_by_day(gathering)),
            "url": absolute_url(base_url, gathering_url(gathering)),
            "rsvp_url": absolute_url(
                base_url,
                reverse(
                    "feeds:gathering_rsvp",
                    kwargs={
                        "programme_slug": gathering.programme.slug,
                        "number": gathering.number,
                        "token": rsvp_token(invitation=invitation),
                    },
                ),
            ),
        }
        return queue_mail(
            to=invitation.email,
            subject=_subject(kind, gathering),
            body_text=render_to_string("sessions/gatherings/email.txt", context),
            key=key,
        )


def mail_invitations(gathering: Gathering, invitations, *, kind: str, event: str, base_url=None) -> int:
    """Mail each of ``invitations`` once for ``event`` (a part of the key); the number queued.

    The keys already in the outbox are read first (one query), so a second run renders nothing.
    """
    prefix = f"gathering-{gathering.pk}-{event}-"
    already = set(OutgoingMail.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    pending = [invitation for invitation in invitations if f"{prefix}{invitation.key}" not in already]
    if not pending:
        return 0
    # Everyone of the programme gets it: the people of the other Labs named as their consent allows.
    agenda_days = show_gathering_agenda(gathering, agenda_by_day(gathering))
    queued = 0
    for invitation in pending:
        mail = queue_gathering_mail(
            gathering=gathering,
            invitation=invitation,
            kind=kind,
            key=f"{prefix}{invitation.key}",
            agenda_days=agenda_days,
            base_url=base_url,
        )
        queued += mail is not None
    return queued


def _notify_invited(gathering: Gathering, *, kind: str, base_url=None) -> int:
    """Mail everyone still invited about a change, a reopening or a cancellation; the number queued."""
    # A key per state of the dates and place: each change goes out once, a repeat save mails no one.
    event = "cancel" if kind == "cancel" else f"{kind}-{change_fingerprint(gathering)}"
    return mail_invitations(gathering, _active(invitations_of(gathering)), kind=kind, event=event, base_url=base_url)


def _invite(gathering: Gathering, *, base_url=None) -> int:
    """Invitations and answer rows for every invitee not invited yet, and one announcement mail each.

    Someone already invited is recognised by their key, account or ambassador row (an
    ambassador who joined since keeps their invitation, now linked to their account).
    """
    existing = list(invitations_of(gathering))
    by_key = {invitation.key: invitation for invitation in existing}
    by_user = {invitation.user_id: invitation for invitation in existing if invitation.user_id}
    by_ambassador = {invitation.ambassador_id: invitation for invitation in existing if invitation.ambassador_id}
    current, new, relinked = [], [], []
    for invitee in gathering_invitees(gathering):
        invitation = (
            by_key.get(invitee.key)
            or (by_user.get(invitee.user.pk) if invitee.user is not None else None)
            or (by_ambassador.get(invitee.ambassador.pk) if invitee.ambassador is not None else None)
        )
        if invitation is None:
            invitation = GatheringInvitation(
                gathering=gathering, key=invitee.key, user=invitee.user, ambassador=invitee.ambassador
            )
            new.append(invitation)
        elif invitee.user is not None and invitation.user_id is None:
            invitation.user = invitee.user
            relinked.append(invitation)
        current.append(invitation)
    GatheringInvitation.objects.bulk_update(relinked, ["user"])
    created = GatheringInvitation.objects.bulk_create(new)
    GatheringAttendance.objects.bulk_create(
        [GatheringAttendance(invitation=invitation, day=day) for invitation in created for day in gathering.days]
    )
    return mail_invitations(gathering, current, kind="announce", event="announce", base_url=base_url)


def _fit_answers_to_days(gathering: Gathering) -> None:
    """After new dates: drop answers for days it no longer has, ask again for the new ones."""
    GatheringAttendance.objects.filter(invitation__gathering=gathering).exclude(
        day__gte=gathering.start_date, day__lte=gathering.end_date
    ).delete()
    existing = set(
        GatheringAttendance.objects.filter(invitation__gathering=gathering).values_list("invitation_id", "day")
    )
    GatheringAttendance.objects.bulk_create(
        [
            GatheringAttendance(invitation=invitation, day=day)
            for invitation in _active(invitations_of(gathering))
            for day in gathering.days
            if (invitation.pk, day) not in existing
        ]
    )


# --- Planning -----------------------------------------------------------------------------


@transaction.atomic
def plan_gathering(*, programme: Programme, planned_by, base_url: str, **fields) -> Gathering:
    """Create the programme's next InterTransfo (numbered after the last one).

    ``fields`` are among ``EDITABLE_FIELDS``. Created as announced, it invites everyone at once
    (``announce_gathering``).
    """
    if not may_plan_gatherings(planned_by, programme):
        raise PermissionDenied("plans_gatherings")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown gathering fields: {sorted(unknown)}")
    # The lock makes two coordinators creating at once take the next numbers in turn.
    list(Programme.objects.select_for_update().filter(pk=programme.pk).values_list("pk", flat=True))
    last_number = Gathering.objects.filter(programme=programme).aggregate(last=Max("number"))["last"]
    gathering = Gathering(programme=programme, number=(last_number or 0) + 1, **fields)
    gathering.full_clean()
    _check_inside_programme(gathering)
    try:
        with transaction.atomic():
            gathering.save()
    except IntegrityError as error:
        raise ValidationError(gettext("Une autre InterTransfo vient d'être créée : réessayez.")) from error
    if gathering.status == EventStatus.ANNOUNCED:
        announce_gathering(gathering=gathering, announced_by=planned_by, base_url=base_url)
    return gathering


@transaction.atomic
def update_gathering(*, gathering: Gathering, changed_by, base_url: str, **fields) -> Gathering:
    """Change an InterTransfo and tell the invited what they need to know.

    Turning it to announced invites everyone (once per person); once it is announced, a change
    of its dates or place mails the invited once per change, cancelling it mails them, and
    bringing a cancelled one back mails them before inviting the newcomers. Answers for days it
    no longer has are dropped. Raises ValidationError, having saved nothing.
    """
    if not may_plan_gatherings(changed_by, gathering.programme):
        raise PermissionDenied("plans_gatherings")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown gathering fields: {sorted(unknown)}")
    # Only the row itself is locked: PostgreSQL cannot lock the empty side of the host Lab join.
    current = Gathering.objects.select_for_update(of=("self",)).select_related("programme", "host_lab").get(pk=gathering.pk)
    before_status = current.status
    before_dates = (current.start_date, current.end_date)
    before_place = (current.place_name, current.place_address)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    _check_inside_programme(current)
    current.save()
    dates_changed = (current.start_date, current.end_date) != before_dates
    place_changed = (current.place_name, current.place_address) != before_place
    if dates_changed:
        _fit_answers_to_days(current)
    if current.status == EventStatus.ANNOUNCED:
        if before_status == EventStatus.CANCELLED:
            _notify_invited(current, kind="reopen", base_url=base_url)
        elif before_status == EventStatus.ANNOUNCED and (dates_changed or place_changed):
            _notify_invited(current, kind="change", base_url=base_url)
        _invite(current, base_url=base_url)
    elif current.status == EventStatus.CANCELLED and before_status == EventStatus.ANNOUNCED:
        _notify_invited(current, kind="cancel", base_url=base_url)
    return current


@transaction.atomic
def announce_gathering(*, gathering: Gathering, announced_by, base_url: str) -> int:
    """Mark the InterTransfo announced and invite every Lab's people by mail; the number queued.

    Each invitation carries the key ``gathering-<pk>-announce-<person>``: announcing again
    queues nothing for those already invited, only for newcomers.
    """
    if not may_plan_gatherings(announced_by, gathering.programme):
        raise PermissionDenied("plans_gatherings")
    if gathering.status == EventStatus.CANCELLED:
        raise ValidationError(gettext("Une InterTransfo annulée ne peut pas être annoncée."))
    if gathering.status == EventStatus.HELD:
        raise ValidationError(gettext("Cette InterTransfo a déjà eu lieu : il n'y a plus personne à inviter."))
    if gathering.status != EventStatus.ANNOUNCED:
        gathering.status = EventStatus.ANNOUNCED
        gathering.save(update_fields=["status", "updated_at"])
    gathering = Gathering.objects.select_related("programme", "host_lab").get(pk=gathering.pk)
    return _invite(gathering, base_url=base_url)


# --- Answers and attendance ---------------------------------------------------------------


@transaction.atomic
def answer_gathering(
    *, invitation: GatheringInvitation, answers: dict, today: datetime.date | None = None
) -> list[GatheringAttendance]:
    """Record one invited person's answers (present / absent / not sure), day by day.

    ``answers`` maps days of the InterTransfo to "yes", "no" or "maybe"; days left out keep
    their answer. Refused (ValidationError) for someone no longer invited, a day outside it, an
    unknown answer, a cancelled InterTransfo or one that is over.
    """
    if not invitation.is_active:
        raise ValidationError(gettext("Cette personne n'est plus invitée à l'InterTransfo."))
    answers_module.check_answers(invitation.gathering, answers, today=today or timezone.localdate())
    rows = {row.day: row for row in GatheringAttendance.objects.select_for_update().filter(invitation=invitation)}
    return answers_module.save_answers(
        GatheringAttendance,
        rows,
        answers,
        build=lambda **values: GatheringAttendance(invitation=invitation, **values),
    )


@transaction.atomic
def record_gathering_attendance(
    *, gathering: Gathering, marks: dict, recorded_by, today: datetime.date | None = None
) -> int:
    """Record who actually came, day by day, and mark the InterTransfo as held.

    ``marks`` maps (invitation id, day) to True (came), False (did not) or None (not noted).
    Only the coordination, from its first day on, for people invited to it and its days.
    Returns the number of rows written. Raises ValidationError, having saved nothing.
    """
    if not may_plan_gatherings(recorded_by, gathering.programme):
        raise PermissionDenied("plans_gatherings")
    answers_module.check_marks(gathering, marks, today=today or timezone.localdate())
    people_ids = {person_id for person_id, _day in marks}
    known = set(gathering.invitations.filter(pk__in=people_ids).values_list("pk", flat=True))
    if people_ids - known:
        raise ValidationError(gettext("Une des personnes cochées n'est pas invitée à cette InterTransfo."))
    rows = {
        (row.invitation_id, row.day): row
        for row in GatheringAttendance.objects.select_for_update().filter(invitation_id__in=people_ids)
    }
    written = answers_module.save_marks(
        GatheringAttendance,
        rows,
        marks,
        build=lambda person_id, day, attended: GatheringAttendance(invitation_id=person_id, day=day, attended=attended),
    )
    answers_module.mark_held(gathering)
    return written
