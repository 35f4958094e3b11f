"""Per-day answers and attendance, written the same way for a Lab's sessions and for the InterTransfo.

The two differ in who answers — an ambassador of the Lab for a session, anyone invited from a
Lab of the programme for an InterTransfo — and in the words of their messages. The checks (days
of the event, known answers, answers closed once it is over or cancelled, attendance noted from
its first day) and the writes (one row per person and day, created or updated in bulk) are here
once; ``invitations`` says who the person is, and each event its words (``event.wording``).
"""
import datetime

from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DayAnswer, EventStatus

# Sent (sender: the model) after rows of answers or of who came are written in bulk, which sends
# no post_save: whoever keeps figures made from them (the dashboards, Mon espace) forgets them.
rows_saved = Signal()

ANSWERS = {DayAnswer.Response.YES, DayAnswer.Response.NO, DayAnswer.Response.MAYBE}

UNKNOWN_ANSWER = _("Réponse inconnue : présent·e, absent·e ou pas sûr·e.")


def answers_open(event, today: datetime.date | None = None) -> bool:
    """Whether people may still answer: announced or in draft, and not over."""
    today = today or timezone.localdate()
    return event.status not in (EventStatus.CANCELLED, EventStatus.HELD) and event.end_date >= today


def check_answers(event, answers: dict, *, today: datetime.date) -> None:
    """Refuse (ValidationError) answers to a cancelled or past event, for a day it does not have,
    or other than present / absent / not sure."""
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(event.wording.cancelled)
    if event.end_date < today:
        raise ValidationError(event.wording.over)
    days = set(event.days)
    for day, response in answers.items():
        if day not in days:
            raise ValidationError(event.wording.not_a_day)
        if response not in ANSWERS:
            raise ValidationError(str(UNKNOWN_ANSWER))


def save_answers(model, rows: dict, answers: dict, *, build) -> list:
    """Write one person's ``answers`` ({day: response}) over their ``rows`` ({day: row}, locked).

    ``build(day=…, response=…, answered_at=…)`` makes the row of a day they have none for.
    Days left out keep their answer. Returns every row of the person, in day order.
    """
    now = timezone.now()
    changed, created = [], []
    for day, response in answers.items():
        row = rows.get(day)
        if row is None:
            created.append(build(day=day, response=response, answered_at=now))
        elif row.response != response:
            row.response, row.answered_at = response, now
            changed.append(row)
    model.objects.bulk_update(changed, ["response", "answered_at"])
    model.objects.bulk_create(created)
    if changed or created:
        rows_saved.send(sender=model)
    return sorted([*rows.values(), *created], key=lambda row: row.day)


def check_marks(event, marks: dict, *, today: datetime.date) -> None:
    """Refuse (ValidationError) noting who came at a cancelled event, before it, or on a day it does not have."""
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(event.wording.marks_cancelled)
    if event.start_date > today:
        raise ValidationError(event.wording.too_early)
    days = set(event.days)
    if any(day not in days for _person, day in marks):
        raise ValidationError(event.wording.not_a_day)


def save_marks(model, rows: dict, marks: dict, *, build) -> int:
    """Write ``marks`` ({(person id, day): True, False or None}) over ``rows`` (same keys, locked).

    ``build(person_id, day, attended)`` makes a row for someone noted on a day they have none
    for; nobody gets a row only to say "not noted". Returns the number of rows written.
    """
    changed, created = [], []
    for (person_id, day), attended in marks.items():
        row = rows.get((person_id, day))
        if row is None:
            if attended is not None:
                created.append(build(person_id, day, attended))
        elif row.attended != attended:
            row.attended = attended
            changed.append(row)
    model.objects.bulk_update(changed, ["attended"])
    model.objects.bulk_create(created)
    if changed or created:
        rows_saved.send(sender=model)
    return len(changed) + len(created)


def mark_held(event) -> None:
    """Noting who came means the event took place."""
    if event.status in (EventStatus.DRAFT, EventStatus.ANNOUNCED):
        event.status = EventStatus.HELD
        event.save(update_fields=["status", "updated_at"])
