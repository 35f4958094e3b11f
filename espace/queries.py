"""What « Mon espace » reads, a fixed number of queries whatever the data (the view adds none).

Every list goes through the rules of programmes.rules: items through ``visible_items``, a Lab's
counts only for the Labs ``labs_run_by`` gives (whose every item its runner may read). Counts are
subqueries of the Lab's own row, so a coordinator's hundred Labs are still one query.

The queries, at most: the visit (an UPDATE, and an INSERT the very first time), my session
answers and my InterTransfo answers, my cases, the entries others wrote in them, the Labs I run
with their counts (my answers and my Labs cost none when they come from the cache); then, for
those who run a Lab, the answers to each Lab's next session and my drafts in moderation.
"""
import datetime
from collections import defaultdict

from django.db.models import Case as Either
from django.db.models import Count, DateTimeField, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from wagtail.models import Page, WorkflowState

from ambassadors.models import Invitation
from cases.models import Case, ProgressEntry, Stage, StageChange, StageProposal
from cases.views.board import STALE_AFTER
from dashboards.freshness import cached
from programmes.models import LabMembership
from programmes.rules import labs_run_by, visible_items
from sessions.models import Attendance, DayAnswer, EventStatus, GatheringAttendance, Session

from .models import LastVisit

# Reloading the page within this time is the same visit: what was new stays shown as new.
SAME_VISIT = datetime.timedelta(minutes=30)
# A first visit shows what others wrote in the last two weeks.
FIRST_VISIT_LOOKBACK = datetime.timedelta(days=14)
# A case without an entry for this long is named to those who run its Lab: the board's own
# measure, so that its "inactive" filter lists the same cases.
QUIET_AFTER = STALE_AFTER
MY_CASES_SHOWN = 20
NEW_ENTRIES_SHOWN = 10
DRAFTS_SHOWN = 10
ANSWER_ROWS_READ = 30  # ten events of three days


def record_visit(user, now):
    """Note this visit; the visit before it stays ``previous_visit_at`` (one UPDATE)."""
    updated = LastVisit.objects.filter(user=user).update(
        previous_visit_at=Either(
            When(visited_at__lt=now - SAME_VISIT, then=F("visited_at")), default=F("previous_visit_at"),
        ),
        visited_at=now,
    )
    if not updated:
        LastVisit.objects.create(user=user, visited_at=now, previous_visit_at=None)


def _previous_visit(user, now):
    """The time "since my last visit" starts, as a subquery of the row ``record_visit`` wrote."""
    previous = LastVisit.objects.filter(user=user).values("previous_visit_at")[:1]
    return Coalesce(Subquery(previous, output_field=DateTimeField()), Value(now - FIRST_VISIT_LOOKBACK))


class Event:
    """A session or InterTransfo I am invited to, with my answer for each of its days."""

    def __init__(self, event, kind):
        self.event, self.kind, self.days = event, kind, []

    @property
    def waiting(self):
        return any(answer.response == DayAnswer.Response.PENDING for answer in self.days)


def my_events(user, today):
    """My next sessions and InterTransfo, soonest first, with my answer per day: kept per person
    and day until an event, an answer or a role changes (dashboards.freshness)."""
    return cached(f"espace:events:{user.pk}:{today.isoformat()}", lambda: _my_events(user, today))


def _my_events(user, today):
    """The two queries of ``my_events``."""
    # Said twice on purpose: naming my sessions through my own rows lets PostgreSQL look them up by
    # key; without it, the visibility rule's OR makes it scan every session (4.8 ms at S=100).
    my_sessions = Attendance.objects.filter(ambassador__user=user, ambassador__is_active=True).values("session_id")
    sessions = visible_items(
        Attendance.objects.filter(
            ambassador__user=user, ambassador__is_active=True, session__end_date__gte=today, session_id__in=my_sessions,
        ).exclude(session__status=EventStatus.CANCELLED),
        user, lab="session__lab", visibility="session__visibility",
    ).select_related("session__lab").order_by("session__start_date", "session_id", "day")[:ANSWER_ROWS_READ]
    gatherings = (
        GatheringAttendance.objects.filter(
            Q(invitation__user=user) | Q(invitation__ambassador__user=user, invitation__ambassador__is_active=True),
            invitation__gathering__end_date__gte=today,
        )
        .exclude(invitation__gathering__status=EventStatus.CANCELLED)
        .select_related("invitation__gathering__programme")
        .order_by("invitation__gathering__start_date", "invitation__gathering_id", "day")[:ANSWER_ROWS_READ]
    )
    events = {}
    for answer in sessions:
        events.setdefault(("session", answer.session_id), Event(answer.session, "session")).days.append(answer)
    for answer in gatherings:
        gathering = answer.invitation.gathering
        events.setdefault(("gathering", gathering.pk), Event(gathering, "gathering")).days.append(answer)
    return sorted(events.values(), key=lambda item: (item.event.start_date, item.kind))


def my_cases(user, now):
    """The cases of my teams I may read, the quietest first, with the days since their last entry."""
    cases = list(
        visible_items(Case.objects.filter(team__user=user, team__is_active=True), user)
        .with_last_activity()
        .select_related("lab")
        .order_by("last_activity", "title")[:MY_CASES_SHOWN]
    )
    for case in cases:
        case.days_quiet = (now - case.last_activity).days
    return cases


def new_entries(user, now):
    """Entries others wrote in my cases since my previous visit, newest first."""
    mine = Case.objects.filter(team__user=user, team__is_active=True).values("pk")
    return list(
        ProgressEntry.objects.visible_to(user)
        .filter(case__in=mine, created_at__gt=_previous_visit(user, now))
        .exclude(author=user)
        .select_related("case__lab", "author")
        .order_by("-created_at")[:NEW_ENTRIES_SHOWN]
    )


def _count(queryset):
    """How many rows ``queryset`` (filtered on an OuterRef) has, as a subquery without GROUP BY."""
    counted = queryset.order_by().annotate(counted=Func(F("pk"), function="COUNT")).values("counted")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def labs_to_run(user, today, now):
    """The Labs I run (resident, host, coordination), each with what waits for its runners.

    The costliest query of the page, mostly in the making of its SQL: kept per person and day
    until anything it counts changes (dashboards.freshness), at most a few minutes.
    """
    return cached(f"espace:labs:{user.pk}:{today.isoformat()}", lambda: _labs_to_run(user, today, now))


def _labs_to_run(user, today, now):
    lab = OuterRef("pk")
    upcoming = Session.objects.filter(lab=lab).upcoming(today).order_by("start_date", "number")
    past_to_close = Session.objects.filter(lab=lab, end_date__lt=today).exclude(status=EventStatus.CANCELLED).filter(
        Q(minutes="") | ~Exists(Attendance.objects.filter(session=OuterRef("pk"), attended__isnull=False))
    )
    quiet_since = now - QUIET_AFTER
    latest_entry = ProgressEntry.objects.filter(case=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    quiet_cases = (
        Case.objects.filter(lab=lab).exclude(stage=Stage.ABANDONED)
        .annotate(last_activity=Coalesce(Subquery(latest_entry), "created_at"))
        .filter(last_activity__lt=quiet_since)
    )
    proposals = StageProposal.objects.filter(case__lab=lab).exclude(to_stage=F("case__stage")).exclude(
        Exists(StageChange.objects.filter(case=OuterRef("case"), changed_at__gte=OuterRef("proposed_at")))
    )
    invitations = Invitation.objects.filter(ambassador__lab=lab, accepted_at__isnull=True, revoked_at__isnull=True)
    runs_it_at_home = LabMembership.objects.filter(
        lab=lab, user=user, role__in=[LabMembership.Role.RESIDENT, LabMembership.Role.HOST]
    )
    return list(
        labs_run_by(user)
        .select_related("programme")
        .annotate(
            at_home=Exists(runs_it_at_home),
            next_session_id=Subquery(upcoming.values("pk")[:1]),
            next_number=Subquery(upcoming.values("number")[:1]),
            next_start=Subquery(upcoming.values("start_date")[:1]),
            next_end=Subquery(upcoming.values("end_date")[:1]),
            next_status=Subquery(upcoming.values("status")[:1]),
            past_to_close=_count(past_to_close),
            quiet_cases=_count(quiet_cases),
            proposals=_count(proposals),
            invitations_open=_count(invitations),
            session_count=_count(Session.objects.filter(lab=lab).exclude(status=EventStatus.CANCELLED)),
        )
        .order_by("programme__name", "name")
    )


def answers_by_day(session_ids):
    """``{session id: {day: {response: count}}}`` for the sessions given (one query)."""
    if not session_ids:
        return {}
    rows = (
        Attendance.objects.filter(session_id__in=session_ids, ambassador__is_active=True)
        .order_by()
        .values("session_id", "day", "response")
        .annotate(counted=Count("pk"))
    )
    counts = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for row in rows:
        counts[row["session_id"]][row["day"]][row["response"]] = row["counted"]
    return counts


def drafts_in_moderation(user):
    """My pages waiting in the moderation workflow (or sent back for changes), newest first."""
    waiting = [WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES]
    return list(
        Page.objects.filter(_workflow_states__requested_by=user, _workflow_states__status__in=waiting)
        .annotate(moderation_status=F("_workflow_states__status"), submitted_at=F("_workflow_states__created_at"))
        .only("pk", "title")
        .order_by("-submitted_at")[:DRAFTS_SHOWN]
    )
