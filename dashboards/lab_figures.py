"""The figures of a Lab's dashboard, all computed here, each from one aggregate or flat query.

Six queries whatever the Lab's size (sessions, people, the marks of the held sessions' days,
cases, stage changes, journal entries by month): the rest is counted in Python from those rows,
so that the number of queries does not grow with the sessions, the ambassadors or the cases.

Every figure is also a ``Table`` (a title, columns, rows): the page shows it under its chart and
the CSV download writes the same rows, so the picture, the table and the file cannot disagree.
"""
import dataclasses
import datetime
from collections import Counter, defaultdict

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ambassadors.models import Ambassador
from cases.models import Case, ProgressEntry, Stage, StageChange
from cases.views.board import STALE_AFTER
from programmes.models import Lab
from sessions.models import Attendance, DayAnswer, EventStatus, Session

# --- Months -------------------------------------------------------------------------------


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of every month from ``first``'s to ``last``'s, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def month_end(month: datetime.date) -> datetime.date:
    return next_month(month) - datetime.timedelta(days=1)


def month_label(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


# --- Tables -------------------------------------------------------------------------------


@dataclasses.dataclass
class Table:
    """A figure as rows: shown under its chart and downloaded as CSV (``key`` names the file)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]


# --- Rhythm -------------------------------------------------------------------------------

PLANNED = "planned"  # announced or in draft, still to come
UNCONFIRMED = "unconfirmed"  # its days are past, but nobody said it was held


@dataclasses.dataclass
class SessionMark:
    number: int
    start_date: datetime.date
    end_date: datetime.date
    state: str  # EventStatus.HELD, EventStatus.CANCELLED, PLANNED or UNCONFIRMED
    label: str

    @property
    def day_count(self):
        return (self.end_date - self.start_date).days + 1


@dataclasses.dataclass
class Rhythm:
    start_date: datetime.date
    end_date: datetime.date
    today: datetime.date
    sessions: list[SessionMark]
    month_number: int  # 0 before the Lab starts; month_count once it has ended
    month_count: int

    def count(self, state):
        return sum(1 for session in self.sessions if session.state == state)

    @property
    def held(self):
        return self.count(EventStatus.HELD)

    @property
    def cancelled(self):
        return self.count(EventStatus.CANCELLED)

    @property
    def planned(self):
        """Every session not cancelled: held, to come, or past without a word."""
        return len(self.sessions) - self.cancelled

    @property
    def to_come(self):
        return self.count(PLANNED)

    @property
    def unconfirmed(self):
        return self.count(UNCONFIRMED)

    @property
    def started(self):
        return self.today >= self.start_date

    @property
    def ended(self):
        return self.today > self.end_date


def state_labels():
    return {
        EventStatus.HELD: _("tenue"),
        EventStatus.CANCELLED: _("annulée"),
        PLANNED: _("prévue"),
        UNCONFIRMED: _("passée, non confirmée"),
    }


def state_legend():
    return {
        EventStatus.HELD: _("Tenues"),
        EventStatus.CANCELLED: _("Annulées"),
        PLANNED: _("Prévues"),
        UNCONFIRMED: _("Passées, non confirmées"),
    }


def rhythm_of(lab, sessions, today) -> Rhythm:
    labels = state_labels()
    marks = []
    for number, start, end, status in sessions:
        if status in (EventStatus.HELD, EventStatus.CANCELLED):
            state = status
        else:
            state = PLANNED if end >= today else UNCONFIRMED
        marks.append(SessionMark(number, start, end, state, labels[state]))
    month_count = len(months_between(lab.start_date, lab.end_date))
    if today < lab.start_date:
        month_number = 0
    elif today > lab.end_date:
        month_number = month_count
    else:
        month_number = len(months_between(lab.start_date, today))
    return Rhythm(lab.start_date, lab.end_date, today, marks, month_number, month_count)


def rhythm_table(rhythm) -> Table:
    return Table(
        "rythme",
        _("Sessions du labo"),
        [_("Session"), _("Premier jour"), _("Dernier jour"), _("Jours"), _("État")],
        [[s.number, s.start_date.isoformat(), s.end_date.isoformat(), s.day_count, s.label] for s in rhythm.sessions],
    )


# --- Attendance -----------------------------------------------------------------------------

PRESENT, ABSENT, EXCUSED, UNMARKED = "present", "absent", "excused", "unmarked"


def mark_labels():
    return {PRESENT: _("présent·e"), ABSENT: _("absent·e"), EXCUSED: _("excusé·e"), UNMARKED: _("non noté·e")}


def mark_of(response, attended) -> str:
    """Present when seen there; excused when they said beforehand they could not come; absent
    when marked as not there without a word; not marked otherwise."""
    if attended:
        return PRESENT
    if response == DayAnswer.Response.NO:
        return EXCUSED
    if attended is False:
        return ABSENT
    return UNMARKED


@dataclasses.dataclass
class Person:
    pk: int
    name: str
    metier: str
    direction: str
    is_active: bool
    joined_on: datetime.date
    left_on: datetime.date | None  # the last day they were marked, for someone who left
    marks: dict = dataclasses.field(default_factory=dict)  # day -> mark

    def expected_on(self, day) -> bool:
        """Whether the day counts for them: after they joined, and before they left."""
        if day < self.joined_on:
            return False
        if not self.is_active:
            return self.left_on is not None and day <= self.left_on
        return True

    def present_on(self, month_end_day) -> bool:
        """Whether they were part of the Lab at the end of a month."""
        if self.joined_on > month_end_day:
            return False
        return self.is_active or (self.left_on is not None and self.left_on > month_end_day)


@dataclasses.dataclass
class SessionDay:
    number: int
    day: datetime.date


@dataclasses.dataclass
class Rate:
    present: int
    expected: int

    @property
    def percent(self):
        return round(100 * self.present / self.expected) if self.expected else None


@dataclasses.dataclass
class AttendanceFigures:
    days: list[SessionDay]  # the days of the held sessions, in order
    people: list[Person]
    # (person, [mark or None when the day does not count for them]) for the heatmap
    cells: list[tuple]
    per_person: list[tuple]  # (person, Rate)
    per_session: list[tuple]  # (number, first day, Rate)

    @property
    def overall(self) -> Rate:
        return Rate(sum(r.present for _, _, r in self.per_session), sum(r.expected for _, _, r in self.per_session))


def attendance_of(held_sessions, people) -> AttendanceFigures:
    days = [
        SessionDay(number, start + datetime.timedelta(days=offset))
        for number, start, end in held_sessions
        for offset in range((end - start).days + 1)
    ]
    cells, per_person = [], []
    by_session = defaultdict(lambda: [0, 0])
    for person in people:
        row, present, expected = [], 0, 0
        for session_day in days:
            if not person.expected_on(session_day.day):
                row.append(None)
                continue
            mark = person.marks.get(session_day.day, UNMARKED)
            row.append(mark)
            expected += 1
            present += mark == PRESENT
            by_session[session_day.number][0] += mark == PRESENT
            by_session[session_day.number][1] += 1
        cells.append((person, row))
        per_person.append((person, Rate(present, expected)))
    per_session = [(number, start, Rate(*by_session[number])) for number, start, _end in held_sessions]
    return AttendanceFigures(days, people, cells, per_person, per_session)


def attendance_tables(attendance) -> list[Table]:
    labels = mark_labels()
    heatmap = Table(
        "presences",
        _("Présences par personne et par jour de session tenue"),
        [_("Personne")] + [f"{d.day.isoformat()} (n° {d.number})" for d in attendance.days],
        [[person.name] + ["—" if mark is None else labels[mark] for mark in row] for person, row in attendance.cells],
    )
    per_person = Table(
        "taux-personnes",
        _("Taux de présence par personne"),
        [_("Personne"), _("Jours présent·e"), _("Jours comptés"), _("Taux (%)")],
        [[p.name, r.present, r.expected, "" if r.percent is None else r.percent] for p, r in attendance.per_person],
    )
    per_session = Table(
        "taux-sessions",
        _("Taux de présence par session tenue"),
        [_("Session"), _("Premier jour"), _("Présences"), _("Présences attendues"), _("Taux (%)")],
        [
            [number, start.isoformat(), r.present, r.expected, "" if r.percent is None else r.percent]
            for number, start, r in attendance.per_session
        ],
    )
    return [heatmap, per_person, per_session]


# --- Cases ----------------------------------------------------------------------------------

STAGE_ORDER = [stage.value for stage in Stage]  # abandoned last: an outcome, drawn on top


@dataclasses.dataclass
class Cases:
    months: list[datetime.date]
    by_month: list[dict]  # per month, stage -> number of cases at the month's end
    days_in_stage: dict  # stage -> (total days, number of cases that spent time there)
    entries: list[tuple]  # (month, number of journal entries dated in it)
    stale: list[dict]
    total: int

    def average_days(self, stage):
        days, cases = self.days_in_stage.get(stage, (0, 0))
        return round(days / cases) if cases else None

    @property
    def current(self) -> dict:
        return self.by_month[-1] if self.by_month else {}


def cases_of(lab, cases, changes, entry_counts, today) -> Cases:
    """Replay each case's stage changes: where it stood at each month's end, how long in each stage."""
    history = defaultdict(list)
    for case_id, from_stage, to_stage, changed_at in changes:
        history[case_id].append((timezone.localdate(changed_at), from_stage, to_stage))
    last = until = min(today, lab.end_date)  # a stage still open counts up to the Lab's end
    months = months_between(lab.start_date, max(last, lab.start_date))
    by_month = [Counter() for _ in months]
    days_in_stage = defaultdict(lambda: [0, 0])
    stale = []
    for case in cases:
        created = timezone.localdate(case["created_at"])
        steps = history.get(case["id"], [])
        # Where it started: the first move's origin (an imported case may start further on).
        stage = (steps[0][1] or case["stage"]) if steps else case["stage"]
        spans, since = [], created
        for day, _from, to_stage in steps:
            spans.append((stage, since, day))
            stage, since = to_stage, day
        spans.append((stage, since, None))
        for span_stage, begin, end in spans:
            if span_stage != Stage.ABANDONED:  # an outcome, not a stage one spends time in
                days_in_stage[span_stage][0] += max(0, ((end or until) - begin).days)
                days_in_stage[span_stage][1] += 1
        for index, month in enumerate(months):
            closing = min(month_end(month), today)
            at = None
            for span_stage, begin, end in spans:
                if begin <= closing and (end is None or end > closing):
                    at = span_stage
            if at:
                by_month[index][at] += 1
        last_activity = timezone.localdate(case["last_activity"])
        if case["stage"] != Stage.ABANDONED and last_activity < today - STALE_AFTER:
            stale.append({**case, "last_activity_day": last_activity})
    counts = {month_of(month): count for month, count in entry_counts}
    entries = [(month, counts.get(month, 0)) for month in months]
    stale.sort(key=lambda case: case["last_activity"])
    return Cases(
        months,
        [dict(counter) for counter in by_month],
        {stage: tuple(values) for stage, values in days_in_stage.items()},
        entries,
        stale,
        len(cases),
    )


def stage_labels():
    return {value: str(label) for value, label in Stage.choices}


def cases_tables(figures) -> list[Table]:
    labels = stage_labels()
    stages = Table(
        "etapes",
        _("Cas par étape, en fin de mois"),
        [_("Mois")] + [labels[stage] for stage in STAGE_ORDER],
        [
            [month.strftime("%Y-%m")] + [counts.get(stage, 0) for stage in STAGE_ORDER]
            for month, counts in zip(figures.months, figures.by_month)
        ],
    )
    durations = Table(
        "duree-etapes",
        _("Durée moyenne passée dans chaque étape"),
        [_("Étape"), _("Durée moyenne (jours)"), _("Cas passés par l'étape")],
        [
            [labels[stage], figures.average_days(stage), figures.days_in_stage[stage][1]]
            for stage in STAGE_ORDER
            if stage in figures.days_in_stage
        ],
    )
    entries = Table(
        "entrees",
        _("Entrées du journal de bord par mois"),
        [_("Mois"), _("Entrées")],
        [[month.strftime("%Y-%m"), count] for month, count in figures.entries],
    )
    stale = Table(
        "cas-en-sommeil",
        _("Cas sans activité depuis plus de %(days)s jours") % {"days": STALE_AFTER.days},
        [_("Cas"), _("Étape"), _("Dernière activité")],
        [[case["title"], labels.get(case["stage"], case["stage"]), case["last_activity_day"].isoformat()] for case in figures.stale],
    )
    return [stages, durations, entries, stale]


# --- Who takes part --------------------------------------------------------------------------


@dataclasses.dataclass
class Diversity:
    metiers: list[tuple]  # (métier, number of people still in the Lab), most first
    directions: list[tuple]
    left: int  # people who left the Lab
    months: list[datetime.date]
    over_time: list[tuple]  # (month, people, distinct métiers, distinct directions)
    target_metiers: int | None = None  # the Lab's own targets, when it has set them
    target_directions: int | None = None

    @property
    def active(self):
        return sum(count for _, count in self.metiers)


def diversity_of(lab, people, today) -> Diversity:
    active = [person for person in people if person.is_active]

    def ranked(values):
        return sorted(Counter(values).items(), key=lambda item: (-item[1], item[0].lower()))

    months = months_between(lab.start_date, max(min(today, lab.end_date), lab.start_date))
    over_time = []
    for month in months:
        closing = min(month_end(month), today)
        there = [person for person in people if person.present_on(closing)]
        over_time.append(
            (month, len(there), len({p.metier.strip().lower() for p in there}), len({p.direction.strip().lower() for p in there}))
        )
    return Diversity(
        ranked(p.metier.strip() for p in active),
        ranked(p.direction.strip() for p in active),
        len(people) - len(active),
        months,
        over_time,
        lab.target_metiers,
        lab.target_directions,
    )


def target_columns(diversity) -> list[tuple]:
    """(column title, target) for each target the Lab has set: a Lab without one gets no column."""
    return [
        (capfirst(Lab._meta.get_field(field).verbose_name), target)
        for field, target in (("target_metiers", diversity.target_metiers), ("target_directions", diversity.target_directions))
        if target is not None
    ]


def diversity_tables(diversity) -> list[Table]:
    targets = target_columns(diversity)
    return [
        Table("metiers", _("Métiers des personnes du labo"), [_("Métier"), _("Personnes")], [list(row) for row in diversity.metiers]),
        Table(
            "directions",
            _("Directions des personnes du labo"),
            [_("Direction / service"), _("Personnes")],
            [list(row) for row in diversity.directions],
        ),
        Table(
            "evolution",
            _("Personnes, métiers et directions en fin de mois"),
            [_("Mois"), _("Personnes"), _("Métiers différents"), _("Directions différentes")] + [title for title, _target in targets],
            [
                [month.strftime("%Y-%m"), people, metiers, directions] + [target for _title, target in targets]
                for month, people, metiers, directions in diversity.over_time
            ],
        ),
    ]


# --- All of it ---------------------------------------------------------------------------


def current_day() -> datetime.date:
    """The day the figures are counted at: today, where the site is."""
    return timezone.localdate()


@dataclasses.dataclass
class LabFigures:
    rhythm: Rhythm
    attendance: AttendanceFigures
    cases: Cases
    diversity: Diversity

    def tables(self) -> dict:
        tables = [
            rhythm_table(self.rhythm),
            *attendance_tables(self.attendance),
            *cases_tables(self.cases),
            *diversity_tables(self.diversity),
        ]
        return {table.key: table for table in tables}


def lab_figures(lab, today=None) -> LabFigures:
    """Every figure of ``lab``'s dashboard as of ``today``, in six queries."""
    today = today or current_day()
    sessions = list(
        Session.objects.filter(lab=lab).order_by("start_date", "number").values_list("number", "start_date", "end_date", "status")
    )
    people = [
        Person(
            row["pk"],
            f"{row['first_name']} {row['last_name']}",
            row["metier"],
            row["direction"],
            row["is_active"],
            row["joined_on"] or lab.start_date,
            None,
        )
        for row in Ambassador.objects.filter(lab=lab)
        .order_by("last_name", "first_name", "pk")
        .values("pk", "first_name", "last_name", "metier", "direction", "is_active", "joined_on")
    ]
    by_pk = {person.pk: person for person in people}
    marks = Attendance.objects.filter(session__lab=lab, session__status=EventStatus.HELD).values_list(
        "ambassador_id", "day", "response", "attended"
    )
    for ambassador_id, day, response, attended in marks:
        person = by_pk.get(ambassador_id)
        if person is None:
            continue
        person.marks[day] = mark_of(response, attended)
        if not person.is_active and (person.left_on is None or day > person.left_on):
            person.left_on = day
    held = [(number, start, end) for number, start, end, status in sessions if status == EventStatus.HELD]

    latest_entry = ProgressEntry.objects.filter(case=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    cases = list(
        Case.objects.filter(lab=lab)
        .annotate(last_activity=Coalesce(Subquery(latest_entry), "created_at"))
        .order_by("pk")
        .values("id", "title", "slug", "stage", "created_at", "last_activity")
    )
    changes = StageChange.objects.filter(case__lab=lab).order_by("case_id", "changed_at", "pk").values_list(
        "case_id", "from_stage", "to_stage", "changed_at"
    )
    entry_counts = (
        ProgressEntry.objects.filter(case__lab=lab)
        .annotate(month=TruncMonth("entry_date"))
        .order_by("month")
        .values("month")
        .annotate(count=Count("pk"))
        .values_list("month", "count")
    )
    return LabFigures(
        rhythm_of(lab, sessions, today),
        attendance_of(held, people),
        cases_of(lab, cases, list(changes), list(entry_counts), today),
        diversity_of(lab, people, today),
    )
