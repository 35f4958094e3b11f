"""Planning, announcing and running a Lab's sessions: every write of the session screens.

The rules a resident can rely on:

- a session is checked whole (``full_clean``) before it is saved: reversed dates, more than three
  days, dates outside the Lab, an overlap with another session, a case of another Lab are refused
  with a French message and nothing is saved;
- announcing a session invites every active person of the Lab (ambassadors and network) for every
  day, and mails each of them once, with the agenda and a personal answer link; announcing again
  only invites and mails the newcomers;
- once a session is announced, a change of its dates or place mails the invited once per change,
  and cancelling it mails them too; each mail carries a key, so it never goes out twice;
- an agenda block stays inside the session's days and never overlaps another block of its day;
  moving a block up or down swaps it with its neighbour, each keeping its length and the gap
  between them, so the rest of the day is untouched;
- recording who came marks the session as held.
"""
import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from common.images import clean_image
from programmes.models import Visibility

from . import invitations
from .models import AgendaItem, EventStatus, Gathering, Session, SessionPhoto

SESSION_FIELDS = ("number", "title", "start_date", "end_date", "place_name", "place_address", "objectives", "visibility")
AGENDA_FIELDS = ("day", "start_time", "end_time", "title", "kind", "description", "case", "facilitators")


# --- Sessions -----------------------------------------------------------------------------


def next_session_number(lab) -> int:
    """The number a new session of the Lab gets by default (sessions count from #0)."""
    highest = lab.sessions.aggregate(highest=Max("number"))["highest"]
    return 0 if highest is None else highest + 1


def _check_cases(lab, cases) -> list:
    cases = list(cases or [])
    strangers = [case for case in cases if case.lab_id != lab.pk]
    if strangers:
        raise ValidationError(
            {"cases": gettext("Ces cas pratiques appartiennent à un autre labo : %(titles)s.")
             % {"titles": ", ".join(case.title for case in strangers)}}
        )
    return cases


def _check_can_be_announced(session: Session, today: datetime.date) -> None:
    if session.status == EventStatus.HELD:
        raise ValidationError(gettext("Cette session a déjà eu lieu : on ne l'annonce plus."))
    if session.end_date < today:
        raise ValidationError(gettext("Cette session est passée : il n'y a plus personne à inviter."))


@transaction.atomic
def plan_session(
    *,
    lab,
    start_date: datetime.date,
    end_date: datetime.date,
    number: int | None = None,
    title: str = "",
    place_name: str = "",
    place_address: str = "",
    objectives: str = "",
    cases=(),
    status: str = EventStatus.DRAFT,
    visibility: str = Visibility.LAB,
    base_url: str | None = None,
) -> Session:
    """Create a session of a Lab; created as announced, it invites everyone (see announce_session).

    ``number`` defaults to the next free one. Raises ValidationError, having saved nothing, for
    bad dates, an overlap, a number already used or a case of another Lab.
    """
    cases = _check_cases(lab, cases)
    session = Session(
        lab=lab,
        number=next_session_number(lab) if number is None else number,
        title=title,
        start_date=start_date,
        end_date=end_date,
        place_name=place_name,
        place_address=place_address,
        objectives=objectives,
        status=status,
        visibility=visibility,
    )
    if status == EventStatus.ANNOUNCED:
        _check_can_be_announced(session, timezone.localdate())
    session.full_clean()
    session.save()
    session.cases.set(cases)
    if status == EventStatus.ANNOUNCED:
        invitations.invite(session, base_url=base_url)
    return session


@transaction.atomic
def update_session(*, session: Session, base_url: str | None = None, cases=None, **changes) -> Session:
    """Change a session's details, status included, and tell the invited what they need to know.

    ``changes`` takes the fields of ``SESSION_FIELDS`` and ``status``. Moving to "announced"
    invites as ``announce_session`` does; moving to "cancelled" mails the invited; a change of
    dates or place of an announced session mails them once per change. Answers for days the
    session no longer has are dropped. Raises ValidationError, having saved nothing.
    """
    unknown = set(changes) - set(SESSION_FIELDS) - {"status"}
    if unknown:
        raise TypeError(f"update_session() got unexpected fields: {sorted(unknown)}")
    current = Session.objects.select_for_update().select_related("lab__collectivite").get(pk=session.pk)
    before = invitations.told_state(current)
    for field, value in changes.items():
        setattr(current, field, value)
    if cases is not None:
        cases = _check_cases(current.lab, cases)
    if current.status == EventStatus.ANNOUNCED and before.status != EventStatus.ANNOUNCED:
        _check_can_be_announced(current, timezone.localdate())
    current.full_clean()
    current.save()
    if cases is not None:
        current.cases.set(cases)
    invitations.after_save(current, before=before, base_url=base_url)
    return current


@transaction.atomic
def announce_session(*, session: Session, base_url: str | None = None, today: datetime.date | None = None) -> int:
    """Announce a session: invite every active person of the Lab for every day, and mail each once.

    Each person gets answer rows ("sans réponse") for the days they do not have yet, and one mail
    with the agenda and a personal answer link (key ``session-<pk>-announce-<person pk>``), so
    announcing again only reaches the newcomers. Returns the number of mails queued. Refused
    (ValidationError) for a cancelled, held or past session.
    """
    current = Session.objects.select_for_update().select_related("lab__collectivite").get(pk=session.pk)
    if current.status == EventStatus.CANCELLED:
        raise ValidationError(
            gettext("Cette session est annulée : remettez-la en brouillon dans « Modifier » avant de l'annoncer.")
        )
    _check_can_be_announced(current, today or timezone.localdate())
    current.status = EventStatus.ANNOUNCED
    current.full_clean()
    current.save(update_fields=["status", "updated_at"])
    session.status = current.status
    return invitations.invite(current, base_url=base_url)


@transaction.atomic
def cancel_session(*, session: Session, base_url: str | None = None) -> int:
    """Cancel a session; if it was announced, mail everyone invited (once). Returns mails queued."""
    current = Session.objects.select_for_update().select_related("lab__collectivite").get(pk=session.pk)
    if current.status == EventStatus.CANCELLED:
        return 0
    if current.status == EventStatus.HELD:
        raise ValidationError(gettext("Cette session a déjà eu lieu : elle ne peut plus être annulée."))
    was_announced = current.status == EventStatus.ANNOUNCED
    current.status = EventStatus.CANCELLED
    current.full_clean()
    current.save(update_fields=["status", "updated_at"])
    session.status = current.status
    return invitations.notify_invited(current, kind="cancel", base_url=base_url) if was_announced else 0


@transaction.atomic
def write_minutes(*, session: Session, minutes: str) -> Session:
    """Save the session's minutes (compte rendu); they follow the session's visibility."""
    session.minutes = minutes.strip()
    session.full_clean()
    session.save(update_fields=["minutes", "updated_at"])
    return session


# --- Photos -------------------------------------------------------------------------------


def prepare_photo(upload) -> ContentFile:
    """Check an uploaded file is really a photo and return a clean copy of it (common.images).

    Only its pixels are kept, scaled down and turned upright: no EXIF, so no GPS position, and no
    comment or other metadata. Raises ValidationError naming the file otherwise.
    """
    return clean_image(upload).file()


@transaction.atomic
def add_session_photo(*, session: Session, image: ContentFile, caption: str = "", uploaded_by=None) -> SessionPhoto:
    """Attach a photo (already cleaned by ``prepare_photo``) to a session."""
    photo = SessionPhoto(
        session=session,
        caption=caption.strip(),
        uploaded_by=uploaded_by if uploaded_by is not None and uploaded_by.is_authenticated else None,
    )
    photo.image.save(image.name, image, save=False)
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        photo.image.delete(save=False)
        raise
    return photo


@transaction.atomic
def delete_session_photo(*, photo: SessionPhoto) -> None:
    """Remove a photo; its file goes once the removal is committed."""
    storage, name = photo.image.storage, photo.image.name
    photo.delete()

    def remove_file():
        storage.delete(name)

    transaction.on_commit(remove_file, robust=True)


# --- Agenda -------------------------------------------------------------------------------


def _check_agenda_case(event, case) -> None:
    if case is None:
        return
    if isinstance(event, Gathering):
        raise ValidationError({"case": gettext("Un temps d'InterTransfo ne porte pas sur le cas pratique d'un labo.")})
    if case.lab_id != event.lab_id:
        raise ValidationError({"case": gettext("Ce cas pratique appartient à un autre labo que celui de la session.")})


@transaction.atomic
def add_agenda_item(
    *,
    session: Session | None = None,
    gathering: Gathering | None = None,
    day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    title: str,
    kind: str = AgendaItem.Kind.WORKSHOP,
    description: str = "",
    case=None,
    facilitators: str = "",
) -> AgendaItem:
    """Add a block to a day of a session or of an InterTransfo (give one of the two).

    Refused (ValidationError), having saved nothing, outside the event's days, when it ends
    before it starts, on an overlap with another block of the day, or for a case of another Lab
    (an InterTransfo's blocks name no case).
    """
    if (session is None) == (gathering is None):
        raise TypeError("add_agenda_item() takes a session or a gathering")
    event = session or gathering
    _check_agenda_case(event, case)
    item = AgendaItem(
        session=session,
        gathering=gathering,
        day=day,
        start_time=start_time,
        end_time=end_time,
        title=title,
        kind=kind,
        description=description,
        case=case,
        facilitators=facilitators,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def update_agenda_item(*, item: AgendaItem, **changes) -> AgendaItem:
    """Change a block (fields of ``AGENDA_FIELDS``), with the same checks as when adding it."""
    unknown = set(changes) - set(AGENDA_FIELDS)
    if unknown:
        raise TypeError(f"update_agenda_item() got unexpected fields: {sorted(unknown)}")
    # Only the block is locked: PostgreSQL cannot lock the empty side of an outer join.
    current = AgendaItem.objects.select_for_update(of=("self",)).select_related("session", "gathering").get(pk=item.pk)
    for field, value in changes.items():
        setattr(current, field, value)
    _check_agenda_case(current.event, current.case)
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def delete_agenda_item(*, item: AgendaItem) -> None:
    """Remove a block from the agenda."""
    AgendaItem.objects.filter(pk=item.pk).delete()


def _at(day: datetime.date, moment: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, moment)


@transaction.atomic
def move_agenda_item(*, item: AgendaItem, direction: str) -> AgendaItem | None:
    """Swap a block with the one before ("up") or after ("down") it on the same day.

    The pair keeps the stretch of time it covered: the block moved first starts where the first
    of the two started, each keeps its length, and the gap between them stays, so no other block
    of the day moves. Returns the neighbour it swapped with, or None at the start or end of the day.
    """
    if direction not in ("up", "down"):
        raise ValidationError(gettext("Déplacement inconnu : vers le haut ou vers le bas seulement."))
    day_items = list(
        AgendaItem.objects.select_for_update()
        .filter(session_id=item.session_id, gathering_id=item.gathering_id, day=item.day)
        .order_by("start_time", "pk")
    )
    index = next(position for position, candidate in enumerate(day_items) if candidate.pk == item.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(day_items):
        return None
    first, second = sorted((day_items[index], day_items[other_index]), key=lambda block: block.start_time)
    gap = _at(item.day, second.start_time) - _at(item.day, first.end_time)
    new_first_start = _at(item.day, first.start_time)
    new_first_end = new_first_start + (_at(item.day, second.end_time) - _at(item.day, second.start_time))
    new_second_start = new_first_end + gap
    new_second_end = new_second_start + (_at(item.day, first.end_time) - _at(item.day, first.start_time))
    second.start_time, second.end_time = new_first_start.time(), new_first_end.time()
    first.start_time, first.end_time = new_second_start.time(), new_second_end.time()
    # Both saved before either is checked: checked one by one, each would overlap the other's old
    # times. Saved (not updated in bulk) so that what listens to agenda changes hears of it.
    for block in (second, first):
        block.save(update_fields=["start_time", "end_time"])
    for block in (first, second):
        block.full_clean()
    return day_items[other_index]
