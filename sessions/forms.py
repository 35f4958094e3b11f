"""Forms of the session screens: the editor, the agenda, answers, attendance, minutes and photos."""
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import images
from common.text import validate_single_line

from .models import AgendaItem, Attendance, Gathering, Session
from .services import next_session_number, prepare_photo

MAX_MINUTES_LENGTH = 50_000
PLACE_SEAT, PLACE_OTHER, PLACE_CASE_PREFIX = "seat", "other", "case-"


def capitalised(form):
    for field in form.fields.values():
        if field.label:
            field.label = field.label[:1].upper() + field.label[1:]


def day_label(day: datetime.date) -> str:
    return date_format(day, "l j F Y").capitalize()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ClockTimeField(forms.TimeField):
    """A time typed as people write it: « 9h30 », « 9:30 », « 14h », « 14:00 ».

    A plain text box: the browsers' time pickers split the field into segments that the Tab key
    walks through and that follow the browser's language (AM/PM), which trips keyboard users.
    """

    input_formats = ["%H:%M", "%Hh%M", "%HH%M", "%Hh", "%HH", "%H:%M:%S"]
    widget = forms.TextInput(attrs={"size": 6, "autocomplete": "off", "spellcheck": "false"})
    default_error_messages = {"invalid": _("Saisissez une heure, par exemple 9h30 ou 14:00.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Par exemple 9h30."))
        super().__init__(input_formats=self.input_formats, **kwargs)

    def prepare_value(self, value):
        return value.strftime("%H:%M") if hasattr(value, "strftime") else value


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SessionForm(forms.ModelForm):
    """A session's details. The place can be taken from the collectivité's seat or a case's site.

    Choosing the seat or a case fills the address (and the place's name, if left empty) when the
    form is saved, so it works without JavaScript.
    """

    place_source = forms.ChoiceField(label=_("Adresse reprise de"), widget=forms.RadioSelect, initial=PLACE_OTHER)

    class Meta:
        model = Session
        fields = [
            "number",
            "title",
            "start_date",
            "end_date",
            "place_source",
            "place_name",
            "place_address",
            "objectives",
            "cases",
            "status",
            "visibility",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "place_address": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 5}),
            "cases": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "number": _("Laissez vide pour prendre le numéro suivant."),
            "end_date": _("Une session dure de 1 à 3 jours consécutifs."),
            "place_address": _("Remplie d'office si vous choisissez le siège ou le site d'un cas."),
            "status": _(
                "« Annoncée » invite tout le labo par courriel ; « Annulée » prévient les personnes invitées."
            ),
        }

    def __init__(self, *args, lab, **kwargs):
        super().__init__(*args, **kwargs)
        self.lab = lab
        self.instance.lab = lab
        self.fields["number"].required = False
        self.fields["cases"].queryset = lab.cases.order_by("title")
        self.fields["cases"].help_text = ""
        self.sites = {}
        choices = []
        seat = lab.collectivite.seat_address.strip()
        if seat:
            choices.append((PLACE_SEAT, gettext("Siège de la collectivité : %(address)s") % {"address": " ".join(seat.split())}))
        for case in lab.cases.exclude(site_address="").order_by("title"):
            self.sites[f"{PLACE_CASE_PREFIX}{case.pk}"] = case
            choices.append(
                (
                    f"{PLACE_CASE_PREFIX}{case.pk}",
                    gettext("Site du cas « %(case)s » : %(address)s")
                    % {"case": case.title, "address": " ".join(case.site_address.split())},
                )
            )
        choices.append((PLACE_OTHER, gettext("Autre lieu : saisissez son nom et son adresse ci-dessous")))
        self.fields["place_source"].choices = choices
        self.fields["place_source"].initial = self._current_source(seat)
        capitalised(self)

    def _current_source(self, seat):
        address = (self.instance.place_address or "").strip()
        if self.instance.pk is None and not address:
            return PLACE_SEAT if seat else PLACE_OTHER
        if seat and address == seat:
            return PLACE_SEAT
        for key, case in self.sites.items():
            if address and address == case.site_address.strip():
                return key
        return PLACE_OTHER

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("place_source")
        if source == PLACE_SEAT:
            cleaned["place_address"] = self.lab.collectivite.seat_address.strip()
            if not cleaned.get("place_name"):
                cleaned["place_name"] = self.lab.collectivite.name
        elif source in self.sites:
            case = self.sites[source]
            cleaned["place_address"] = case.site_address.strip()
            if not cleaned.get("place_name"):
                cleaned["place_name"] = case.title
        if cleaned.get("number") is None and "number" not in self.errors:
            # Filled in here so that the model's checks see a complete session.
            cleaned["number"] = self.instance.number if self.instance.pk else next_session_number(self.lab)
        return cleaned

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("place_source", None)
        return data


class AgendaItemForm(forms.ModelForm):
    """A block of the agenda of a session or an InterTransfo (``event``).

    Added from a day's own form, the day is fixed (a hidden field). An InterTransfo's blocks
    name no case: the field is left out.
    """

    start_time = ClockTimeField(label=_("début"))
    end_time = ClockTimeField(label=_("fin"))

    class Meta:
        model = AgendaItem
        fields = ["day", "start_time", "end_time", "title", "kind", "case", "facilitators", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"facilitators": _("Qui anime ce temps (facultatif).")}

    def __init__(self, *args, event, fixed_day=None, **kwargs):
        is_gathering = isinstance(event, Gathering)
        kwargs.setdefault("instance", AgendaItem(gathering=event) if is_gathering else AgendaItem(session=event))
        if fixed_day is not None:
            kwargs.setdefault("initial", {})["day"] = fixed_day
        super().__init__(*args, **kwargs)
        self.event = event
        if is_gathering:
            del self.fields["case"]
        else:
            self.fields["case"].queryset = event.lab.cases.order_by("title")
            self.fields["case"].empty_label = gettext("— aucun —")
        # A DateField either way: a forged day reaches the model, which says which days are allowed.
        if fixed_day is not None:
            self.fields["day"].widget = forms.HiddenInput()
        else:
            self.fields["day"].widget = forms.Select(choices=[(day.isoformat(), day_label(day)) for day in event.days])
        capitalised(self)

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


class AnswerForm(forms.Form):
    """One person's answer for each day of a session or an InterTransfo: present, absent or not sure."""

    CHOICES = [
        (Attendance.Response.YES, _("Présent·e")),
        (Attendance.Response.NO, _("Absent·e")),
        (Attendance.Response.MAYBE, _("Pas sûr·e")),
    ]

    def __init__(self, *args, event, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        current = {row.day: row.response for row in rows}
        for day in event.days:
            response = current.get(day)
            self.fields[f"day-{day.isoformat()}"] = forms.ChoiceField(
                label=day_label(day),
                choices=self.CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=response if response != Attendance.Response.PENDING else None,
            )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"day-{day.isoformat()}") for day in self.event.days):
            raise ValidationError(gettext("Choisissez une réponse pour au moins un jour."))
        return cleaned

    def day_fields(self):
        return [(day, self[f"day-{day.isoformat()}"]) for day in self.event.days]

    def answers(self) -> dict:
        return {
            day: self.cleaned_data[f"day-{day.isoformat()}"]
            for day in self.event.days
            if self.cleaned_data.get(f"day-{day.isoformat()}")
        }


class AttendanceMarksForm(forms.Form):
    """Who actually came, per person and day: a choice per cell of the table.

    ``people`` are a session's ambassadors or an InterTransfo's invitations; ``rows`` their
    answers, matched by ``person_id``.
    """

    CHOICES = [("", _("Non noté")), ("1", _("Présent·e")), ("0", _("Absent·e"))]
    # The name of the buttons that note everyone present on one day (the button's value).
    ALL_PRESENT = "tous_presents"

    def __init__(self, data=None, *args, event, people, rows, **kwargs):
        self.event, self.people = event, list(people)
        self.all_present_day, self.unknown_day = self._all_present_day(data)
        if self.all_present_day is not None:
            # Whoever is not noted yet on that day comes as present; the absences already noted stay.
            data = data.copy()
            for person in self.people:
                name = self._name(person, self.all_present_day)
                if not data.get(name):
                    data[name] = "1"
        super().__init__(data, *args, **kwargs)
        self.rows = {(row.person_id, row.day): row for row in rows}
        for person in self.people:
            for day in event.days:
                row = self.rows.get((person.pk, day))
                attended = None if row is None else row.attended
                self.fields[self._name(person, day)] = forms.ChoiceField(
                    label=gettext("%(person)s, %(day)s") % {"person": person.full_name, "day": day_label(day)},
                    choices=self.CHOICES,
                    required=False,
                    initial="" if attended is None else ("1" if attended else "0"),
                )

    @staticmethod
    def _name(person, day):
        return f"came-{person.pk}-{day.isoformat()}"

    def _all_present_day(self, data):
        """The day a "everyone present" button names, and whether the button named no day of the event."""
        raw = data.get(self.ALL_PRESENT) if data is not None else None
        if raw is None:
            return None, False
        for day in self.event.days:
            if raw == day.isoformat():
                return day, False
        return None, True

    def clean(self):
        cleaned = super().clean()
        if self.unknown_day:
            raise ValidationError(self.event.wording.not_a_day)
        return cleaned

    def all_present_buttons(self):
        """One button per day, its value and its words (« Tout le monde présent le mardi 14 mars »)."""
        return [
            (day.isoformat(), gettext("Tout le monde présent le %(day)s") % {"day": date_format(day, "l j F")})
            for day in self.event.days
        ]

    def table(self):
        """Rows of the page's table: each person with, per day, their answer and the field."""
        return [
            (
                person,
                [(self.rows.get((person.pk, day)), self[self._name(person, day)]) for day in self.event.days],
            )
            for person in self.people
        ]

    def marks(self) -> dict:
        values = {"1": True, "0": False, "": None}
        return {
            (person.pk, day): values[self.cleaned_data[self._name(person, day)]]
            for person in self.people
            for day in self.event.days
        }


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Compte rendu"),
        required=False,
        max_length=MAX_MINUTES_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Ce qui a été fait, appris, décidé. Il suit la visibilité de la session."),
    )


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=images.PHOTO_HELP_TEXT,
        widget=forms.ClearableFileInput(attrs={"accept": images.ACCEPT}),
    )
    caption = forms.CharField(label=_("Légende"), max_length=300, required=False, validators=[validate_single_line])

    def clean_image(self):
        return prepare_photo(self.cleaned_data["image"])
