"""The figures of the programme's board: every Lab of a programme on the same axes and scales.

Five aggregate queries whatever the number of Labs, sessions, cases or entries (each grouped by
Lab), joined here in Python; the result is cached per programme and day until any of its sources
changes (dashboards.freshness).

Only counts and dates leave this module: no person's name, no case's title. That is what makes
a row of another Lab shareable with every resident of the programme (DESIGN.md §2).
"""
import dataclasses
import datetime

from django.db.models import Count, Max, Q
from django.utils import timezone

from cases.models import Case, ProgressEntry, Stage, StageChange
from programmes.models import Lab
from sessions.models import Attendance, EventStatus

from .freshness import cached

RECENT_DAYS = 30
STAGES = tuple(Stage)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Calendar months from ``start`` to ``end``, both counted: 1 June–30 November is 6."""
    return (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0)


@dataclasses.dataclass
class LabRow:
    """One Lab's figures; ``rate`` is a percentage (None before any attendance is marked)."""

    pk: int
    name: str
    slug: str
    collectivite: str
    phase: str  # a value of Lab.Phase: the label is translated when shown, not when cached
    month: int  # the month of the Lab under way (0 before it starts, ``months`` once it ends)
    months: int
    held: int
    planned: int
    attended: int
    marked: int
    stages: dict
    recent_entries: int
    last_activity: datetime.date | None

    @property
    def phase_label(self):
        return Lab.Phase(self.phase).label if self.phase in Lab.Phase.values else self.phase

    @property
    def rate(self):
        return round(100 * self.attended / self.marked) if self.marked else None

    @property
    def cases(self):
        return sum(self.stages.values())

    @property
    def stage_counts(self):
        """The counts in the order of ``STAGES``."""
        return [self.stages.get(stage.value, 0) for stage in STAGES]


def compute_rows(programme, *, today: datetime.date) -> list[LabRow]:
    """Every Lab of ``programme``, in five queries.

    Sessions: held (status « tenue ») out of planned (every session not cancelled). Attendance:
    days marked present out of days marked at all, in the sessions held (whoever was marked,
    ambassadors who left since included: they were there then). Cases: every case of the Lab,
    by stage, abandoned ones in their own column. Entries: journal entries written in the last
    ``RECENT_DAYS`` days. Last activity: the latest entry, stage change or session held.
    """
    held, planned = Q(sessions__status=EventStatus.HELD), ~Q(sessions__status=EventStatus.CANCELLED)
    labs = list(
        Lab.objects.filter(programme=programme)
        .annotate(
            held=Count("sessions", filter=held),
            planned=Count("sessions", filter=planned),
            last_held=Max("sessions__end_date", filter=held),
        )
        .order_by("name", "pk")
        .values_list("pk", "name", "slug", "collectivite__name", "phase", "start_date", "end_date", "held", "planned", "last_held")
    )
    attendance = {
        row["session__lab_id"]: row
        for row in Attendance.objects.filter(
            session__lab__programme=programme, session__status=EventStatus.HELD, attended__isnull=False
        )
        .values("session__lab_id")
        .annotate(attended=Count("pk", filter=Q(attended=True)), marked=Count("pk"))
        .order_by()
    }
    stages = {}
    for lab_id, stage, count in (
        Case.objects.filter(lab__programme=programme).values("lab_id", "stage").annotate(n=Count("pk")).order_by().values_list("lab_id", "stage", "n")
    ):
        stages.setdefault(lab_id, {})[stage] = count
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    entries = {
        row["case__lab_id"]: row
        for row in ProgressEntry.objects.filter(case__lab__programme=programme)
        .values("case__lab_id")
        .annotate(recent=Count("pk", filter=Q(created_at__gte=since)), last=Max("created_at"))
        .order_by()
    }
    moves = dict(
        StageChange.objects.filter(case__lab__programme=programme)
        .values("case__lab_id")
        .annotate(last=Max("changed_at"))
        .order_by()
        .values_list("case__lab_id", "last")
    )
    rows = []
    for pk, name, slug, collectivite, phase, start, end, held_count, planned_count, last_held in labs:
        months = months_between(start, end)
        month = 0 if today < start else min(months, months_between(start, today))
        marks, lab_entries = attendance.get(pk, {}), entries.get(pk, {})
        moments = [
            last_held,
            _day(lab_entries.get("last")),
            _day(moves.get(pk)),
        ]
        rows.append(
            LabRow(
                pk=pk, name=name, slug=slug, collectivite=collectivite, phase=phase,
                month=month, months=months,
                held=held_count, planned=planned_count,
                attended=marks.get("attended", 0), marked=marks.get("marked", 0),
                stages=stages.get(pk, {}), recent_entries=lab_entries.get("recent", 0),
                last_activity=max((moment for moment in moments if moment), default=None),
            )
        )
    return rows


def _day(moment):
    return timezone.localdate(moment) if moment else None


def board_rows(programme, *, today: datetime.date) -> list[LabRow]:
    """``compute_rows``, from the cache when nothing changed since (dashboards.freshness)."""
    key = f"dashboards:board:{programme.pk}:{today.isoformat()}"
    return cached(key, lambda: compute_rows(programme, today=today))


# --- Order and scales ---------------------------------------------------------------------------

def _stage_key(stage):
    return lambda row: row.stages.get(stage, 0)


SORT_KEYS = {
    "labo": lambda row: (row.name.casefold(), row.pk),
    "collectivite": lambda row: (row.collectivite.casefold(), row.pk),
    "phase": lambda row: (row.month / row.months if row.months else 0, row.month),
    "sessions": lambda row: (row.held, row.planned),
    "presence": lambda row: (-1 if row.rate is None else row.rate),
    "entrees": lambda row: row.recent_entries,
    "activite": lambda row: row.last_activity or datetime.date.min,
    **{f"etape-{stage.value}": _stage_key(stage.value) for stage in STAGES},
}
DEFAULT_SORT = "labo"


def parse_sort(value):
    """``(key, descending)`` from a ``tri`` parameter (``-`` first for descending); unknown: by name."""
    value = value or DEFAULT_SORT
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


def sorted_rows(rows, key, descending):
    # Sorted by name first, so that ties keep the alphabetical order either way.
    by_name = sorted(rows, key=SORT_KEYS["labo"])
    return sorted(by_name, key=SORT_KEYS[key], reverse=descending)


@dataclasses.dataclass(frozen=True)
class Scales:
    """The maximum of each axis over every Lab of the programme (not only the page shown)."""

    months: int
    planned: int
    cases_per_stage: int
    recent_entries: int


def scales_of(rows) -> Scales:
    return Scales(
        months=max((row.months for row in rows), default=0) or 1,
        planned=max((row.planned for row in rows), default=0) or 1,
        cases_per_stage=max((count for row in rows for count in row.stage_counts), default=0) or 1,
        recent_entries=max((row.recent_entries for row in rows), default=0) or 1,
    )


@dataclasses.dataclass(frozen=True)
class Totals:
    labs: int
    held: int
    planned: int
    rate: int | None
    cases: int
    abandoned: int
    recent_entries: int


def totals_of(rows) -> Totals:
    attended, marked = sum(row.attended for row in rows), sum(row.marked for row in rows)
    return Totals(
        labs=len(rows),
        held=sum(row.held for row in rows),
        planned=sum(row.planned for row in rows),
        rate=round(100 * attended / marked) if marked else None,
        cases=sum(row.cases for row in rows),
        abandoned=sum(row.stages.get(Stage.ABANDONED, 0) for row in rows),
        recent_entries=sum(row.recent_entries for row in rows),
    )
