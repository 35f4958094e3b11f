"""A Lab's calendar: the month, the timeline of the whole Lab, and the list of its sessions.

Whoever may open the Lab's page may open its calendar, and sees only the sessions they may
read; the InterTransfo gatherings of the programme are shown alongside.
"""
import calendar
import datetime
import re
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.generic import TemplateView

from cases.models import Case
from common.display import date_label
from common.views import PermissionRequiredMixin
from programmes.models import Lab
from programmes.rules import with_reader_roles

from ..gatherings import gathering_url
from ..models import Gathering, Session
from ..planning import public_holidays

MONTH_PARAMETER = re.compile(r"^(\d{4})-(\d{2})$")


class LabCalendarMixin(PermissionRequiredMixin):
    """Resolves the Lab of the URL; anyone who may not open it gets a 404, as if it did not exist.

    An anonymous visitor is sent to the login first (they may be allowed once logged in). A page
    for those who run the Lab names that permission instead; the others get the same 404.
    """

    permission_required = "sessions.open_calendar"

    def get_permission_object(self):
        # The reader's roles read with the Lab: the permissions answer from them.
        self.lab = (
            with_reader_roles(Lab.objects.select_related("programme", "collectivite"), self.request.user)
            .filter(slug=self.kwargs["lab_slug"])
            .first()
        )
        if self.lab is None:
            raise Http404
        self.runs_lab = self.lab.reader_runs_lab
        return self.lab

    def visible_sessions(self):
        """The Lab's sessions this reader may see, each already knowing its Lab (no query per row)."""
        return Session.objects.visible_to(self.request.user).filter(lab=self.lab).order_by("start_date", "number")

    def programme_gatherings(self):
        return Gathering.objects.filter(programme=self.lab.programme).select_related("host_lab").order_by("start_date")

    def attach_lab(self, sessions):
        sessions = list(sessions)
        for session in sessions:
            session.lab = self.lab
        return sessions

    def attach_programme(self, gatherings):
        gatherings = list(gatherings)
        for gathering in gatherings:
            gathering.programme = self.lab.programme
        return gatherings

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(lab=self.lab, runs_lab=self.runs_lab, today=timezone.localdate())
        return context


@dataclass
class DayEntry:
    """What a day of the month shows of one session or gathering."""

    kind: str  # "session" or "gathering"
    title: str
    detail: str
    url: str
    status: str
    status_label: str


def _day_of(event, day):
    if event.day_count == 1:
        return ""
    return gettext("jour %(day)s/%(days)s") % {"day": (day - event.start_date).days + 1, "days": event.day_count}


def day_label(day):
    """``{{ day|date:"l j F"|capfirst }}``, worked out once per language and day (a month grid
    shows 35 to 42 of them)."""
    return capfirst(date_label(day, "l j F"))


def _month_start(day):
    return day.replace(day=1)


def _add_months(first_of_month, months):
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class MonthView(LabCalendarMixin, TemplateView):
    """The month grid (a list of days on a phone); ``?mois=YYYY-MM`` picks the month."""

    template_name = "sessions/calendar/month.html"

    def get(self, request, *args, **kwargs):
        month, error = self.requested_month()
        context = self.get_context_data(month=month, month_error=error)
        return self.render_to_response(context, status=400 if error else 200)

    def default_month(self):
        """The month of the reader's next session; without one, this month during the Lab, else its first.

        One query more than a month named in the address: an empty first month told a newcomer
        nothing, the next session is what they come for.
        """
        today = timezone.localdate()
        next_session = self.visible_sessions().upcoming(today).values_list("start_date", flat=True).first()
        if next_session is not None:
            return _month_start(max(next_session, today))
        if _month_start(self.lab.start_date) <= today <= self.lab.end_date:
            return _month_start(today)
        return _month_start(self.lab.start_date)

    def requested_month(self):
        raw = self.request.GET.get("mois")
        if raw is None:
            return self.default_month(), ""
        match = MONTH_PARAMETER.match(raw)
        if match and 1900 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12:
            return datetime.date(int(match[1]), int(match[2]), 1), ""
        return self.default_month(), gettext("Mois inconnu : indiquez-le sous la forme AAAA-MM (par exemple 2017-03).")

    def get_context_data(self, *, month, month_error="", **kwargs):
        context = super().get_context_data(**kwargs)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
        first, last = weeks[0][0], weeks[-1][-1]
        sessions = self.attach_lab(self.visible_sessions().filter(start_date__lte=last, end_date__gte=first))
        gatherings = self.attach_programme(
            self.programme_gatherings().filter(start_date__lte=last, end_date__gte=first)
        )
        entries = {}
        for session in sessions:
            title = gettext("Session n° %(number)s") % {"number": session.number}
            url = session.get_absolute_url()
            for day in session.days:
                entries.setdefault(day, []).append(
                    DayEntry("session", title, _day_of(session, day), url, session.status, session.get_status_display())
                )
        for gathering in gatherings:
            title = gettext("InterTransfo n° %(number)s") % {"number": gathering.number}
            url = gathering_url(gathering)
            for day in gathering.days:
                entries.setdefault(day, []).append(
                    DayEntry("gathering", title, _day_of(gathering, day), url, gathering.status, gathering.get_status_display())
                )
        today = context["today"]
        holidays = public_holidays(self.lab, {first.year, last.year})
        grid = [
            [
                {
                    "date": day,
                    "iso": day.isoformat(),
                    "label": day_label(day),
                    "in_month": day.month == month.month,
                    "is_today": day == today,
                    "holiday": holidays.get(day, ""),
                    "entries": entries.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ]
        previous_month, next_month = _add_months(month, -1), _add_months(month, 1)
        context.update(
            month=month,
            month_error=month_error,
            weeks=grid,
            weekdays=[(WEEKDAYS[index], WEEKDAYS_ABBR[index]) for index in range(7)],
            has_entries=any(day.month == month.month for day in entries),
            previous_month=previous_month,
            next_month=next_month,
            previous_query=f"{previous_month:%Y-%m}",
            next_query=f"{next_month:%Y-%m}",
            view_name="month",
        )
        return context


@dataclass
class TimelineEntry:
    kind: str  # "session", "gathering" or "today"
    start: datetime.date
    end: datetime.date
    title: str
    url: str = ""
    place: str = ""
    status: str = ""
    status_label: str = ""
    continued: bool = False  # it began in an earlier month


def _months_of(start, end):
    """The first day of each month from ``start``'s to ``end``'s."""
    month = _month_start(start)
    while month <= end:
        yield month
        month = _add_months(month, 1)


class TimelineView(LabCalendarMixin, TemplateView):
    """The whole Lab period, one row per month, with its sessions, the InterTransfo, and today.

    An event across the end of a month shows under each month it touches, marked as going on
    in the later ones.
    """

    template_name = "sessions/calendar/timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lab, today = self.lab, context["today"]
        sessions = self.attach_lab(self.visible_sessions())
        gatherings = self.attach_programme(
            self.programme_gatherings().filter(start_date__lte=lab.end_date, end_date__gte=lab.start_date)
        )
        events = [
            (
                "session",
                session,
                gettext("Session n° %(number)s") % {"number": session.number},
                session.get_absolute_url(),
            )
            for session in sessions
        ] + [
            (
                "gathering",
                gathering,
                gettext("InterTransfo n° %(number)s") % {"number": gathering.number},
                gathering_url(gathering),
            )
            for gathering in gatherings
        ]
        by_month = {}
        for kind, event, title, url in events:
            for month in _months_of(event.start_date, event.end_date):
                by_month.setdefault(month, []).append(
                    TimelineEntry(
                        kind,
                        event.start_date,
                        event.end_date,
                        title,
                        url,
                        event.place_name,
                        event.status,
                        event.get_status_display(),
                        continued=month != _month_start(event.start_date),
                    )
                )
        if lab.start_date <= today <= lab.end_date:
            by_month.setdefault(_month_start(today), []).append(
                TimelineEntry("today", today, today, gettext("Aujourd'hui"))
            )
        months = []
        for month in _months_of(lab.start_date, lab.end_date):
            # "today" sorts after the events starting that day: they are still to come or going on.
            entries = sorted(by_month.get(month, []), key=lambda entry: (entry.start, entry.kind == "today"))
            months.append({"month": month, "entries": entries, "is_current": month == _month_start(today)})
        context.update(months=months, view_name="timeline")
        return context


class SessionListView(LabCalendarMixin, TemplateView):
    """Every session the reader may see, with the cases it works on that they may see too."""

    template_name = "sessions/calendar/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible_cases = Case.objects.visible_to(self.request.user).only("pk", "title", "slug", "lab_id").order_by("title")
        sessions = self.attach_lab(
            self.visible_sessions().prefetch_related(Prefetch("cases", queryset=visible_cases, to_attr="visible_cases"))
        )
        # The cases' links need their Lab's slug; they are mostly of this Lab, fetched once otherwise.
        other_lab_ids = {case.lab_id for session in sessions for case in session.visible_cases} - {self.lab.pk}
        labs = {self.lab.pk: self.lab, **Lab.objects.in_bulk(other_lab_ids)} if other_lab_ids else {self.lab.pk: self.lab}
        for session in sessions:
            for case in session.visible_cases:
                case.lab = labs[case.lab_id]
        gatherings = self.attach_programme(
            self.programme_gatherings().filter(start_date__lte=self.lab.end_date, end_date__gte=self.lab.start_date)
        )
        context.update(
            sessions=sessions,
            gatherings=[(gathering, gathering_url(gathering)) for gathering in gatherings],
            view_name="list",
        )
        return context

