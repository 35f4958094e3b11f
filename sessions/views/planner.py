"""The rhythm planner: propose the Lab's sessions, adjust any date, save them all at once.

Two plain forms, so it works without JavaScript: the first proposes (``propose_rhythm``), the
second carries the proposal as date inputs, one row per session, and saves it (``save_rhythm``).
Each is its own <form> so that Enter in a date of the table saves the table, never re-proposes.
"""
import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from common.text import validate_single_line

from ..planning import (
    MAX_DAYS_PER_SESSION,
    MAX_SESSIONS_PER_RHYTHM,
    RhythmError,
    check_rhythm,
    date_warnings,
    propose_rhythm,
    replanning_of,
    save_rhythm,
)
from .calendar import LabCalendarMixin

ROWS_PREFIX = "sessions"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The ISO form is what <input type="date"> reads and sends, whatever the language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RhythmSettingsForm(forms.Form):
    first_date = forms.DateField(
        label=_("Premier jour possible"),
        widget=DateInput(),
        help_text=_("La première session tombe ce jour-là ou juste après, un jour ouvré."),
    )
    session_count = forms.IntegerField(
        label=_("Nombre de sessions"), min_value=1, max_value=MAX_SESSIONS_PER_RHYTHM
    )
    days_per_session = forms.IntegerField(
        label=_("Jours par session"), min_value=1, max_value=MAX_DAYS_PER_SESSION
    )
    place_name = forms.CharField(
        label=_("Lieu (facultatif)"), max_length=200, required=False, validators=[validate_single_line]
    )
    place_address = forms.CharField(
        label=_("Adresse du lieu (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, lab, **kwargs):
        self.lab = lab
        super().__init__(*args, **kwargs)

    def clean_first_date(self):
        first_date = self.cleaned_data["first_date"]
        if not self.lab.contains(first_date):
            raise ValidationError(
                gettext("Le premier jour doit tomber pendant le labo (du %(start)s au %(end)s).")
                % {
                    "start": date_format(self.lab.start_date, "SHORT_DATE_FORMAT"),
                    "end": date_format(self.lab.end_date, "SHORT_DATE_FORMAT"),
                }
            )
        return first_date


class RowForm(forms.Form):
    first_day = forms.DateField(label=_("Premier jour"), widget=DateInput())
    last_day = forms.DateField(label=_("Dernier jour"), widget=DateInput())


RowFormSet = formset_factory(
    RowForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_SESSIONS_PER_RHYTHM,
    validate_max=True,
    absolute_max=MAX_SESSIONS_PER_RHYTHM,
)


def rows_data(proposals):
    """A formset's POST data for ``proposals``, as if the resident had typed them."""
    data = {
        f"{ROWS_PREFIX}-TOTAL_FORMS": str(len(proposals)),
        f"{ROWS_PREFIX}-INITIAL_FORMS": "0",
        f"{ROWS_PREFIX}-MIN_NUM_FORMS": "1",
        f"{ROWS_PREFIX}-MAX_NUM_FORMS": str(MAX_SESSIONS_PER_RHYTHM),
    }
    for index, (first_day, last_day) in enumerate(proposals):
        data[f"{ROWS_PREFIX}-{index}-first_day"] = first_day.isoformat()
        data[f"{ROWS_PREFIX}-{index}-last_day"] = last_day.isoformat()
    return data


class PlannerView(LabCalendarMixin, TemplateView):
    """Only those who run the Lab plan it; anyone else gets a 404."""

    template_name = "sessions/planner/planner.html"
    permission_required = "sessions.plan_session"

    def get(self, request, *args, **kwargs):
        replanning = replanning_of(self.lab)
        collectivite = self.lab.collectivite
        initial = {
            "first_date": max(self.lab.start_date, replanning.first_free_day),
            "days_per_session": 2,
            "session_count": self.default_count(replanning),
        }
        if collectivite.seat_address:
            initial.update(place_name=collectivite.name, place_address=collectivite.seat_address)
        form = RhythmSettingsForm(lab=self.lab, initial=initial)
        return self.render_page(replanning=replanning, settings_form=form)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "save":
            return self.save()
        if action == "propose":
            return self.propose()
        form = RhythmSettingsForm(request.POST, lab=self.lab)
        form.is_valid()
        form.add_error(None, gettext("Choisissez « Proposer » ou « Enregistrer »."))
        return self.render_page(settings_form=form, status=400)

    def default_count(self, replanning):
        """One session a month until the Lab ends, August apart, within the planner's limits."""
        first = max(self.lab.start_date, replanning.first_free_day)
        months = (self.lab.end_date.year - first.year) * 12 + self.lab.end_date.month - first.month + 1
        augusts = sum(
            1
            for offset in range(max(months, 0))
            if (first.month - 1 + offset) % 12 + 1 == 8
        )
        return min(max(months - augusts, 1), MAX_SESSIONS_PER_RHYTHM)

    def propose(self):
        form = RhythmSettingsForm(self.request.POST, lab=self.lab)
        if not form.is_valid():
            return self.render_page(settings_form=form, status=400)
        data = form.cleaned_data
        try:
            proposals = propose_rhythm(
                start=data["first_date"],
                session_count=data["session_count"],
                days_per_session=data["days_per_session"],
                holiday_subdivision=self.lab.collectivite.holiday_subdivision,
            )
        except ValueError:
            form.add_error(None, gettext("Impossible de placer autant de sessions : réduisez leur nombre."))
            return self.render_page(settings_form=form, status=400)
        replanning = replanning_of(self.lab)
        formset = RowFormSet(rows_data(proposals), prefix=ROWS_PREFIX)
        formset.is_valid()
        # The proposal can already run past the Lab's end, or into kept sessions: say so now.
        self.add_row_errors(formset, check_rhythm(lab=self.lab, proposals=proposals, replanning=replanning))
        return self.render_page(replanning=replanning, settings_form=form, formset=formset)

    def save(self):
        form = RhythmSettingsForm(self.request.POST, lab=self.lab)
        formset = RowFormSet(self.request.POST, prefix=ROWS_PREFIX)
        form_valid, rows_valid = form.is_valid(), formset.is_valid()
        if not (form_valid and rows_valid):
            return self.render_page(settings_form=form, formset=formset, status=400, not_saved=True)
        proposals = [(row.cleaned_data["first_day"], row.cleaned_data["last_day"]) for row in formset.forms]
        try:
            created = save_rhythm(
                lab=self.lab,
                proposals=proposals,
                place_name=form.cleaned_data["place_name"],
                place_address=form.cleaned_data["place_address"],
                planned_by=self.request.user,
            )
        except RhythmError as error:
            self.add_row_errors(formset, error.row_errors)
            return self.render_page(
                settings_form=form, formset=formset, status=400, not_saved=True, general_errors=error.general_errors
            )
        except ValidationError as error:
            return self.render_page(
                settings_form=form, formset=formset, status=400, not_saved=True, general_errors=error.messages
            )
        messages.success(
            self.request,
            ngettext(
                "%(count)d session enregistrée en brouillon (n° %(first)s).",
                "%(count)d sessions enregistrées en brouillon (n° %(first)s à %(last)s).",
                len(created),
            )
            % {"count": len(created), "first": created[0].number, "last": created[-1].number},
        )
        # Allowed, but probably a slip: said again on the month, where the holidays show.
        for session in created:
            for warning in date_warnings(self.lab, session.start_date, session.end_date):
                messages.warning(
                    self.request,
                    gettext("Session n° %(number)s : %(warning)s") % {"number": session.number, "warning": warning},
                )
        month_url = reverse("calendar:month", kwargs={"lab_slug": self.lab.slug})
        return redirect(f"{month_url}?mois={created[0].start_date:%Y-%m}")

    @staticmethod
    def add_row_errors(formset, row_errors):
        for index, row_messages in row_errors.items():
            if index < len(formset.forms):
                for message in row_messages:
                    formset.forms[index].add_error(None, message)

    def render_page(self, *, settings_form, formset=None, replanning=None, status=200, **extra):
        replanning = replanning or replanning_of(self.lab)
        rows = []
        if formset is not None:
            for index, row in enumerate(formset.forms):
                error_id = f"ligne-{index}-erreurs"
                errors = [
                    *(
                        gettext("%(field)s : %(error)s") % {"field": field.label, "error": error}
                        for field in row
                        for error in field.errors
                    ),
                    *row.non_field_errors(),
                ]
                if errors:
                    for field in row:
                        field.field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": error_id})
                rows.append(
                    {
                        "number": replanning.next_number + index,
                        "form": row,
                        "errors": errors,
                        "error_id": error_id,
                        "warnings": [] if errors else self.row_warnings(row),
                        "span": self.span_label(row),
                    }
                )
        context = self.get_context_data(
            settings_form=settings_form,
            hidden_settings=RhythmSettingsForm(settings_form.data or None, lab=self.lab, auto_id=False)
            if settings_form.is_bound
            else None,
            formset=formset,
            rows=rows,
            rows_with_errors=sum(1 for row in rows if row["errors"]),
            rows_with_warnings=sum(1 for row in rows if row["warnings"]),
            replanning=replanning,
            view_name="planner",
            **extra,
        )
        return self.render_to_response(context, status=status)

    def row_warnings(self, row):
        data = getattr(row, "cleaned_data", {}) or {}
        first_day, last_day = data.get("first_day"), data.get("last_day")
        if not (isinstance(first_day, datetime.date) and isinstance(last_day, datetime.date)):
            return []
        return date_warnings(self.lab, first_day, last_day)

    @staticmethod
    def span_label(row):
        """The days of a row in words ("mardi 10 – mercredi 11 janvier 2017"), when both are valid."""
        data = getattr(row, "cleaned_data", {}) or {}
        first_day, last_day = data.get("first_day"), data.get("last_day")
        if not (isinstance(first_day, datetime.date) and isinstance(last_day, datetime.date)) or last_day < first_day:
            return ""
        if first_day == last_day:
            return date_format(first_day, "l j F Y")
        return f"{date_format(first_day, 'l j F')} – {date_format(last_day, 'l j F Y')}"
