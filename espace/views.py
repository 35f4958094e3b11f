"""« Mon espace »: what each person has to act on, each line a link to where it is done."""
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from common.display import date_label
from common.views import PermissionRequiredMixin
from sessions.answers import answers_open
from sessions.models import DayAnswer

from . import queries


def _dates(event):
    """« 12/03/2026 » or « 12/03/2026 – 13/03/2026 »: the short dates of an event."""
    if event["start"] == event["end"]:
        return date_label(event["start"], "SHORT_DATE_FORMAT")
    return f"{date_label(event['start'], 'SHORT_DATE_FORMAT')} – {date_label(event['end'], 'SHORT_DATE_FORMAT')}"


class EspaceView(PermissionRequiredMixin, View):
    """The first page after login: one's next sessions, answers, cases, and per Lab one runs, what waits."""

    permission_required = "common.logged_in"
    template_name = "espace/espace.html"

    def get(self, request):
        user, now = request.user, timezone.now()
        today = timezone.localdate(now)
        queries.record_visit(user, now)
        events = [self.prepare_event(item, today) for item in queries.my_events(user, today)]
        cases = queries.my_cases(user, now)
        for case in cases:
            case.url = case.get_absolute_url()
        entries = queries.new_entries(user, now)
        for entry in entries:
            entry.url = reverse(
                "cases:entry_link", kwargs={"lab_slug": entry.case.lab.slug, "slug": entry.case.slug, "pk": entry.pk}
            )
            entry.created_iso = timezone.localtime(entry.created_at).isoformat(timespec="seconds")
            entry.created_label = date_label(entry.created_at, "SHORT_DATE_FORMAT")
            entry.author_name = (entry.author.get_full_name() or entry.author.email) if entry.author else ""
        labs = queries.labs_to_run(user, today, now)
        home_labs = [lab for lab in labs if lab.at_home]
        coordinated = [lab for lab in labs if not lab.at_home]
        drafts = []
        if labs:
            counts = queries.answers_by_day([lab.next_session_id for lab in labs if lab.next_session_id])
            for lab in labs:
                self.prepare_lab(lab, counts)
        if home_labs:
            drafts = queries.drafts_in_moderation(user)
            for draft in drafts:
                draft.edit_url = reverse("wagtailadmin_pages:edit", args=[draft.pk])
                draft.sent_back = draft.moderation_status == "needs_changes"
        context = {
            "events": events,
            "waiting": [event for event in events if event["waiting"]],
            "cases": cases,
            "entries": entries,
            "home_labs": home_labs,
            "programmes": self.by_programme(coordinated),
            "drafts": drafts,
            "quiet_days": queries.QUIET_AFTER.days,
            "nothing": not (events or cases or entries or labs),
        }
        return TemplateResponse(request, self.template_name, context)

    def prepare_event(self, item, today):
        event = item.event
        if item.kind == "session":
            lab = event.lab
            answer_url = reverse("lab_sessions:session_answer", kwargs={"lab_slug": lab.slug, "number": event.number})
            place_of = lab.name
        else:
            programme = event.programme
            answer_url = reverse(
                "intertransfo:gathering_answer", kwargs={"programme_slug": programme.slug, "number": event.number}
            )
            place_of = programme.name
        return {
            "kind": item.kind,
            "title": event.title,
            "number": event.number,
            "url": event.get_absolute_url(),
            "answer_url": answer_url if answers_open(event, today) else "",
            "of": place_of,
            "place": event.place_name,
            "start": event.start_date,
            "end": event.end_date,
            "dates": _dates({"start": event.start_date, "end": event.end_date}),
            "start_iso": event.start_date.isoformat(),
            "days": [
                {
                    "label": date_label(answer.day, "l j F"),
                    "iso": answer.day.isoformat(),
                    "response": answer.response,
                    "response_label": answer.get_response_display(),
                }
                for answer in item.days
            ],
            "waiting": item.waiting,
        }

    def prepare_lab(self, lab, counts):
        lab.url = reverse("programmes:lab_detail", kwargs={"slug": lab.slug})
        lab.planner_url = reverse("calendar:planner", kwargs={"lab_slug": lab.slug})
        lab.new_session_url = reverse("lab_sessions:session_create", kwargs={"lab_slug": lab.slug})
        lab.sessions_url = reverse("calendar:list", kwargs={"lab_slug": lab.slug})
        lab.board_url = reverse("cases:board", kwargs={"lab_slug": lab.slug})
        lab.ambassadors_url = reverse("ambassadors:lab_ambassadors", kwargs={"lab_slug": lab.slug})
        lab.next = None
        if lab.next_session_id:
            by_day = counts.get(lab.next_session_id, {})
            days = []
            for day in sorted(by_day):
                responses = by_day[day]
                total = sum(responses.values())
                days.append({
                    "label": date_label(day, "l j F"),
                    "short": date_label(day, "D j"),
                    "iso": day.isoformat(),
                    "answered": total - responses.get(DayAnswer.Response.PENDING, 0),
                    "present": responses.get(DayAnswer.Response.YES, 0),
                    "total": total,
                })
            lab.next = {
                "number": lab.next_number,
                "url": reverse("lab_sessions:session_detail", kwargs={"lab_slug": lab.slug, "number": lab.next_number}),
                "dates": _dates({"start": lab.next_start, "end": lab.next_end}),
                "start_iso": lab.next_start.isoformat(),
                "draft": lab.next_status == "draft",
                "days": days,
            }
        lab.has_work = bool(lab.past_to_close or lab.proposals or lab.quiet_cases or lab.invitations_open)

    @staticmethod
    def by_programme(labs):
        programmes = {}
        for lab in labs:
            programmes.setdefault(lab.programme_id, {"programme": lab.programme, "labs": []})["labs"].append(lab)
        return list(programmes.values())
