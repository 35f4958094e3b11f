"""Hostile input never gets a 5xx: every form, every query parameter, every API parameter.

Hypothesis posts control characters, NUL, huge numbers, very long strings, invalid UTF-8, emoji,
right-to-left marks and HTML into every field of every form of our apps (as someone who may use
it), and into the query parameters of our pages and of the open API. The fields are read from
the page itself (formsets, per-person fields and management forms included) and from the form
class; a form class of our apps that no page here exercises fails ``test_every_form_is_covered``.

Bounded in time: one world built once for the module, a few examples per page, no deadline.
"""
import dataclasses
import datetime
import importlib
import pkgutil
import sys
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from ambassadors.models import Invitation
from docs.models import DocumentationIndexPage
from programmes.models import Coordination, LabMembership, Visibility
from sessions.models import EventStatus

from .docs.helpers_opendata import image_block, make_image, published
from .factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_entry,
    make_gathering,
    make_gathering_item,
    make_lab,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

OUR_PACKAGES = ("accounts", "ambassadors", "cases", "docs", "outbox", "programmes", "sessions", "transfo")
INVITATION_TOKEN = "jeton-hostile-de-test"

# --- Hostile values ---------------------------------------------------------------------------

HOSTILE_TEXTS = [
    "\x00", "a\x00b", "\r\n", "Titre\r\nBcc: pirate@ailleurs.example", "\t", "\x1b[31mrouge", "\x7f\x85\x9b",
    "\u2028", "\u202egnp.exe", "\u200fعنوان\u200e", "🚲" * 40, "👩🏽‍🔬", "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "' OR 1=1 --", "%00", "../../etc/passwd", "{{ 7|add:7 }}", "{% debug %}",
    "99999999999999999999", "-99999999999999999999", "9" * 400, "1e309", "NaN", "-1", "0", "", " ",
    "2016-02-30", "31/02/2016", "9999-12-31", "0000-00-00", "25:61", "²", "١٢", "x" * 5000,
    "root", "random", "*", "-", "_", "true", "on", "None",
]
HOSTILE_BYTES = [
    *(text.encode() for text in HOSTILE_TEXTS),
    b"\xff\xfe", b"\xc3(", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", "x".encode() * 60_000,
]
hostile_value = st.one_of(
    st.sampled_from(HOSTILE_BYTES),
    st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers(min_value=-(10**30), max_value=10**30).map(lambda number: str(number).encode()),
    st.binary(max_size=16),
)

# A formset's form count: Django caps it (an admin inline draws up to 2,000 forms), so a huge one
# is refused in a bounded time; here it would only make the guard take minutes.
MANAGEMENT_FIELDS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
management_value = st.sampled_from([b"\x00", b"-1", b"abc", b"", b"2", "²".encode(), b"\xff\xfe", b"1e3"])
NUL, HUGE = b"\x00", b"99999999999999999999"


def strategies_for(names):
    return {name: management_value if name.endswith(MANAGEMENT_FIELDS) else hostile_value for name in names}


def every_field(names, value):
    """An explicit example: ``value`` in every field (management fields left valid)."""
    return {name: b"1" if name.endswith(MANAGEMENT_FIELDS) else value for name in names}


HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    # No shrinking: a failing example is printed as found, and a failure costs seconds, not minutes.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def encoded(pairs):
    """A urlencoded body or query string from (name, bytes) pairs: invalid UTF-8 stays invalid."""
    return urlencode([(name, value) for name, value in pairs])


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what} answered {response.status_code}"


# --- The world: one Lab with every kind of item, and who may act on it ------------------------


@dataclasses.dataclass
class World:
    lab: object
    programme: object
    people: dict
    case: object
    entry: object
    session: object
    past_session: object
    agenda_item: object
    gathering: object
    past_gathering: object
    gathering_item: object
    ambassador: object
    documentation: object
    article: object
    tag: str


def build_world():
    today = timezone.localdate()
    programme = make_programme(start_date=today - datetime.timedelta(days=400), end_date=today + datetime.timedelta(days=800))
    lab = make_lab(programme=programme, start_date=today - datetime.timedelta(days=60), end_date=today + datetime.timedelta(days=400))
    people = {role: make_user(email=f"{role}@hostile.transfo.example") for role in ("resident", "ambassador", "coordinator", "superuser", "leaving")}
    for person in people.values():
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    LabMembership.objects.create(lab=lab, user=people["resident"], role=LabMembership.Role.RESIDENT)
    Coordination.objects.create(programme=programme, user=people["coordinator"])
    people["superuser"].is_staff = people["superuser"].is_superuser = True
    people["superuser"].save()
    ambassador = make_ambassador(lab, user=people["ambassador"], email=people["ambassador"].email)
    make_ambassador(lab, user=people["leaving"], email=people["leaving"].email)
    invited = make_ambassador(lab)
    now = timezone.now()
    Invitation.objects.create(
        ambassador=invited, token_hash=Invitation.hash_token(INVITATION_TOKEN), created_at=now, expires_at=now + datetime.timedelta(days=30)
    )
    case = make_case(lab, visibility=Visibility.PROGRAMME)
    case.team.add(ambassador)
    case.tags.add("mobilité")
    entry = make_entry(case, author=people["resident"])
    start = today + datetime.timedelta(days=20)
    session = make_session(lab, start_date=start, end_date=start + datetime.timedelta(days=1), status=EventStatus.ANNOUNCED)
    agenda_item = make_agenda_item(session, case=case)
    # Attendance is noted once an event has begun: one of each in the past.
    before = today - datetime.timedelta(days=10)
    past_session = make_session(lab, start_date=before, end_date=before + datetime.timedelta(days=1), status=EventStatus.ANNOUNCED)
    past_gathering = make_gathering(programme, start_date=before)
    gathering = make_gathering(programme, start_date=today + datetime.timedelta(days=50))
    gathering_item = make_gathering_item(gathering)
    image = make_image("Photo de l'atelier")
    article = published("Ce que l'atelier a appris", lab=lab, tags=("atelier",), body=[image_block(image)])
    return World(
        lab=lab, programme=programme, people=people, case=case, entry=entry, session=session, past_session=past_session,
        agenda_item=agenda_item, gathering=gathering, past_gathering=past_gathering, gathering_item=gathering_item, ambassador=ambassador, documentation=DocumentationIndexPage.objects.get(), article=article, tag="atelier",
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Where each form is used, and by whom -----------------------------------------------------


def lab_url(name, world, **kwargs):
    return reverse(name, kwargs={"lab_slug": world.lab.slug, **kwargs})


def case_url(name, world):
    return lab_url(name, world, slug=world.case.slug)


def session_url(name, world, session=None, **kwargs):
    return lab_url(name, world, number=(session or world.session).number, **kwargs)


def gathering_url(name, world, gathering=None, **kwargs):
    gathering = gathering or world.gathering
    return reverse(name, kwargs={"programme_slug": world.programme.slug, "number": gathering.number, **kwargs})


def admin_change(model_path, pk):
    app_label, model_name = model_path.split(".")
    return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])


@dataclasses.dataclass(frozen=True)
class FormPage:
    url: object  # world → the page's address
    role: str  # who may use it ("anonymous" for a page without login)
    forms: tuple = ()  # the form classes of our apps it exercises (module.Class)
    fields: tuple = ()  # parameters a view reads without a form class


FORM_PAGES = {
    "profile": FormPage(lambda w: reverse("accounts:profile"), "ambassador", ("accounts.forms.ProfileForm",)),
    "erase": FormPage(lambda w: reverse("accounts:erase"), "leaving", ("accounts.forms.ErasureForm",)),
    "invite": FormPage(lambda w: lab_url("ambassadors:invite", w), "resident", ("ambassadors.forms.InvitationForm",)),
    "import_people": FormPage(lambda w: lab_url("ambassadors:import", w), "resident", ("ambassadors.forms.ImportForm",)),
    "accept_invitation": FormPage(
        lambda w: reverse("ambassadors:accept_invitation", kwargs={"token": INVITATION_TOKEN}), "anonymous",
        ("ambassadors.forms.AcceptInvitationForm",),
    ),
    "digest": FormPage(lambda w: reverse("my_cases:digest"), "resident", ("cases.views.digest.DigestPreferenceForm",)),
    "exchange_import": FormPage(lambda w: lab_url("cases:exchange_import", w), "resident", ("cases.views.exchange.ImportForm",)),
    "entry_create": FormPage(lambda w: case_url("cases:entry_create", w), "resident", ("cases.forms.EntryForm",)),
    "entry_update": FormPage(
        lambda w: lab_url("cases:entry_update", w, slug=w.case.slug, pk=w.entry.pk), "resident", ("cases.forms.EntryForm",)
    ),
    "case_move": FormPage(lambda w: case_url("cases:case_move", w), "resident", ("cases.forms.MoveCaseForm",)),
    "case_propose": FormPage(lambda w: case_url("cases:case_propose", w), "ambassador", ("cases.forms.ProposeStageForm",)),
    "case_create": FormPage(lambda w: lab_url("cases:case_create", w), "resident", ("cases.forms.CaseCreateForm", "cases.forms.CaseForm")),
    "case_edit": FormPage(lambda w: case_url("cases:case_edit", w), "resident", ("cases.forms.CaseEditForm",)),
    "case_team": FormPage(lambda w: case_url("cases:case_team", w), "resident", ("cases.forms.CaseTeamForm",)),
    "gathering_create": FormPage(
        lambda w: reverse("intertransfo:gathering_create", kwargs={"programme_slug": w.programme.slug}), "coordinator",
        ("sessions.views.gatherings.GatheringForm",),
    ),
    "gathering_update": FormPage(lambda w: gathering_url("intertransfo:gathering_update", w), "coordinator", ("sessions.views.gatherings.GatheringForm",)),
    "gathering_agenda_add": FormPage(lambda w: gathering_url("intertransfo:gathering_agenda_add", w), "coordinator", ("sessions.forms.AgendaItemForm",)),
    "gathering_agenda_edit": FormPage(
        lambda w: gathering_url("intertransfo:gathering_agenda_edit", w, pk=w.gathering_item.pk), "coordinator", ("sessions.forms.AgendaItemForm",)
    ),
    "gathering_attendance": FormPage(
        lambda w: gathering_url("intertransfo:gathering_attendance", w, w.past_gathering), "coordinator",
        ("sessions.forms.AttendanceMarksForm",), ("personne", "jour"),
    ),
    "planner": FormPage(
        lambda w: lab_url("calendar:planner", w), "resident",
        ("sessions.views.planner.RhythmSettingsForm", "sessions.views.planner.RowForm"),
    ),
    "session_create": FormPage(lambda w: lab_url("lab_sessions:session_create", w), "resident", ("sessions.forms.SessionForm",)),
    "session_edit": FormPage(lambda w: session_url("lab_sessions:session_edit", w), "resident", ("sessions.forms.SessionForm",)),
    "agenda_add": FormPage(lambda w: session_url("lab_sessions:agenda_add", w), "resident", ("sessions.forms.AgendaItemForm",)),
    "agenda_edit": FormPage(
        lambda w: session_url("lab_sessions:agenda_edit", w, pk=w.agenda_item.pk), "resident", ("sessions.forms.AgendaItemForm",)
    ),
    "agenda_move": FormPage(
        lambda w: session_url("lab_sessions:agenda_move", w, pk=w.agenda_item.pk), "resident", fields=("direction",)
    ),
    "session_answer": FormPage(lambda w: session_url("lab_sessions:session_answer", w), "ambassador", ("sessions.forms.AnswerForm",)),
    "session_answer_for_someone": FormPage(
        lambda w: session_url("lab_sessions:session_answer", w) + f"?personne={w.ambassador.pk}", "resident",
        ("sessions.forms.AnswerForm",), ("personne",),
    ),
    "session_attendance": FormPage(
        lambda w: session_url("lab_sessions:session_attendance", w, w.past_session), "resident",
        ("sessions.forms.AttendanceMarksForm",), ("personne",),
    ),
    "session_minutes": FormPage(
        lambda w: session_url("lab_sessions:session_minutes", w, w.past_session), "resident", ("sessions.forms.MinutesForm",)
    ),
    "session_photo_add": FormPage(lambda w: session_url("lab_sessions:session_photo_add", w), "resident", ("sessions.forms.PhotoForm",)),
    "admin_case": FormPage(lambda w: admin_change("cases.case", w.case.pk), "superuser", ("cases.admin.CaseAdminForm",)),
    "admin_entry": FormPage(
        lambda w: admin_change("cases.progressentry", w.entry.pk), "superuser", ("cases.admin.ProgressEntryAdminForm",)
    ),
    "admin_lab": FormPage(lambda w: admin_change("programmes.lab", w.lab.pk), "superuser", ("programmes.admin.LabAdminForm",)),
    "admin_session": FormPage(lambda w: admin_change("lab_sessions.session", w.session.pk), "superuser", ("sessions.admin.SessionAdminForm",)),
    "admin_agenda_item": FormPage(
        lambda w: admin_change("lab_sessions.agendaitem", w.agenda_item.pk), "superuser", ("sessions.admin.AgendaItemAdminForm",)
    ),
    # allauth's forms, through our single login.
    "login": FormPage(lambda w: reverse("account_login"), "anonymous", ("accounts.lockout.LimitedAuthenticateForm",)),
    # Wagtail's admin, with the forms our documentation gives it (a resident, in their Lab's place).
    "cms_image_add": FormPage(
        lambda w: reverse("wagtailimages:add"), "resident", ("docs.images.PixelsOnlyImageForm", "docs.media_forms.ImageForm")
    ),
    "cms_document_add": FormPage(lambda w: reverse("wagtaildocs:add"), "resident", ("docs.media_forms.DocumentForm",)),
    "cms_page_edit": FormPage(
        lambda w: reverse("wagtailadmin_pages:edit", args=[w.article.pk]), "resident", ("docs.page_forms.DocumentationPageForm",)
    ),
    "login_code": FormPage(lambda w: reverse("account_request_login_code"), "anonymous"),
    "password_reset": FormPage(lambda w: reverse("account_reset_password"), "anonymous"),
}

# Forms read from the address (GET): the page, who may open it, and its parameters besides the form's.
QUERY_PAGES = {
    "documentation": (lambda w: w.documentation.url, "anonymous", ("page",), ("docs.forms.DocumentationFilterForm",)),
    "documentation_search": (lambda w: w.documentation.url + "recherche/", "anonymous", ("page",), ("docs.forms.SearchForm",)),
    "documentation_tag": (lambda w: f"{w.documentation.url}tag/{w.tag}/", "anonymous", ("page",), ()),
    "programme_cases": (lambda w: reverse("programme_cases:case_list"), "coordinator", ("page",), ("cases.forms.CaseFilterForm",)),
    "board": (lambda w: lab_url("cases:board", w), "resident", ("tag", "membre", "activite", "page"), ()),
    "case_detail": (lambda w: w.case.get_absolute_url(), "resident", ("page",), ()),
    "my_cases": (lambda w: reverse("my_cases:my_cases"), "ambassador", ("page",), ()),
    "exchange_export": (lambda w: lab_url("cases:exchange_export_csv", w), "resident", ("kind",), ()),
    "calendar_month": (lambda w: lab_url("calendar:month", w), "resident", ("mois", "annee"), ()),
    "calendar_list": (lambda w: lab_url("calendar:list", w), "resident", ("page", "mois"), ()),
    "calendar_timeline": (lambda w: lab_url("calendar:timeline", w), "resident", ("mois",), ()),
    "lab_feed": (lambda w: lab_url("calendar:lab_feed", w), "anonymous", ("jeton",), ()),
    "agenda_editor": (lambda w: session_url("lab_sessions:agenda_editor", w), "resident", ("focus", "jour"), ()),
    "session_detail": (lambda w: w.session.get_absolute_url(), "resident", ("page", "personne"), ()),
    "session_attendance": (lambda w: session_url("lab_sessions:session_attendance", w, w.past_session), "resident", ("personne",), ()),
    "lab_attendance": (lambda w: lab_url("lab_sessions:lab_attendance", w), "resident", ("tri", "page"), ()),
    "session_answer": (lambda w: session_url("lab_sessions:session_answer", w), "resident", ("personne",), ()),
    "gathering_detail": (lambda w: gathering_url("intertransfo:gathering_detail", w), "coordinator", ("jour", "page"), ()),
    "gathering_attendance": (
        lambda w: gathering_url("intertransfo:gathering_attendance", w, w.past_gathering), "coordinator", ("personne", "jour"), ()
    ),
    "gathering_agenda_add": (lambda w: gathering_url("intertransfo:gathering_agenda_add", w), "coordinator", ("jour",), ()),
    "lab_list": (lambda w: reverse("programmes:lab_list"), "resident", ("page",), ()),
    "opendata": (lambda w: reverse("opendata:index"), "anonymous", ("page",), ()),
    "feed": (lambda w: reverse("opendata:feed_rss"), "anonymous", ("page", "tag", "labo"), ()),
    "login": (lambda w: reverse("account_login"), "anonymous", ("next",), ()),
    "cms_session_chooser": (
        lambda w: reverse("session_chooser:choose_results"), "resident", ("p", "q"), ("docs.choosers.EvidenceSearchForm",)
    ),
}

API_PARAMETERS = (
    "offset", "limit", "fields", "order", "search", "search_operator", "type", "child_of", "descendant_of", "ancestor_of",
    "translation_of", "locale", "id", "title", "slug", "tags", "site", "show_in_menus", "has_children", "format", "_",
)
API_ENDPOINTS = ("/api/v2/pages/", "/api/v2/images/", "/api/v2/documents/", "/api/v2/pages/find/", "/api/v2/images/find/")


# --- Which forms our apps have --------------------------------------------------------------


def our_form_classes():
    """Every form class defined at module level in our apps (views, admin and forms modules alike)."""
    for package_name in OUR_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if any(part in module.name.split(".") for part in ("migrations", "management", "demo", "settings", "wsgi", "postgresql")):
                continue
            importlib.import_module(module.name)
    found, pending = set(), [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        module = sys.modules.get(cls.__module__)
        if cls.__module__.split(".")[0] in OUR_PACKAGES and getattr(module, cls.__name__, None) is cls:
            found.add(f"{cls.__module__}.{cls.__name__}")
    return found


def test_every_form_is_covered():
    covered = {name for page in FORM_PAGES.values() for name in page.forms}
    covered |= {name for *_, names in QUERY_PAGES.values() for name in names}

    assert sorted(our_form_classes() - covered) == []
    assert sorted(covered - our_form_classes()) == []


# --- Reading a page's fields ----------------------------------------------------------------


class FieldNames(HTMLParser):
    """The names of the fields of the page's forms that post to ``path`` (or to themselves)."""

    def __init__(self, path):
        super().__init__()
        self.path, self.inside, self.names = path, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or self.path).path
            self.inside = action == self.path
        elif self.inside and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if attrs.get("type") != "file" and attrs["name"] != "csrfmiddlewaretoken" and attrs["name"] not in self.names:
                self.names.append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_field_names(client, url, form_paths, fields=()):
    names = list(fields)
    response = client.get(url)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser = FieldNames(urlsplit(url).path)
        parser.feed(response.content.decode("utf-8", "replace"))
        names += [name for name in parser.names if name not in names]
    for path in form_paths:
        module_name, class_name = path.rsplit(".", 1)
        for name in getattr(importlib.import_module(module_name), class_name).base_fields:
            if name not in names:
                names.append(name)
    return names


def log_in(client, world, role):
    if role != "anonymous":
        client.force_login(world.people[role])


# --- The guards -----------------------------------------------------------------------------


@pytest.mark.parametrize("page_name", sorted(FORM_PAGES))
def test_hostile_form_posts_never_get_a_server_error(client, world, page_name):
    page = FORM_PAGES[page_name]
    log_in(client, world, page.role)
    url = page.url(world)
    names = form_field_names(client, url, page.forms, page.fields)
    assert names, f"{page_name}: no field found"

    @HYPOTHESIS
    @given(values=st.fixed_dictionaries(strategies_for(names)), htmx=st.booleans())
    @example(values=every_field(names, NUL), htmx=False)
    @example(values=every_field(names, HUGE), htmx=True)
    def post_hostile(values, htmx):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.post(url, encoded(values.items()), content_type="application/x-www-form-urlencoded", **headers)
        assert_no_server_error(response, f"POST {url} {values!r}")

    post_hostile()


@pytest.mark.parametrize("page_name", sorted(QUERY_PAGES))
def test_hostile_query_parameters_never_get_a_server_error(client, world, page_name):
    build_url, role, parameters, form_paths = QUERY_PAGES[page_name]
    log_in(client, world, role)
    url = build_url(world)
    names = list(parameters)
    for path in form_paths:
        module_name, class_name = path.rsplit(".", 1)
        names += [name for name in getattr(importlib.import_module(module_name), class_name).base_fields if name not in names]

    @HYPOTHESIS
    @given(values=st.dictionaries(st.sampled_from(names), hostile_value, min_size=1))
    @example(values=every_field(names, NUL))
    @example(values=every_field(names, HUGE))
    def get_hostile(values):
        response = client.get(f"{url}?{encoded(values.items())}")
        assert_no_server_error(response, f"GET {url} {values!r}")

    get_hostile()


@settings(HYPOTHESIS, max_examples=25)
@given(value=hostile_value)
@example(value=NUL)
@example(value=HUGE)
def test_hostile_path_segments_never_get_a_server_error(client, world, value):
    segment = quote(value, safe="")
    for path in (f"{world.documentation.url}tag/{segment}/", f"/api/v2/pages/{segment}/", f"/labs/{segment}/"):
        assert_no_server_error(client.get(path), f"GET {path}")


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_hostile_api_parameters_never_get_a_server_error(client, world, endpoint):
    @settings(HYPOTHESIS, max_examples=25)
    @given(values=st.dictionaries(st.sampled_from(API_PARAMETERS), hostile_value, min_size=1, max_size=4))
    @example(values=every_field(API_PARAMETERS, NUL))
    @example(values=every_field(API_PARAMETERS, HUGE))
    # Found here once: an unbalanced quote is SQLite's full-text syntax.
    @example(values={"search": '("qa,"'})
    def get_hostile(values):
        response = client.get(f"{endpoint}?{encoded(values.items())}")
        assert_no_server_error(response, f"GET {endpoint} {values!r}")

    get_hostile()
