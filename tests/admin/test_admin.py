"""The Django admin (journey 8): every registered model opens, bad input is a form error, lists stay cheap."""
import datetime
import io
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command, get_commands
from django.db import connection, models, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from taggit.forms import TagWidget

from ambassadors.models import Ambassador
from cases.models import Attachment, Case, ProgressEntry, Stage, StageChange
from programmes.models import Collectivite, Coordination, Lab, LabMembership, Programme
from sessions.models import AgendaItem, Attendance, EventStatus, Gathering, Session

from ..factories import make_entry
from ..queries import exactly

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"programmes", "ambassadors", "lab_sessions", "cases"}
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
PROJECT_MODELS = [model for model in REGISTERED if model._meta.app_label in PROJECT_APPS]
# Models whose changelist must cost the same with one row and with a full page. Programme
# and Collectivite are left out: their Labs protect them from the deletion the test uses.
LISTED_MODELS = [
    Session,
    Ambassador,
    Attendance,
    Case,
    ProgressEntry,
    Lab,
    LabMembership,
    Coordination,
    AgendaItem,
    Gathering,
    StageChange,
    Attachment,
]
# The smallest valid GIF: Wagtail's image model reads the dimensions of what it stores.
ONE_PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def label(model):
    return model._meta.label_lower


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- Data ------------------------------------------------------------------------------


def _build_objects():
    """A small programme of our own, so each test knows its objects whatever the demo holds."""
    User = get_user_model()
    superuser = User.objects.create_superuser(
        username="admin-tests", email="admin-tests@example.org", password=None, first_name="Alix", last_name="Admin"
    )
    resident = User.objects.create_user(
        username="admin-tests-resident",
        email="resident@admin-tests.example.org",
        first_name="Rémi",
        last_name="Résident",
    )
    programme = Programme.objects.create(
        name="Programme d'essai de l'admin",
        slug="admin-tests",
        organiser="La 27e Région",
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2031, 12, 31),
    )
    collectivites = [
        Collectivite.objects.create(
            name=f"Ville d'essai {index}", slug=f"admin-tests-{index}", kind=Collectivite.Kind.VILLE, departement="68"
        )
        for index in range(3)
    ]
    labs = [
        Lab.objects.create(
            programme=programme,
            collectivite=collectivite,
            name=f"Labo d'essai {index}",
            slug=f"admin-tests-lab-{index}",
            start_date=datetime.date(2030, 2, 1),
            end_date=datetime.date(2031, 6, 30),
            phase=Lab.Phase.RUNNING,
        )
        for index, collectivite in enumerate(collectivites[:2])
    ]
    lab, other_lab = labs
    for index, user in enumerate((superuser, resident)):
        LabMembership.objects.create(lab=lab, user=user, discipline="designer")
        Coordination.objects.create(programme=programme, user=user)
    ambassadors = [
        Ambassador.objects.create(
            lab=lab if index < 5 else other_lab,
            first_name=f"Prénom{index}",
            last_name=f"Nom{index}",
            email=f"agent{index}@admin-tests.example.org",
            metier="Agent d'accueil" if index % 2 else "Urbaniste",
            direction="Direction des solidarités",
            user=resident if index == 0 else None,
        )
        for index in range(7)
    ]
    sessions = []
    for number, (start, days) in enumerate(
        [(datetime.date(2030, 3, 5), 2), (datetime.date(2030, 4, 2), 3), (datetime.date(2030, 5, 14), 2)]
    ):
        sessions.append(
            Session.objects.create(
                lab=lab,
                number=number,
                title=f"Session d'essai {number}",
                start_date=start,
                end_date=start + datetime.timedelta(days=days - 1),
                place_name="Hôtel de ville",
                status=EventStatus.ANNOUNCED,
            )
        )
    other_session = Session.objects.create(
        lab=other_lab,
        number=0,
        title="Session de l'autre labo",
        start_date=datetime.date(2030, 3, 12),
        end_date=datetime.date(2030, 3, 13),
    )
    session = sessions[0]
    for start, end, title in ((9, 12, "Veille"), (14, 17, "Atelier")):
        AgendaItem.objects.create(
            session=session,
            day=session.start_date,
            start_time=datetime.time(start),
            end_time=datetime.time(end),
            title=title,
        )
    for each in sessions:
        for day in each.days:
            for ambassador in ambassadors[:5]:
                Attendance.objects.create(
                    session=each, ambassador=ambassador, day=day, response=Attendance.Response.YES, attended=True
                )
    cases = []
    for index, stage in enumerate((Stage.FRAMING, Stage.PROTOTYPING, Stage.ABANDONED)):
        case = Case.objects.create(
            lab=lab,
            title=f"Cas d'essai {index}",
            slug=f"cas-essai-{index}",
            problem_statement="L'accueil des usagers au guichet",
            stage=stage,
            lessons="Trop tôt" if stage == Stage.ABANDONED else "",
        )
        case.tags.add("accueil", f"essai-{index}")
        case.team.set(ambassadors[:3])
        cases.append(case)
    other_case = Case.objects.create(lab=other_lab, title="Cas de l'autre labo", slug="autre", problem_statement="…")
    case = cases[0]
    StageChange.objects.create(
        case=cases[1], from_stage=Stage.FRAMING, to_stage=Stage.PROTOTYPING, changed_by=resident
    )
    StageChange.objects.create(case=cases[2], from_stage=Stage.FRAMING, to_stage=Stage.ABANDONED, changed_by=superuser)
    entries = [
        make_entry(
            cases[index % 3],
            author=resident,
            entry_date=datetime.date(2030, 3, 5) + datetime.timedelta(days=index),
            done=f"Entretiens avec les agents, série {index}",
            session=session if index == 0 else None,
        )
        for index in range(4)
    ]
    for index, entry in enumerate(entries[:2]):
        Attachment.objects.create(
            entry=entry,
            kind=Attachment.Kind.FILE,
            file=ContentFile(b"Compte rendu", name=f"compte-rendu-{index}.txt"),
            caption=f"Compte rendu {index}",
        )
    for number, host in ((1, lab), (2, other_lab)):
        Gathering.objects.create(
            programme=programme,
            number=number,
            title="Rencontre",
            host_lab=host,
            start_date=datetime.date(2030, 6, 10 + number * 7),
            end_date=datetime.date(2030, 6, 11 + number * 7),
        )
    return SimpleNamespace(
        superuser=superuser,
        resident=resident,
        programme=programme,
        collectivites=collectivites,
        lab=lab,
        other_lab=other_lab,
        ambassadors=ambassadors,
        session=session,
        other_session=other_session,
        case=case,
        other_case=other_case,
    )


def _placeholder(field):
    """A value a required field takes, for a model nobody wrote a factory for."""
    if field.is_relation:
        related = field.related_model
        return related._default_manager.order_by("pk").first() or _make_row(related)
    if field.choices:
        return field.flatchoices[0][0]
    candidates = [
        (models.EmailField, "admin-tests@example.org"),
        (models.URLField, "https://example.org/"),
        (models.SlugField, f"admin-tests-{field.model._meta.model_name}"),
        (models.CharField, "Essai"[: field.max_length]),
        (models.TextField, "Essai"),
        (models.BooleanField, False),
        (models.DateTimeField, timezone.now()),
        (models.DateField, datetime.date(2030, 1, 1)),
        (models.TimeField, datetime.time(9)),
        (models.DecimalField, 1),
        (models.IntegerField, 1),
        (models.FloatField, 1.0),
        (models.JSONField, {}),
    ]
    for field_class, value in candidates:
        if isinstance(field, field_class):
            return value
    if isinstance(field, models.FileField):
        return ContentFile(b"Essai", name="essai.txt")
    raise NotImplementedError(f"no placeholder for {field!r}: add a factory for {field.model._meta.label}")


def _make_row(model):
    values = {
        field.name: _placeholder(field)
        for field in model._meta.concrete_fields
        if not (
            field.primary_key
            or field.null
            or field.blank
            or field.has_default()
            or getattr(field, "auto_now", False)
            or getattr(field, "auto_now_add", False)
        )
    }
    obj = model(**values)
    obj.save()
    return obj


def _give_every_registered_model_a_row(superuser):
    """Every registered model gets an object to open, a newly registered one included.

    The few whose rows must make sense to their library get a factory; any other is
    filled in with placeholders.
    """
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    from ambassadors.models import Ambassador, Invitation
    from django_celery_beat.models import IntervalSchedule, PeriodicTask
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    def periodic_task():
        interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.DAYS)
        return PeriodicTask.objects.create(name="admin-tests", task="transfo.tasks.noop", interval=interval)

    factories = {
        Authenticator: lambda: Authenticator.objects.create(
            user=superuser, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "0" * 40, "used_mask": 0}
        ),
        PeriodicTask: periodic_task,
        Invitation: lambda: Invitation.objects.create(
            ambassador=Ambassador.objects.order_by("pk").first(),
            token_hash="0" * 64,
            expires_at=timezone.now() + datetime.timedelta(days=30),
        ),
        get_document_model(): lambda: get_document_model().objects.create(
            title="Charte", file=ContentFile(b"Charte", name="charte.txt")
        ),
        get_image_model(): lambda: get_image_model().objects.create(
            title="Pixel", file=ContentFile(ONE_PIXEL_GIF, name="pixel.gif"), width=1, height=1
        ),
    }
    for model in admin.site._registry:
        if not model._default_manager.exists():
            factories.get(model, lambda model=model: _make_row(model))()


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """The demo programme (when `load_demo` exists) plus our own objects, loaded once per module.

    Everything happens inside one transaction rolled back at the end of the module: each
    test runs in a savepoint of it, and no other test module sees these rows.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        if "load_demo" in get_commands():
            call_command("load_demo", verbosity=0, stdout=io.StringIO())
        objects = _build_objects()
        _give_every_registered_model_a_row(objects.superuser)
        yield objects
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def superuser_client(client, data):
    client.force_login(data.superuser)
    return client


def _admin_request(user):
    request = RequestFactory().get("/django-admin/")
    request.user = user
    return request


# --- Posting a page back --------------------------------------------------------------


def _field_data(bound_field):
    """What the browser posts for a field left as the page shows it."""
    widget, value, name = bound_field.field.widget, bound_field.value(), bound_field.html_name
    if isinstance(widget, forms.FileInput):
        return {}
    if isinstance(widget, forms.NullBooleanSelect):
        return {name: {True: "true", False: "false"}.get(value, "unknown")}
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if value else {}
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value)
        return {f"{name}_{index}": part for index, part in enumerate(parts) if part is not None}
    if isinstance(widget, TagWidget):
        return {name: widget.format_value(value) or ""}
    if value is None:
        return {}
    if isinstance(value, (list, tuple)):
        return {name: [str(item) for item in value]}
    return {name: value}


def _page_data(response):
    """The data the admin page would post untouched, with its inlines' saved rows but no blank row."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data.update(_field_data(form[name]))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        for inline_form in formset.initial_forms:
            for name in inline_form.fields:
                data.update(_field_data(inline_form[name]))
    return data


def _add_inline_row(data, prefix, **values):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value


def _post_page(client, url, inline_rows=(), **changes):
    data = _page_data(client.get(url))
    data.update(changes)
    for prefix, row in inline_rows:
        _add_inline_row(data, prefix, **row)
    return client.post(url, data)


def _model_messages(instance):
    """What the model itself says about this instance: the admin must show its wording."""
    try:
        instance.full_clean()
    except ValidationError as error:
        return error.messages
    raise AssertionError(f"the model accepts {instance!r}")


def _constraint_message(model, name):
    (constraint,) = [constraint for constraint in model._meta.constraints if constraint.name == name]
    return constraint.violation_error_message


def _missing_from_page(response, messages):
    page = response.content.decode()
    return [str(message) for message in messages if escape(str(message)) not in page]


def _agenda_row(day, start, end, title):
    return ("agenda_items", {"day": day, "start_time": start, "end_time": end, "title": title, "kind": "atelier"})


# --- Every registered model opens -----------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_answers_200_for_superuser(superuser_client, model):
    response = superuser_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_search_answers_200_for_superuser(superuser_client, model):
    response = superuser_client.get(admin_url(model, "changelist"), {"q": "essai"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_add_page_answers_200_for_superuser(superuser_client, data, model):
    model_admin = admin.site._registry[model]
    # A library may forbid adding from the admin (its objects come from elsewhere).
    expected = 200 if model_admin.has_add_permission(_admin_request(data.superuser)) else 403

    response = superuser_client.get(admin_url(model, "add"))

    assert response.status_code == expected


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_change_page_answers_200_for_superuser(superuser_client, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} to open: give it a row in the `data` fixture"

    response = superuser_client.get(admin_url(model, "change", quote(obj.pk)))

    assert response.status_code == 200


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=label)
def test_changelist_sorts_by_every_column(superuser_client, model):
    # The action checkbox takes column 0 when the admin has actions.
    columns = range(len(admin.site._registry[model].list_display) + 1)

    statuses = {
        index: superuser_client.get(admin_url(model, "changelist"), {"o": f"-{index}"}).status_code
        for index in columns
    }

    assert statuses == {index: 200 for index in columns}


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=label)
def test_changelist_filters_by_every_choice(superuser_client, model):
    response = superuser_client.get(admin_url(model, "changelist"))
    links = [
        choice["query_string"]
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
    ]

    statuses = {link: superuser_client.get(admin_url(model, "changelist") + link).status_code for link in links}

    assert statuses == {link: 200 for link in links}


def _autocomplete_fields():
    """Every (model, field) the project's admins and inlines open an autocomplete for."""
    request = None
    pairs = []
    for model in PROJECT_MODELS:
        model_admin = admin.site._registry[model]
        for field in model_admin.get_autocomplete_fields(request):
            pairs.append((model, field))
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            for field in inline.get_autocomplete_fields(request):
                pairs.append((inline.model, field))
    return sorted(set(pairs), key=lambda pair: (pair[0]._meta.label, pair[1]))


# Queries of each autocomplete (the same on SQLite and PostgreSQL), by "app.model-field".
AUTOCOMPLETE_QUERIES = {
    "ambassadors.ambassador-lab": 3,
    "ambassadors.ambassador-user": 3,
    "ambassadors.invitation-ambassador": 3,
    "ambassadors.invitation-invited_by": 3,
    "cases.attachment-entry": 3,
    "cases.case-lab": 3,
    "cases.case-team": 3,
    "cases.digestpreference-user": 3,
    "cases.progressentry-author": 3,
    "cases.progressentry-case": 4,
    "cases.progressentry-session": 3,
    "cases.stagechange-case": 4,
    "cases.stagechange-changed_by": 3,
    "lab_sessions.agendaitem-case": 4,
    "lab_sessions.agendaitem-gathering": 3,
    "lab_sessions.agendaitem-session": 3,
    "lab_sessions.attendance-ambassador": 3,
    "lab_sessions.attendance-session": 3,
    "lab_sessions.gathering-host_lab": 3,
    "lab_sessions.session-cases": 4,
    "lab_sessions.session-lab": 3,
    "programmes.coordination-user": 3,
    "programmes.lab-collectivite": 3,
    "programmes.labmembership-lab": 3,
    "programmes.labmembership-user": 3,
}


@pytest.mark.parametrize(
    ("model", "field"),
    _autocomplete_fields(),
    ids=lambda value: label(value) if hasattr(value, "_meta") else value,
)
def test_autocomplete_answers_with_few_queries(superuser_client, model, field):
    params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field}

    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get(reverse("admin:autocomplete"), {**params, "term": ""})

    assert response.status_code == 200
    assert response.json()["results"]
    # Twenty results whose labels each read a relation would cost twenty more queries.
    assert len(queries) == exactly(AUTOCOMPLETE_QUERIES[f"{label(model)}-{field}"])


# --- Bad input is a form error, never a 500 -------------------------------------------


def test_lab_add_rejects_end_before_start(superuser_client, data):
    count = Lab.objects.count()
    messages = _model_messages(
        Lab(
            programme=data.programme,
            collectivite=data.collectivites[2],
            name="Labo à l'envers",
            slug="labo-a-l-envers",
            start_date=datetime.date(2030, 9, 1),
            end_date=datetime.date(2030, 3, 1),
        )
    )

    response = _post_page(
        superuser_client,
        admin_url(Lab, "add"),
        programme=data.programme.pk,
        collectivite=data.collectivites[2].pk,
        name="Labo à l'envers",
        slug="labo-a-l-envers",
        start_date="2030-09-01",
        end_date="2030-03-01",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, messages) == []
    assert Lab.objects.count() == count


def test_lab_add_rejects_second_lab_for_same_programme_and_collectivite(superuser_client, data):
    count = Lab.objects.count()
    message = _constraint_message(Lab, "lab_unique_per_programme_and_collectivite")

    response = _post_page(
        superuser_client,
        admin_url(Lab, "add"),
        programme=data.programme.pk,
        collectivite=data.lab.collectivite_id,
        name="Deuxième labo",
        slug="deuxieme-labo",
        start_date="2030-03-01",
        end_date="2030-09-01",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, [message]) == []
    assert Lab.objects.count() == count


def test_lab_add_rejects_dates_outside_programme(superuser_client, data):
    count = Lab.objects.count()
    messages = _model_messages(
        Lab(
            programme=data.programme,
            collectivite=data.collectivites[2],
            name="Labo trop tardif",
            slug="labo-trop-tardif",
            start_date=datetime.date(2031, 9, 1),
            end_date=datetime.date(2032, 9, 1),
        )
    )

    response = _post_page(
        superuser_client,
        admin_url(Lab, "add"),
        programme=data.programme.pk,
        collectivite=data.collectivites[2].pk,
        name="Labo trop tardif",
        slug="labo-trop-tardif",
        start_date="2031-09-01",
        end_date="2032-09-01",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, messages) == []
    assert Lab.objects.count() == count


def test_lab_change_rejects_dates_that_strand_its_sessions(superuser_client, data):
    url = admin_url(Lab, "change", data.lab.pk)

    response = _post_page(superuser_client, url, start_date="2030-06-01")

    assert response.status_code == 200
    assert escape("sessions de ce labo tomberaient hors de ces dates") in response.content.decode()
    assert Lab.objects.get(pk=data.lab.pk).start_date == datetime.date(2030, 2, 1)


def test_lab_change_sets_its_diversity_targets_and_refuses_a_negative_one(superuser_client, data):
    url = admin_url(Lab, "change", data.lab.pk)
    assert "objectif : métiers différents" in superuser_client.get(url).content.decode().lower()

    response = _post_page(superuser_client, url, target_metiers="-1")
    assert response.status_code == 200
    assert Lab.objects.get(pk=data.lab.pk).target_metiers is None

    _post_page(superuser_client, url, target_metiers="12", target_directions="8")
    lab = Lab.objects.get(pk=data.lab.pk)
    assert (lab.target_metiers, lab.target_directions) == (12, 8)


def test_session_add_rejects_four_days(superuser_client, data):
    count = Session.objects.count()
    messages = _model_messages(
        Session(lab=data.lab, number=99, start_date=datetime.date(2030, 9, 2), end_date=datetime.date(2030, 9, 5))
    )

    response = _post_page(
        superuser_client,
        admin_url(Session, "add"),
        lab=data.lab.pk,
        number=99,
        title="Session trop longue",
        start_date="2030-09-02",
        end_date="2030-09-05",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, messages) == []
    assert Session.objects.count() == count


def test_session_add_rejects_dates_outside_its_lab(superuser_client, data):
    count = Session.objects.count()
    messages = _model_messages(
        Session(lab=data.lab, number=99, start_date=datetime.date(2031, 9, 2), end_date=datetime.date(2031, 9, 3))
    )

    response = _post_page(
        superuser_client,
        admin_url(Session, "add"),
        lab=data.lab.pk,
        number=99,
        title="Session après la fin",
        start_date="2031-09-02",
        end_date="2031-09-03",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, messages) == []
    assert Session.objects.count() == count


def test_session_add_rejects_agenda_item_outside_its_days(superuser_client, data):
    sessions, items = Session.objects.count(), AgendaItem.objects.count()

    response = _post_page(
        superuser_client,
        admin_url(Session, "add"),
        inline_rows=[_agenda_row("2030-09-10", "09:00", "12:00", "Hors session")],
        lab=data.lab.pk,
        number=99,
        title="Nouvelle session",
        start_date="2030-09-02",
        end_date="2030-09-03",
    )

    assert response.status_code == 200
    expected = "Ce jour ne fait pas partie de la session (du 02/09/2030 au 03/09/2030)."
    assert escape(expected) in response.content.decode()
    assert (Session.objects.count(), AgendaItem.objects.count()) == (sessions, items)


def test_session_add_rejects_overlapping_agenda_items(superuser_client, data):
    sessions, items = Session.objects.count(), AgendaItem.objects.count()
    rows = [
        _agenda_row("2030-09-02", "09:00", "12:00", "Matin"),
        _agenda_row("2030-09-02", "11:00", "13:00", "Fin de matinée"),
    ]

    response = _post_page(
        superuser_client,
        admin_url(Session, "add"),
        inline_rows=rows,
        lab=data.lab.pk,
        number=99,
        title="Nouvelle session",
        start_date="2030-09-02",
        end_date="2030-09-03",
    )

    assert response.status_code == 200
    assert escape("Ce créneau chevauche « 02/09 09:00–12:00 Matin ».") in response.content.decode()
    assert (Session.objects.count(), AgendaItem.objects.count()) == (sessions, items)


def test_session_change_rejects_agenda_item_overlapping_a_saved_one(superuser_client, data):
    items = AgendaItem.objects.count()
    day = data.session.start_date
    messages = _model_messages(
        AgendaItem(session=data.session, day=day, start_time=datetime.time(10), end_time=datetime.time(11), title="…")
    )

    response = _post_page(
        superuser_client,
        admin_url(Session, "change", data.session.pk),
        inline_rows=[_agenda_row(day.isoformat(), "10:00", "11:00", "En trop")],
    )

    assert response.status_code == 200
    assert _missing_from_page(response, messages) == []
    assert AgendaItem.objects.count() == items


def test_session_change_rejects_agenda_item_ending_before_it_starts(superuser_client, data):
    items = AgendaItem.objects.count()
    day = data.session.end_date.isoformat()

    response = _post_page(
        superuser_client,
        admin_url(Session, "change", data.session.pk),
        inline_rows=[_agenda_row(day, "16:00", "10:00", "À l'envers")],
    )

    assert response.status_code == 200
    assert _missing_from_page(response, [_constraint_message(AgendaItem, "agenda_item_ends_after_start")]) == []
    assert AgendaItem.objects.count() == items


def test_session_change_rejects_case_of_another_lab(superuser_client, data):
    response = _post_page(superuser_client, admin_url(Session, "change", data.session.pk), cases=[data.other_case.pk])

    assert response.status_code == 200
    expected = "Ces cas pratiques appartiennent à un autre labo : Cas de l'autre labo."
    assert escape(expected) in response.content.decode()
    assert list(data.session.cases.all()) == []


def test_session_change_rejects_dates_leaving_attendance_outside(superuser_client, data):
    session = Session.objects.get(number=1, lab=data.lab)  # three days, answers on each
    url = admin_url(Session, "change", session.pk)

    response = _post_page(superuser_client, url, end_date=session.start_date.isoformat())

    assert response.status_code == 200
    assert escape("réponses de présence portent sur des jours hors de ces dates") in response.content.decode()
    assert Session.objects.get(pk=session.pk).end_date == session.end_date


def test_agenda_item_add_rejects_end_before_start(superuser_client, data):
    count = AgendaItem.objects.count()

    response = _post_page(
        superuser_client,
        admin_url(AgendaItem, "add"),
        session=data.session.pk,
        day=data.session.end_date.isoformat(),
        start_time="14:00",
        end_time="10:00",
        title="À l'envers",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, [_constraint_message(AgendaItem, "agenda_item_ends_after_start")]) == []
    assert AgendaItem.objects.count() == count


def test_agenda_item_add_rejects_case_of_another_lab(superuser_client, data):
    count = AgendaItem.objects.count()

    response = _post_page(
        superuser_client,
        admin_url(AgendaItem, "add"),
        session=data.session.pk,
        day=data.session.end_date.isoformat(),
        start_time="09:00",
        end_time="10:00",
        title="Point cas",
        case=data.other_case.pk,
    )

    assert response.status_code == 200
    assert escape("Ce cas pratique appartient à un autre labo que celui de la session.") in response.content.decode()
    assert AgendaItem.objects.count() == count


def test_attendance_add_rejects_day_outside_session(superuser_client, data):
    count = Attendance.objects.count()
    day = data.session.end_date + datetime.timedelta(days=1)
    messages = _model_messages(Attendance(session=data.session, ambassador=data.ambassadors[0], day=day))

    response = _post_page(
        superuser_client,
        admin_url(Attendance, "add"),
        session=data.session.pk,
        ambassador=data.ambassadors[0].pk,
        day=day.isoformat(),
    )

    assert response.status_code == 200
    assert _missing_from_page(response, messages) == []
    assert Attendance.objects.count() == count


def test_attendance_add_rejects_second_answer_for_same_day(superuser_client, data):
    count = Attendance.objects.count()

    response = _post_page(
        superuser_client,
        admin_url(Attendance, "add"),
        session=data.session.pk,
        ambassador=data.ambassadors[0].pk,
        day=data.session.start_date.isoformat(),
    )

    assert response.status_code == 200
    message = _constraint_message(Attendance, "attendance_unique_per_person_and_day")
    assert _missing_from_page(response, [message]) == []
    assert Attendance.objects.count() == count


def test_ambassador_add_rejects_email_already_in_lab_whatever_its_case(superuser_client, data):
    count = Ambassador.objects.count()

    response = _post_page(
        superuser_client,
        admin_url(Ambassador, "add"),
        lab=data.lab.pk,
        first_name="Double",
        last_name="Inscription",
        email=data.ambassadors[1].email.upper(),
        metier="Jardinier",
        direction="Espaces verts",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, [_constraint_message(Ambassador, "ambassador_email_unique_per_lab")]) == []
    assert Ambassador.objects.count() == count


def test_programme_add_rejects_lab_outside_its_dates(superuser_client, data):
    programmes, labs = Programme.objects.count(), Lab.objects.count()
    row = {
        "name": "Labo trop tardif",
        "slug": "labo-trop-tardif",
        "collectivite": data.collectivites[2].pk,
        "start_date": "2033-01-01",
        "end_date": "2033-06-01",
        "phase": "preparation",
    }

    response = _post_page(
        superuser_client,
        admin_url(Programme, "add"),
        inline_rows=[("labs", row)],
        name="Programme neuf",
        slug="programme-neuf",
        organiser="La 27e Région",
        start_date="2032-01-01",
        end_date="2032-12-31",
    )

    assert response.status_code == 200
    expected = "Le labo doit se dérouler pendant le programme (du 2032-01-01 au 2032-12-31)."
    assert escape(expected) in response.content.decode()
    assert (Programme.objects.count(), Lab.objects.count()) == (programmes, labs)


def test_programme_add_rejects_two_labs_in_one_collectivite(superuser_client, data):
    programmes, labs = Programme.objects.count(), Lab.objects.count()
    rows = [
        (
            "labs",
            {
                "name": f"Labo {index}",
                "slug": f"labo-neuf-{index}",
                "collectivite": data.collectivites[2].pk,
                "start_date": "2032-02-01",
                "end_date": "2032-06-01",
                "phase": "preparation",
            },
        )
        for index in range(2)
    ]

    response = _post_page(
        superuser_client,
        admin_url(Programme, "add"),
        inline_rows=rows,
        name="Programme neuf",
        slug="programme-neuf",
        organiser="La 27e Région",
        start_date="2032-01-01",
        end_date="2032-12-31",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, [_constraint_message(Lab, "lab_unique_per_programme_and_collectivite")]) == []
    assert (Programme.objects.count(), Lab.objects.count()) == (programmes, labs)


def test_case_add_rejects_abandoned_case_without_lessons(superuser_client, data):
    count = Case.objects.count()
    messages = _model_messages(
        Case(lab=data.lab, title="Cas abandonné", slug="cas-abandonne", problem_statement="…", stage=Stage.ABANDONED)
    )

    response = _post_page(
        superuser_client,
        admin_url(Case, "add"),
        lab=data.lab.pk,
        title="Cas abandonné",
        slug="cas-abandonne",
        problem_statement="Le stationnement devant les écoles",
        stage=Stage.ABANDONED,
        lessons="",
    )

    assert response.status_code == 200
    assert _missing_from_page(response, messages) == []
    assert Case.objects.count() == count


def test_case_add_rejects_journal_entry_tied_to_session_of_another_lab(superuser_client, data):
    cases, entries = Case.objects.count(), ProgressEntry.objects.count()
    row = {"entry_date": "2030-03-05", "done": "Visite du site", "session": data.other_session.pk}

    response = _post_page(
        superuser_client,
        admin_url(Case, "add"),
        inline_rows=[("entries", row)],
        lab=data.lab.pk,
        title="Cas neuf",
        slug="cas-neuf",
        problem_statement="L'attente au guichet",
    )

    assert response.status_code == 200
    assert escape("Cette session n'est pas celle du labo du cas.") in response.content.decode()
    assert (Case.objects.count(), ProgressEntry.objects.count()) == (cases, entries)


def test_case_change_rejects_team_member_of_another_lab(superuser_client, data):
    stranger = data.ambassadors[6]
    team = [*data.case.team.values_list("pk", flat=True), stranger.pk]

    response = _post_page(superuser_client, admin_url(Case, "change", data.case.pk), team=[str(pk) for pk in team])

    assert response.status_code == 200
    expected = f"Ces personnes n'appartiennent pas au labo du cas : {stranger.full_name}."
    assert escape(expected) in response.content.decode()
    assert stranger not in data.case.team.all()


def test_case_change_records_stage_move_on_timeline(superuser_client, data):
    url = admin_url(Case, "change", data.case.pk)

    response = _post_page(superuser_client, url, stage=Stage.INQUIRY)

    assert response.status_code == 302
    move = StageChange.objects.filter(case=data.case).latest("changed_at")
    assert (move.from_stage, move.to_stage, move.changed_by) == (Stage.FRAMING, Stage.INQUIRY, data.superuser)


def test_case_change_keeps_stage_move_written_in_inline(superuser_client, data):
    url = admin_url(Case, "change", data.case.pk)
    row = {"changed_at_0": "2030-04-01", "changed_at_1": "10:00", "from_stage": "cadrage", "to_stage": "enquete"}

    response = _post_page(superuser_client, url, inline_rows=[("stage_changes", row)], stage=Stage.INQUIRY)

    assert response.status_code == 302
    assert StageChange.objects.filter(case=data.case, to_stage=Stage.INQUIRY).count() == 1


def test_lab_change_rejects_second_membership_for_same_person(superuser_client, data):
    memberships = LabMembership.objects.count()

    response = _post_page(
        superuser_client,
        admin_url(Lab, "change", data.lab.pk),
        inline_rows=[("memberships", {"user": data.superuser.pk, "role": "host"})],
    )

    assert response.status_code == 200
    assert _missing_from_page(response, [_constraint_message(LabMembership, "membership_unique_per_lab")]) == []
    assert LabMembership.objects.count() == memberships


# --- Links between the pages ----------------------------------------------------------


def test_session_change_page_links_to_its_own_attendance(superuser_client, data):
    expected = Attendance.objects.filter(session=data.session).count()
    page = superuser_client.get(admin_url(Session, "change", data.session.pk))
    link = f'{admin_url(Attendance, "changelist")}?session__id__exact={data.session.pk}'

    response = superuser_client.get(link)

    assert link in page.content.decode()
    assert (response.status_code, response.context["cl"].result_count) == (200, expected)


def test_lab_change_page_links_to_its_sessions_ambassadors_and_cases(superuser_client, data):
    page = superuser_client.get(admin_url(Lab, "change", data.lab.pk)).content.decode()
    expected = {Session: 3, Ambassador: 5, Case: 3}

    counts = {}
    for model in expected:
        link = f"{admin_url(model, 'changelist')}?lab__id__exact={data.lab.pk}"
        assert link in page
        counts[model] = superuser_client.get(link).context["cl"].result_count

    assert counts == expected


def test_attendance_action_records_absence(superuser_client, data):
    rows = Attendance.objects.filter(session=data.session, ambassador=data.ambassadors[0])

    response = superuser_client.post(
        admin_url(Attendance, "changelist"),
        {"action": "mark_absent", "_selected_action": [str(pk) for pk in rows.values_list("pk", flat=True)]},
    )

    assert response.status_code == 302
    assert set(rows.values_list("attended", flat=True)) == {False}


def test_attendance_action_makes_the_dashboards_forget_their_figures(superuser_client, data):
    from django.core.cache import cache

    from dashboards.freshness import VERSION_KEY, cached

    cached("dashboards:test", lambda: "figures of before")
    before = cache.get(VERSION_KEY)
    rows = Attendance.objects.filter(session=data.session, ambassador=data.ambassadors[0])

    superuser_client.post(
        admin_url(Attendance, "changelist"),
        {"action": "mark_attended", "_selected_action": [str(pk) for pk in rows.values_list("pk", flat=True)]},
    )

    assert cache.get(VERSION_KEY) != before
    assert cached("dashboards:test", lambda: "figures of after") == "figures of after"


# --- Lists cost the same with one row and with many -------------------------------------


def _changelist_queries(client, model):
    url = admin_url(model, "changelist")
    client.get(url)  # caches (session, content types) warm up outside the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


# Queries of each changelist (the same on SQLite and PostgreSQL), by model.
CHANGELIST_QUERIES = {
    "lab_sessions.session": 8,
    "ambassadors.ambassador": 6,
    "lab_sessions.attendance": 8,
    "cases.case": 10,
    "cases.progressentry": 8,
    "programmes.lab": 8,
    "programmes.labmembership": 6,
    "programmes.coordination": 5,
    "lab_sessions.agendaitem": 8,
    "lab_sessions.gathering": 7,
    "cases.stagechange": 8,
    "cases.attachment": 8,
}


@pytest.mark.parametrize("model", LISTED_MODELS, ids=label)
def test_changelist_query_count_does_not_grow_with_rows(superuser_client, model):
    many_queries, many_rows = _changelist_queries(superuser_client, model)
    keep = model._default_manager.order_by("pk").first()
    model._default_manager.exclude(pk=keep.pk).delete()

    one_queries, one_row = _changelist_queries(superuser_client, model)

    assert (many_rows > 1, one_row) == (True, 1)
    assert many_queries == one_queries == exactly(CHANGELIST_QUERIES[label(model)])





def test_case_change_rejects_a_title_on_two_lines(superuser_client, data):
    title = data.case.title

    response = _post_page(superuser_client, admin_url(Case, "change", data.case.pk), title="Cas\r\nBcc: pirate@ailleurs.example")

    assert response.status_code == 200
    assert escape("Ce champ tient sur une ligne : retirez un retour chariot, un retour à la ligne.") in response.content.decode()
    data.case.refresh_from_db()
    assert data.case.title == title
