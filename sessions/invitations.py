"""Inviting people to a Lab's session or to an InterTransfo, once for both kinds of event.

Announcing, the mails about a change, a reopening or a cancellation, the personal answer links,
the answers day by day and noting who came follow the same rules for both:

- announcing invites everyone the event is for, with an answer row per day and one mail each
  holding a personal answer link; announcing again only reaches the newcomers;
- once announced, a change of its dates or place mails the invited once per change, and
  cancelling it or bringing it back mails them too; every mail carries a key, so none goes out
  twice (the keys already in the outbox are read first, so a repeat renders nothing);
- an answer link is signed, nothing is stored; it is refused once the event is over or cancelled;
- the announcement, a change, a reopening and a cancellation carry an iTIP invitation (one
  VEVENT per day, the feeds' UIDs and SEQUENCE, the person as ATTENDEE): a mail application
  offers to accept it and updates, or cancels, the event already in the person's calendar.

What differs is who is invited and where their answers are kept: an ambassador of the Lab for a
session (``SessionGuests``), an invitation of someone of any Lab of the programme for an
InterTransfo (``GatheringGuests``, its invitees found by ``gatherings``). ``guests_of(event)``
picks the one of the event.
"""
import datetime
from typing import NamedTuple

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from ambassadors.models import Ambassador
from outbox.languages import reader_language, reader_languages
from outbox.models import MailKind, OutgoingMail
from outbox.services import queue_mail

from . import answers
from .ical import event_days, invitation_calendar
from .models import Attendance, EventStatus, Gathering, GatheringAttendance, GatheringInvitation, Session
from .invitees import gathering_invitees, invitations_of
from .outside import show_gathering_agenda
from .schedule import absolute_url, agenda_by_day, change_fingerprint, dates_text

RSVP_SALT = "sessions.rsvp"
# InterTransfo answer links mailed before both kinds shared one salt were signed with this one:
# they are still read, so that no link already in someone's mailbox stops working.
FORMER_RSVP_SALTS = {"gathering": ("sessions.gathering-rsvp",)}


class RsvpLinkInvalid(Exception):
    """An answer link that cannot be used; ``reason`` is "unknown", "expired" or "cancelled".

    ``event`` is the session or InterTransfo it was made for, when the link says it truly.
    """

    def __init__(self, reason: str, event=None):
        super().__init__(reason)
        self.reason = reason
        self.event = event


# --- Who is invited, per kind of event ----------------------------------------------------


class SessionGuests:
    """A session invites every active person of its Lab; each answers as an ambassador row."""

    kind = "session"
    answer_model = Attendance
    link_fields = ("s", "a")  # what a session's answer link names: the session, the ambassador
    rsvp_route = "lab_sessions:session_rsvp"
    # An announced session that changes mails the change; it invites again only when announced anew.
    invites_on_every_save = False

    def mail_key(self, event, person) -> str:
        return str(person.pk)

    def invited(self, event):
        """Active people of the Lab who were invited to the session (they have answer rows)."""
        return (
            Ambassador.objects.filter(lab_id=event.lab_id, is_active=True, attendances__session=event)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )

    def person_of_link(self, event, person_pk):
        return Ambassador.objects.filter(pk=person_pk, lab_id=event.lab_id, is_active=True).first()

    def invite_everyone(self, event) -> list:
        """Answer rows for every active person and day they have none for; everyone invited."""
        people = list(event.lab.ambassadors.filter(is_active=True).order_by("last_name", "first_name", "pk"))
        existing = set(event.attendances.values_list("ambassador_id", "day"))
        Attendance.objects.bulk_create(
            [
                Attendance(session=event, ambassador=person, day=day)
                for person in people
                for day in event.days
                if (person.pk, day) not in existing
            ]
        )
        answers.rows_saved.send(sender=Attendance)
        return people

    def fit_to_days(self, event) -> None:
        """Drop answers for days the session no longer has, ask again for the new ones.

        Answers for days it still has are kept (moving a session by a day keeps the shared day).
        """
        invited = set(event.attendances.values_list("ambassador_id", flat=True))
        event.attendances.exclude(day__gte=event.start_date, day__lte=event.end_date).delete()
        existing = set(event.attendances.values_list("ambassador_id", "day"))
        active = set(event.lab.ambassadors.filter(pk__in=invited, is_active=True).values_list("pk", flat=True))
        Attendance.objects.bulk_create(
            [
                Attendance(session=event, ambassador_id=person_id, day=day)
                for person_id in sorted(active)
                for day in event.days
                if (person_id, day) not in existing
            ]
        )
        answers.rows_saved.send(sender=Attendance)

    def agenda_days(self, event):
        return agenda_by_day(event)

    def link_kwargs(self, event) -> dict:
        return {"lab_slug": event.lab.slug, "number": event.number}

    def subject(self, kind: str, event) -> str:
        values = {"number": event.number, "lab": event.lab.name, "dates": dates_text(event)}
        subjects = {
            "announce": gettext("Session n° %(number)s de %(lab)s, %(dates)s : serez-vous là ?"),
            "reminder-7d": gettext("Dans une semaine : session n° %(number)s de %(lab)s, %(dates)s"),
            "reminder-1d": gettext("Demain : session n° %(number)s de %(lab)s, %(dates)s"),
            "change": gettext("Changement : session n° %(number)s de %(lab)s, désormais %(dates)s"),
            "reopen": gettext("La session n° %(number)s de %(lab)s est de nouveau prévue, %(dates)s"),
            "cancel": gettext("Annulée : session n° %(number)s de %(lab)s, %(dates)s"),
        }
        return subjects[kind] % values

    def mail(self, *, event, person, kind, agenda_days, urls) -> dict:
        context = {
            "kind": kind,
            "session": event,
            "lab": event.lab,
            "ambassador": person,
            "dates": dates_text(event),
            "agenda_days": agenda_days,
            "session_url": urls["page"],
            "rsvp_url": urls["rsvp"],
        }
        return {
            "to": person.email,
            "body_text": render_to_string("sessions/email/session.txt", context),
            "body_html": render_to_string("sessions/email/session.html", context),
        }

    # Answers and attendance

    def answer_rows(self, event, person):
        return Attendance.objects.filter(session=event, ambassador=person)

    def may_answer(self, event, person) -> bool:
        return person.lab_id == event.lab_id and person.is_active

    def new_answer(self, event, person, **values):
        return Attendance(session=event, ambassador=person, **values)

    def known_people(self, event, person_ids) -> set:
        return set(Ambassador.objects.filter(lab_id=event.lab_id, pk__in=person_ids).values_list("pk", flat=True))

    def mark_rows(self, event, person_ids):
        return Attendance.objects.filter(session=event, ambassador_id__in=person_ids)

    def new_mark(self, event, person_id, day, attended):
        return Attendance(session=event, ambassador_id=person_id, day=day, attended=attended)


class GatheringGuests:
    """An InterTransfo invites every Lab's people of its programme; each answers as an invitation."""

    kind = "gathering"
    answer_model = GatheringAttendance
    link_fields = ("g", "i")  # what an InterTransfo's answer link names: it, the invitation
    rsvp_route = "intertransfo:gathering_rsvp"
    # Saved while announced, it invites whoever joined the programme's Labs since.
    invites_on_every_save = True

    def mail_key(self, event, person) -> str:
        return person.key

    def invitations(self, event):
        return invitations_of(event)

    def invited(self, event) -> list:
        return [invitation for invitation in self.invitations(event) if invitation.is_active]

    def person_of_link(self, event, person_pk):
        invitation = self.invitations(event).filter(pk=person_pk).first()
        if invitation is None or not invitation.is_active:
            return None
        invitation.gathering = event
        return invitation

    def invite_everyone(self, event) -> list:
        """Invitations and answer rows for every invitee not invited yet; everyone invited.

        Someone already invited is recognised by their key, account or ambassador row (an
        ambassador who joined since keeps their invitation, now linked to their account).
        """
        existing = list(self.invitations(event))
        by_key = {invitation.key: invitation for invitation in existing}
        by_user = {invitation.user_id: invitation for invitation in existing if invitation.user_id}
        by_ambassador = {invitation.ambassador_id: invitation for invitation in existing if invitation.ambassador_id}
        current, new, relinked = [], [], []
        for invitee in gathering_invitees(event):
            invitation = (
                by_key.get(invitee.key)
                or (by_user.get(invitee.user.pk) if invitee.user is not None else None)
                or (by_ambassador.get(invitee.ambassador.pk) if invitee.ambassador is not None else None)
            )
            if invitation is None:
                invitation = GatheringInvitation(
                    gathering=event, key=invitee.key, user=invitee.user, ambassador=invitee.ambassador
                )
                new.append(invitation)
            elif invitee.user is not None and invitation.user_id is None:
                invitation.user = invitee.user
                relinked.append(invitation)
            current.append(invitation)
        GatheringInvitation.objects.bulk_update(relinked, ["user"])
        created = GatheringInvitation.objects.bulk_create(new)
        GatheringAttendance.objects.bulk_create(
            [GatheringAttendance(invitation=invitation, day=day) for invitation in created for day in event.days]
        )
        answers.rows_saved.send(sender=GatheringAttendance)
        return current

    def fit_to_days(self, event) -> None:
        """Drop answers for days it no longer has, ask again for the new ones."""
        of_event = GatheringAttendance.objects.filter(invitation__gathering=event)
        of_event.exclude(day__gte=event.start_date, day__lte=event.end_date).delete()
        existing = set(of_event.values_list("invitation_id", "day"))
        GatheringAttendance.objects.bulk_create(
            [
                GatheringAttendance(invitation=invitation, day=day)
                for invitation in self.invited(event)
                for day in event.days
                if (invitation.pk, day) not in existing
            ]
        )
        answers.rows_saved.send(sender=GatheringAttendance)

    def agenda_days(self, event):
        # Everyone of the programme gets it: the people of the other Labs named as their consent allows.
        return show_gathering_agenda(event, agenda_by_day(event))

    def link_kwargs(self, event) -> dict:
        return {"programme_slug": event.programme.slug, "number": event.number}

    def subject(self, kind: str, event) -> str:
        values = {"number": event.number, "dates": dates_text(event)}
        if kind == "announce":
            return gettext("InterTransfo n° %(number)s : %(title)s, le %(date)s") % {
                "number": event.number,
                "title": event.title or event.programme.name,
                "date": date_format(event.start_date, "DATE_FORMAT"),
            }
        subjects = {
            "reminder-7d": gettext("Dans une semaine : InterTransfo n° %(number)s, %(dates)s"),
            "reminder-1d": gettext("Demain : InterTransfo n° %(number)s, %(dates)s"),
            "change": gettext("Changement : InterTransfo n° %(number)s, désormais %(dates)s"),
            "reopen": gettext("L'InterTransfo n° %(number)s est de nouveau prévue, %(dates)s"),
            "cancel": gettext("Annulée : InterTransfo n° %(number)s, %(dates)s"),
        }
        return subjects[kind] % values

    def mail(self, *, event, person, kind, agenda_days, urls) -> dict:
        context = {
            "kind": kind,
            "gathering": event,
            "name": person.full_name,
            "dates": dates_text(event),
            "start": date_format(event.start_date, "DATE_FORMAT"),
            "end": date_format(event.end_date, "DATE_FORMAT"),
            "agenda_days": agenda_days,
            "url": urls["page"],
            "rsvp_url": urls["rsvp"],
        }
        return {
            "to": person.email,
            "body_text": render_to_string("sessions/email/gathering.txt", context),
            "body_html": render_to_string("sessions/email/gathering.html", context),
        }

    # Answers and attendance

    def answer_rows(self, event, person):
        return GatheringAttendance.objects.filter(invitation=person)

    def may_answer(self, event, person) -> bool:
        return person.gathering_id == event.pk and person.is_active

    def new_answer(self, event, person, **values):
        return GatheringAttendance(invitation=person, **values)

    def known_people(self, event, person_ids) -> set:
        return set(event.invitations.filter(pk__in=person_ids).values_list("pk", flat=True))

    def mark_rows(self, event, person_ids):
        return GatheringAttendance.objects.filter(invitation_id__in=person_ids)

    def new_mark(self, event, person_id, day, attended):
        return GatheringAttendance(invitation_id=person_id, day=day, attended=attended)


GUESTS = {Session: SessionGuests(), Gathering: GatheringGuests()}


def guests_of(event):
    return GUESTS[type(event)]


# --- Answer links -------------------------------------------------------------------------


def rsvp_token(event, person) -> str:
    """The signed part of a person's answer link: for which event, and who they are.

    Nothing is stored: the signature (the project's secret key and ``RSVP_SALT``) is the proof.
    """
    event_field, person_field = guests_of(event).link_fields
    return signing.dumps({event_field: event.pk, person_field: person.pk}, salt=RSVP_SALT)


def _signed_data(token: str, kind: str):
    for salt in (RSVP_SALT, *FORMER_RSVP_SALTS.get(kind, ())):
        try:
            return signing.loads(token, salt=salt)
        except signing.BadSignature:
            continue
    raise RsvpLinkInvalid("unknown")


def read_rsvp_token(token: str, *, event, today: datetime.date | None = None):
    """The person an answer link speaks for (an ambassador, or an InterTransfo invitation), or RsvpLinkInvalid.

    A link is refused when its signature is wrong, when it was made for another event (of either
    kind), when the person left (or is no longer invited), once the event is over, or when it was
    cancelled.
    """
    guests = guests_of(event)
    event_field, person_field = guests.link_fields
    data = _signed_data(token, guests.kind)
    if not isinstance(data, dict) or data.get(event_field) != event.pk:
        raise RsvpLinkInvalid("unknown")
    person = guests.person_of_link(event, data.get(person_field))
    if person is None:
        raise RsvpLinkInvalid("unknown")
    if event.status == EventStatus.CANCELLED:
        raise RsvpLinkInvalid("cancelled", event)
    if event.end_date < (today or timezone.localdate()):
        raise RsvpLinkInvalid("expired", event)
    return person


def rsvp_path(event, person) -> str:
    guests = guests_of(event)
    return reverse(guests.rsvp_route, kwargs={**guests.link_kwargs(event), "token": rsvp_token(event, person)})


# --- Mails --------------------------------------------------------------------------------


def mail_key_prefix(event, name: str) -> str:
    """The start of the keys of the mails about ``name`` ("announce", "cancel"…) for this event."""
    return f"{guests_of(event).kind}-{event.pk}-{name}-"


def programme_language(event) -> str:
    programme = event.programme if hasattr(event, "programme_id") else event.lab.programme
    return programme.language


# The mails that put the event in the person's calendar (iTIP method), and those that do not.
CALENDAR_METHODS = {"announce": "REQUEST", "change": "REQUEST", "reopen": "REQUEST", "cancel": "CANCEL"}


def queue_event_mail(
    *,
    event,
    person,
    kind: str,
    key: str,
    agenda_days=None,
    base_url: str | None = None,
    calendar_days=None,
    language: str | None = None,
):
    """Queue one mail about an event to one invited person, with the agenda and their answer link.

    ``kind`` is "announce", "reminder-7d", "reminder-1d", "change", "reopen" or "cancel". Mails
    are written in the reader's language (``language``, else looked up: theirs, else their
    programme's), whatever the language of the page that triggered them. Those of
    ``CALENDAR_METHODS`` carry an invitation of the event's days (``calendar_days``,
    ``ical.event_days`` in that language, made here when not given). Returns None when ``key``
    was already queued.
    """
    guests = guests_of(event)
    language = language or reader_language(person.email, default=programme_language(event))
    with translation.override(language):
        calendar = ""
        if kind in CALENDAR_METHODS:
            if calendar_days is None:
                calendar_days = event_days(event, absolute=lambda path: absolute_url(base_url, path))
            calendar = invitation_calendar(
                calendar_days, method=CALENDAR_METHODS[kind], email=person.email, name=person.full_name
            )
        mail = guests.mail(
            event=event,
            person=person,
            kind=kind,
            agenda_days=agenda_days if agenda_days is not None else guests.agenda_days(event),
            urls={
                "page": absolute_url(base_url, event.get_absolute_url()),
                "rsvp": absolute_url(base_url, rsvp_path(event, person)),
            },
        )
        return queue_mail(subject=guests.subject(kind, event), key=key, calendar=calendar, kind=MailKind.SESSIONS, **mail)


def mail_invited(event, people, *, kind: str, name: str, base_url: str | None = None) -> int:
    """Mail each of ``people`` once about ``name`` (a part of the key); the number queued.

    The keys already in the outbox are read first (one query), so a second run renders nothing.
    """
    guests = guests_of(event)
    prefix = mail_key_prefix(event, name)
    already = set(OutgoingMail.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    pending = [person for person in people if f"{prefix}{guests.mail_key(event, person)}" not in already]
    if not pending:
        return 0
    agenda_days = guests.agenda_days(event)
    languages = reader_languages([person.email for person in pending], default=programme_language(event))
    # The invitation's days, made once per language their texts are written in.
    calendar_days_in = {}
    if kind in CALENDAR_METHODS:
        for language in set(languages.values()):
            with translation.override(language):
                calendar_days_in[language] = event_days(event, absolute=lambda path: absolute_url(base_url, path))
    queued = 0
    for person in pending:
        mail = queue_event_mail(
            event=event,
            person=person,
            kind=kind,
            key=f"{prefix}{guests.mail_key(event, person)}",
            agenda_days=agenda_days,
            base_url=base_url,
            calendar_days=calendar_days_in.get(languages.get(person.email.lower())),
            language=languages.get(person.email.lower()),
        )
        queued += mail is not None
    return queued


def invite(event, *, base_url: str | None = None) -> int:
    """Invite everyone the event is for (answer rows per day) and mail the announcement once each."""
    people = guests_of(event).invite_everyone(event)
    return mail_invited(event, people, kind="announce", name="announce", base_url=base_url)


def notify_invited(event, *, kind: str, base_url: str | None = None) -> int:
    """Mail everyone still invited about a change, a reopening or a cancellation; the number queued."""
    # A key per state of the dates and place: each change goes out once, a repeat save mails no one.
    name = "cancel" if kind == "cancel" else f"{kind}-{change_fingerprint(event)}"
    return mail_invited(event, guests_of(event).invited(event), kind=kind, name=name, base_url=base_url)


class ToldState(NamedTuple):
    """What the invited were told of an event: its status, its dates, its place."""

    status: str
    dates: tuple
    place: tuple


def told_state(event) -> ToldState:
    """``ToldState`` of an event as it is now (read it before a save, for ``after_save``)."""
    return ToldState(event.status, (event.start_date, event.end_date), (event.place_name, event.place_address))


def after_save(event, *, before: ToldState, base_url: str | None) -> None:
    """Tell the invited what they need to know once an event is saved with new details or status.

    ``before`` is ``told_state(event)`` as it was before the save. Answers for days it no longer
    has are dropped. Announced, it invites those not invited yet (mailing first, when it comes
    back from cancelled, those already invited); cancelled after being announced, it mails the
    invited; announced and moved, it mails them the change.
    """
    now = told_state(event)
    before_status, dates_changed, place_changed = before.status, now.dates != before.dates, now.place != before.place
    guests = guests_of(event)
    if dates_changed:
        guests.fit_to_days(event)
    if event.status == EventStatus.ANNOUNCED:
        if before_status == EventStatus.CANCELLED:
            notify_invited(event, kind="reopen", base_url=base_url)
        elif before_status == EventStatus.ANNOUNCED and (dates_changed or place_changed):
            notify_invited(event, kind="change", base_url=base_url)
        if before_status != EventStatus.ANNOUNCED or guests.invites_on_every_save:
            invite(event, base_url=base_url)
    elif event.status == EventStatus.CANCELLED and before_status == EventStatus.ANNOUNCED:
        notify_invited(event, kind="cancel", base_url=base_url)


# --- Answers and attendance ---------------------------------------------------------------


@transaction.atomic
def answer(*, event, person, answers_by_day: dict, today: datetime.date | None = None) -> list:
    """Record one invited person's answers (present / absent / not sure), day by day.

    ``answers_by_day`` maps days of the event to "yes", "no" or "maybe"; days left out keep
    their answer. Refused (ValidationError) for someone not invited (or no longer), a day
    outside it, an unknown answer, a cancelled event or one that is over.
    """
    guests = guests_of(event)
    if not guests.may_answer(event, person):
        raise ValidationError(event.wording.not_invited)
    answers.check_answers(event, answers_by_day, today=today or timezone.localdate())
    rows = {row.day: row for row in guests.answer_rows(event, person).select_for_update()}
    return answers.save_answers(
        guests.answer_model, rows, answers_by_day,
        build=lambda **values: guests.new_answer(event, person, **values),
    )


@transaction.atomic
def record_attendance(*, event, marks: dict, today: datetime.date | None = None) -> int:
    """Record who actually came, day by day, and mark the event as held.

    ``marks`` maps (person id, day) to True (came), False (did not) or None (not noted); the
    people are those the event invites, the days its own, from its first day on. Returns the
    number of rows written. Raises ValidationError, having saved nothing.
    """
    guests = guests_of(event)
    answers.check_marks(event, marks, today=today or timezone.localdate())
    people_ids = {person_id for person_id, _day in marks}
    if people_ids - guests.known_people(event, people_ids):
        raise ValidationError(event.wording.marked_not_invited)
    rows = {(row.person_id, row.day): row for row in guests.mark_rows(event, people_ids).select_for_update()}
    written = answers.save_marks(
        guests.answer_model, rows, marks,
        build=lambda person_id, day, attended: guests.new_mark(event, person_id, day, attended),
    )
    answers.mark_held(event)
    return written
