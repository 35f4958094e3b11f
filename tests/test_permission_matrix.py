"""Every page of the platform × every role × every kind of item answers what DESIGN.md §2 says.

The URL patterns are read from the URL configuration: a page of one of our apps that is missing
from ``MATRIX`` fails the test, so no page can be added without deciding who may open it. Each
view of our packages declares the permission it needs (``permission_required``, a name of
``common.permissions``) or is listed in ``UNDECLARED_VIEWS`` with the reason why not.
"""
import io

import pytest
from PIL import Image
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Attachment
from common.permissions import is_registered
from programmes.models import Coordination, LabMembership, Visibility
from sessions.gatherings import announce_gathering
from sessions.models import Gathering, SessionPhoto
from sessions.invitations import rsvp_token

from .factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_entry,
    make_gathering_item,
    make_lab,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

OUR_NAMESPACES = {"programmes", "lab_sessions", "cases", "my_cases", "ambassadors", "accounts", "calendar", "calendar_feeds", "intertransfo", "programme_cases", "docs", "espace", "lab_dashboard", "programme_board"}
ROLES = ["anonymous", "ambassador_a", "ambassador_b", "resident_a", "coordinator", "editor", "superuser"]
ITEMS = ["item_a", "item_b", "shared", "public"]

LOGIN = "login"  # a redirect to the login page
OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405
SENT_ON = 302  # a lasting address that sends its reader on to the page holding the item


def _names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace in OUR_NAMESPACES and pattern.name:
            yield f"{namespace}:{pattern.name}"


def our_url_names():
    return sorted(set(_names(get_resolver().url_patterns)))


def sent_on(expected):
    """``expected`` for an address that redirects where the page it stands for would answer 200."""
    return {role: {item: SENT_ON if status == OK else status for item, status in statuses.items()} for role, statuses in expected.items()}


def same_for_every_item(expected_by_role):
    return {role: {item: status for item in ITEMS} for role, status in expected_by_role.items()}


# Who may read a Lab item: its own Lab, the programme for shared items, everyone for public ones.
ITEM_READERS = {
    "anonymous": {"item_a": LOGIN, "item_b": LOGIN, "shared": LOGIN, "public": OK},
    "ambassador_a": {"item_a": OK, "item_b": NOT_FOUND, "shared": OK, "public": OK},
    "ambassador_b": {"item_a": NOT_FOUND, "item_b": OK, "shared": OK, "public": OK},
    "resident_a": {"item_a": OK, "item_b": NOT_FOUND, "shared": OK, "public": OK},
    "coordinator": {"item_a": OK, "item_b": OK, "shared": OK, "public": OK},
    "editor": {"item_a": NOT_FOUND, "item_b": NOT_FOUND, "shared": NOT_FOUND, "public": OK},
    "superuser": {"item_a": OK, "item_b": OK, "shared": OK, "public": OK},
}


def lab_of(world, item):
    return world["lab_a"] if item == "item_a" else world["lab_b"]


def session_url(name, world, item, **kwargs):
    session = world["sessions"][item]
    return reverse(f"lab_sessions:{name}", kwargs={"lab_slug": session.lab.slug, "number": session.number, **kwargs})


def lab_sessions_url(name, world, item):
    return reverse(f"lab_sessions:{name}", kwargs={"lab_slug": lab_of(world, item).slug})


def agenda_item_of(world, item):
    return make_agenda_item(world["sessions"][item]).pk


def photo_of(world, item):
    photo = SessionPhoto(session=world["sessions"][item])
    photo.image.save("matrice.png", ContentFile(tiny_png()), save=True)
    return photo.pk


def rsvp_token_of(world, item):
    session = world["sessions"][item]
    return rsvp_token(session, session.lab.ambassadors.order_by("pk").first())


def calendar_url(name, world, item):
    return reverse(f"calendar:{name}", kwargs={"lab_slug": lab_of(world, item).slug})


def gathering_url(name, world, item):
    """A gathering of the world's programme (both Labs share it), made on first use."""
    programme = world["lab_a"].programme
    gathering, _ = Gathering.objects.get_or_create(
        programme=programme, number=1,
        defaults={"start_date": world["lab_a"].start_date, "end_date": world["lab_a"].start_date},
    )
    return reverse(f"intertransfo:{name}", kwargs={"programme_slug": programme.slug, "number": gathering.number})


def gathering_item_url(name, world, item):
    """A block of the agenda of the world's gathering, made on first use."""
    gathering_url("gathering_detail", world, item)
    gathering = Gathering.objects.get(programme=world["lab_a"].programme, number=1)
    block = gathering.agenda_items.first() or make_gathering_item(gathering)
    return reverse(f"intertransfo:{name}", kwargs={"programme_slug": gathering.programme.slug, "number": 1, "pk": block.pk})


def invited_gathering(world):
    """The world's gathering, announced: every Lab's residents and ambassadors are invited."""
    gathering_url("gathering_detail", world, None)
    gathering = Gathering.objects.select_related("programme").get(programme=world["lab_a"].programme, number=1)
    if gathering.status != "announced":
        announce_gathering(gathering=gathering, announced_by=world["people"]["coordinator"], base_url="http://testserver/")
    return gathering


def gathering_rsvp_url(world, item):
    gathering = invited_gathering(world)
    token = rsvp_token(gathering, gathering.invitations.order_by("pk").first())
    return reverse("intertransfo:gathering_rsvp", kwargs={"programme_slug": gathering.programme.slug, "number": 1, "token": token})


def ambassadors_url(name, world, item, **kwargs):
    return reverse(f"ambassadors:{name}", kwargs={"lab_slug": lab_of(world, item).slug, **kwargs})


def photo_of_person(world, item):
    """An ambassador of the item's Lab with a photo; only the public item's has consented to show it."""
    ambassador = make_ambassador(lab_of(world, item), public_consent=item == "public")
    ambassador.photo.save("matrice.png", ContentFile(tiny_png()), save=True)
    return reverse("ambassadors:photo", kwargs={"pk": ambassador.pk})


def first_person_of(world, item):
    return lab_of(world, item).ambassadors.order_by("pk").first().pk


def case_url(world, item, name):
    case = world["cases"][item]
    return reverse(f"cases:{name}", kwargs={"lab_slug": case.lab.slug, "slug": case.slug})


def entry_url(world, item, name):
    entry = world["entries"][item]
    return reverse(f"cases:{name}", kwargs={"lab_slug": entry.case.lab.slug, "slug": entry.case.slug, "pk": entry.pk})


def attachment_url(world, item, name):
    attachment = world["attachments"][item]
    case = attachment.entry.case
    return reverse(f"cases:{name}", kwargs={"lab_slug": case.lab.slug, "slug": case.slug, "pk": attachment.pk})


# Writing on a case, moving it: those who run its Lab; the others may not even learn it exists.
RUNS_THE_ITEMS_LAB = {
    "anonymous": {item: LOGIN for item in ITEMS},
    "ambassador_a": {item: NOT_FOUND for item in ITEMS},
    "ambassador_b": {item: NOT_FOUND for item in ITEMS},
    "resident_a": {"item_a": OK, "item_b": NOT_FOUND, "shared": NOT_FOUND, "public": NOT_FOUND},
    "coordinator": {item: OK for item in ITEMS},
    "editor": {item: NOT_FOUND for item in ITEMS},
    "superuser": {item: OK for item in ITEMS},
}

# A Lab's working pages: its own people, its coordination, the admins.
PEOPLE_OF_THE_LAB = {
    "anonymous": {item: LOGIN for item in ITEMS},
    "ambassador_a": {"item_a": OK, "item_b": NOT_FOUND, "shared": NOT_FOUND, "public": NOT_FOUND},
    "ambassador_b": {"item_a": NOT_FOUND, "item_b": OK, "shared": OK, "public": OK},
    "resident_a": {"item_a": OK, "item_b": NOT_FOUND, "shared": NOT_FOUND, "public": NOT_FOUND},
    "coordinator": {item: OK for item in ITEMS},
    "editor": {item: NOT_FOUND for item in ITEMS},
    "superuser": {item: OK for item in ITEMS},
}

# Who may open a Lab's page: its people, and those of the other Labs of its programme.
LAB_PAGE_READERS = same_for_every_item(
    {"anonymous": LOGIN, "ambassador_a": OK, "ambassador_b": OK, "resident_a": OK, "coordinator": OK,
     "editor": NOT_FOUND, "superuser": OK}
)


# The programme's board: its coordination, the residents of its Labs, the admins.
BOARD_READERS = same_for_every_item(
    {"anonymous": LOGIN, "ambassador_a": NOT_FOUND, "ambassador_b": NOT_FOUND, "resident_a": OK, "coordinator": OK,
     "editor": NOT_FOUND, "superuser": OK}
)


def programme_planners(status):
    """Pages that plan a programme's InterTransfo: its coordination and the admins."""
    return same_for_every_item(
        {"anonymous": LOGIN, "ambassador_a": NOT_FOUND, "ambassador_b": NOT_FOUND, "resident_a": NOT_FOUND,
         "coordinator": status, "editor": NOT_FOUND, "superuser": status}
    )


def lab_runners_only(runner_status):
    """Pages that change a Lab's people: its other members get 403, everyone else 404."""
    return {
        role: {
            item: (
                runner_status if status == OK and role in ("resident_a", "coordinator", "superuser")
                else FORBIDDEN if status == OK else status
            )
            for item, status in by_item.items()
        }
        for role, by_item in PEOPLE_OF_THE_LAB.items()
    }


# Without htmx, these send those who may use them back to the session page.
RUNNERS_SENT_BACK = {
    role: {item: 302 if status == OK else status for item, status in by_item.items()}
    for role, by_item in RUNS_THE_ITEMS_LAB.items()
}

# Answering for oneself: the Lab's own ambassadors, on the sessions they may read.
OWN_ANSWER = {
    "anonymous": {item: LOGIN for item in ITEMS},
    "ambassador_a": {"item_a": OK, "item_b": NOT_FOUND, "shared": NOT_FOUND, "public": NOT_FOUND},
    "ambassador_b": {"item_a": NOT_FOUND, "item_b": OK, "shared": OK, "public": OK},
    **{role: {item: NOT_FOUND for item in ITEMS} for role in ("resident_a", "coordinator", "editor", "superuser")},
}

EVERY_LOGGED_IN_PERSON = same_for_every_item({"anonymous": LOGIN, **{role: OK for role in ROLES[1:]}})

# Drafting a public page from a session or a case: POST only, so a GET by those who run the Lab answers 405.
DRAFTERS = {
    role: {item: NOT_ALLOWED if status == OK else status for item, status in by_item.items()}
    for role, by_item in RUNS_THE_ITEMS_LAB.items()
}


def draft_status_url(world, item):
    """The status page of the world's session's drafted report, drafted on first use."""
    from docs.drafting import draft_session_report

    page = draft_session_report(session=world["sessions"][item], drafted_by=world["people"]["superuser"])
    return reverse("docs:draft_status", kwargs={"lab_slug": page.lab.slug, "page_id": page.pk})

# url name → (how to build its URL for an item, expected status by role and item)
MATRIX = {
    "docs:session_draft": (lambda w, i: reverse("docs:session_draft", kwargs={
        "lab_slug": w["sessions"][i].lab.slug, "number": w["sessions"][i].number}), DRAFTERS),
    "docs:case_draft": (lambda w, i: reverse("docs:case_draft", kwargs={
        "lab_slug": w["cases"][i].lab.slug, "slug": w["cases"][i].slug}), DRAFTERS),
    "docs:draft_status": (draft_status_url, RUNS_THE_ITEMS_LAB),
    "programmes:lab_list": (lambda world, item: reverse("programmes:lab_list"), EVERY_LOGGED_IN_PERSON),
    "programmes:lab_detail": (lambda world, item: lab_of(world, item).get_absolute_url(), LAB_PAGE_READERS),
    "calendar:month": (lambda world, item: calendar_url("month", world, item), LAB_PAGE_READERS),
    "calendar:timeline": (lambda world, item: calendar_url("timeline", world, item), LAB_PAGE_READERS),
    "calendar:list": (lambda world, item: calendar_url("list", world, item), LAB_PAGE_READERS),
    "calendar:lab_feed": (lambda world, item: calendar_url("lab_feed", world, item), LAB_PAGE_READERS),
    "calendar:planner": (lambda world, item: calendar_url("planner", world, item), RUNS_THE_ITEMS_LAB),
    "calendar_feeds:subscription": (lambda world, item: reverse("calendar_feeds:subscription"), EVERY_LOGGED_IN_PERSON),
    # An unknown token answers 404 to everyone (a real one: tests/sessions/test_ical.py).
    "calendar_feeds:personal": (
        lambda world, item: reverse("calendar_feeds:personal", kwargs={"token": "inconnu"}),
        same_for_every_item({role: NOT_FOUND for role in ROLES}),
    ),
    # The InterTransfo of a programme: everyone of it reads them, its coordination plans them.
    "intertransfo:gathering_index": (lambda world, item: reverse("intertransfo:gathering_index"), EVERY_LOGGED_IN_PERSON),
    "intertransfo:gathering_list": (
        lambda world, item: reverse("intertransfo:gathering_list", kwargs={"programme_slug": world["lab_a"].programme.slug}),
        LAB_PAGE_READERS,
    ),
    "intertransfo:gathering_create": (
        lambda world, item: reverse("intertransfo:gathering_create", kwargs={"programme_slug": world["lab_a"].programme.slug}),
        programme_planners(OK),
    ),
    "intertransfo:gathering_detail": (lambda world, item: gathering_url("gathering_detail", world, item), LAB_PAGE_READERS),
    "intertransfo:gathering_update": (lambda world, item: gathering_url("gathering_update", world, item), programme_planners(OK)),
    # POST only: a GET by those who may use it answers 405.
    "intertransfo:gathering_announce": (
        lambda world, item: gathering_url("gathering_announce", world, item), programme_planners(NOT_ALLOWED)
    ),
    "intertransfo:gathering_agenda_add": (lambda w, i: gathering_url("gathering_agenda_add", w, i), programme_planners(OK)),
    "intertransfo:gathering_agenda_edit": (lambda w, i: gathering_item_url("gathering_agenda_edit", w, i), programme_planners(OK)),
    "intertransfo:gathering_agenda_delete": (
        lambda w, i: gathering_item_url("gathering_agenda_delete", w, i), programme_planners(OK)
    ),
    "intertransfo:gathering_attendance": (lambda w, i: gathering_url("gathering_attendance", w, i), programme_planners(OK)),
    # One's own answer: those invited (every Lab's residents and ambassadors), nobody else.
    "intertransfo:gathering_answer": (
        lambda w, i: invited_gathering(w) and gathering_url("gathering_answer", w, i),
        same_for_every_item(
            {"anonymous": LOGIN, "ambassador_a": OK, "ambassador_b": OK, "resident_a": OK, "coordinator": NOT_FOUND,
             "editor": NOT_FOUND, "superuser": NOT_FOUND}
        ),
    ),
    # No login needed; the world's gathering is in 2016, so the link says it has expired.
    "intertransfo:gathering_rsvp": (gathering_rsvp_url, same_for_every_item({role: 410 for role in ROLES})),
    "cases:case_detail": (lambda world, item: world["cases"][item].get_absolute_url(), ITEM_READERS),
    "cases:board": (lambda world, item: reverse("cases:board", kwargs={"lab_slug": lab_of(world, item).slug}), PEOPLE_OF_THE_LAB),
    "cases:entry_create": (lambda world, item: case_url(world, item, "entry_create"), RUNS_THE_ITEMS_LAB),
    "cases:entry_link": (lambda world, item: entry_url(world, item, "entry_link"), sent_on(ITEM_READERS)),
    "cases:entry_update": (lambda world, item: entry_url(world, item, "entry_update"), RUNS_THE_ITEMS_LAB),
    "cases:entry_delete": (lambda world, item: entry_url(world, item, "entry_delete"), RUNS_THE_ITEMS_LAB),
    "cases:case_move": (lambda world, item: case_url(world, item, "case_move"), RUNS_THE_ITEMS_LAB),
    # Opening a case, editing it and its team: those who run the Lab.
    "cases:case_create": (
        lambda world, item: reverse("cases:case_create", kwargs={"lab_slug": lab_of(world, item).slug}), RUNS_THE_ITEMS_LAB
    ),
    "cases:case_edit": (lambda world, item: case_url(world, item, "case_edit"), RUNS_THE_ITEMS_LAB),
    "cases:case_team": (lambda world, item: case_url(world, item, "case_team"), RUNS_THE_ITEMS_LAB),
    # Proposing a stage is for ambassadors of the case's team, and nobody here is in a team.
    "cases:case_propose": (
        lambda world, item: case_url(world, item, "case_propose"),
        same_for_every_item({"anonymous": LOGIN, **{role: NOT_FOUND for role in ROLES[1:]}}),
    ),
    "cases:attachment": (lambda world, item: attachment_url(world, item, "attachment"), ITEM_READERS),
    "cases:attachment_thumbnail": (lambda world, item: attachment_url(world, item, "attachment_thumbnail"), ITEM_READERS),
    # A Lab's whole data, out and in: those who run it; on the import page its other members get
    # 403, everyone else 404; the exports answer 404 to all who do not run it, as its other pages.
    "cases:exchange_import": (
        lambda world, item: reverse("cases:exchange_import", kwargs={"lab_slug": lab_of(world, item).slug}), lab_runners_only(OK)
    ),
    "cases:exchange_export_csv": (
        lambda world, item: reverse("cases:exchange_export_csv", kwargs={"lab_slug": lab_of(world, item).slug}), RUNS_THE_ITEMS_LAB
    ),
    "cases:exchange_export_json": (
        lambda world, item: reverse("cases:exchange_export_json", kwargs={"lab_slug": lab_of(world, item).slug}), RUNS_THE_ITEMS_LAB
    ),
    # A Lab's dashboard and its tables: those who run the Lab and its coordination, not its ambassadors.
    "lab_dashboard:dashboard": (
        lambda world, item: reverse("lab_dashboard:dashboard", kwargs={"lab_slug": lab_of(world, item).slug}), RUNS_THE_ITEMS_LAB
    ),
    "lab_dashboard:csv": (
        lambda world, item: reverse("lab_dashboard:csv", kwargs={"lab_slug": lab_of(world, item).slug, "table": "etapes"}),
        RUNS_THE_ITEMS_LAB,
    ),
    "ambassadors:lab_ambassadors": (lambda world, item: ambassadors_url("lab_ambassadors", world, item), PEOPLE_OF_THE_LAB),
    "ambassadors:invite": (lambda world, item: ambassadors_url("invite", world, item), lab_runners_only(OK)),
    "ambassadors:import": (lambda world, item: ambassadors_url("import", world, item), lab_runners_only(OK)),
    # POST only: a GET by those who may use it answers 405.
    "ambassadors:resend_invitation": (
        lambda world, item: ambassadors_url("resend_invitation", world, item, pk=first_person_of(world, item)),
        lab_runners_only(NOT_ALLOWED),
    ),
    # An unknown link answers 404 to everyone (a real link is personal: tests/ambassadors/test_views.py).
    "ambassadors:accept_invitation": (
        lambda world, item: reverse("ambassadors:accept_invitation", kwargs={"token": "inconnu"}),
        same_for_every_item({role: NOT_FOUND for role in ROLES}),
    ),
    # A person's photo: public with their consent, otherwise for themself and the administration.
    "ambassadors:photo": (
        photo_of_person,
        {
            role: {"item_a": NOT_FOUND, "item_b": NOT_FOUND, "shared": NOT_FOUND, "public": OK}
            for role in ROLES if role != "superuser"
        } | {"superuser": {item: OK for item in ITEMS}},
    ),
    # The programme's board (figures of every Lab, no names): its coordination and its Labs'
    # residents; ambassadors and everyone else are told it does not exist.
    "programme_board:board": (lambda w, i: reverse("programme_board:board", kwargs={"programme_slug": w["lab_a"].programme.slug}), BOARD_READERS),
    "programme_board:board_csv": (
        lambda w, i: reverse("programme_board:board_csv", kwargs={"programme_slug": w["lab_a"].programme.slug}), BOARD_READERS
    ),
    "my_cases:my_cases": (lambda world, item: reverse("my_cases:my_cases"), EVERY_LOGGED_IN_PERSON),
    "espace:espace": (lambda world, item: reverse("espace:espace"), EVERY_LOGGED_IN_PERSON),
    "my_cases:digest": (lambda world, item: reverse("my_cases:digest"), EVERY_LOGGED_IN_PERSON),
    # Lists only what each may read (tests/cases/test_programme_list.py); public cases are in the documentation.
    "programme_cases:case_list": (lambda world, item: reverse("programme_cases:case_list"), EVERY_LOGGED_IN_PERSON),
    # One's own account: every logged-in person, nobody else.
    "accounts:profile": (lambda world, item: reverse("accounts:profile"), EVERY_LOGGED_IN_PERSON),
    "accounts:export": (lambda world, item: reverse("accounts:export"), EVERY_LOGGED_IN_PERSON),
    "accounts:erase": (lambda world, item: reverse("accounts:erase"), EVERY_LOGGED_IN_PERSON),
    "accounts:erased": (lambda world, item: reverse("accounts:erased"), same_for_every_item({role: OK for role in ROLES})),
    "lab_sessions:session_detail": (lambda world, item: world["sessions"][item].get_absolute_url(), ITEM_READERS),
    "lab_sessions:session_create": (lambda w, i: lab_sessions_url("session_create", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:lab_attendance": (lambda w, i: lab_sessions_url("lab_attendance", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:session_edit": (lambda w, i: session_url("session_edit", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:session_announce": (lambda w, i: session_url("session_announce", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:session_cancel": (lambda w, i: session_url("session_cancel", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:session_attendance": (lambda w, i: session_url("session_attendance", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:session_minutes": (lambda w, i: session_url("session_minutes", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:session_photo_add": (lambda w, i: session_url("session_photo_add", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:session_photo_delete": (
        lambda w, i: session_url("session_photo_delete", w, i, pk=photo_of(w, i)), RUNS_THE_ITEMS_LAB
    ),
    "lab_sessions:agenda_add": (lambda w, i: session_url("agenda_add", w, i), RUNS_THE_ITEMS_LAB),
    "lab_sessions:agenda_edit": (lambda w, i: session_url("agenda_edit", w, i, pk=agenda_item_of(w, i)), RUNS_THE_ITEMS_LAB),
    "lab_sessions:agenda_delete": (
        lambda w, i: session_url("agenda_delete", w, i, pk=agenda_item_of(w, i)), RUNS_THE_ITEMS_LAB
    ),
    "lab_sessions:agenda_editor": (lambda w, i: session_url("agenda_editor", w, i), RUNNERS_SENT_BACK),
    "lab_sessions:agenda_move": (lambda w, i: session_url("agenda_move", w, i, pk=agenda_item_of(w, i)), RUNNERS_SENT_BACK),
    "lab_sessions:agenda_print": (lambda w, i: session_url("agenda_print", w, i), ITEM_READERS),
    "lab_sessions:session_photo": (lambda w, i: session_url("session_photo", w, i, pk=photo_of(w, i)), ITEM_READERS),
    "lab_sessions:session_answer": (lambda w, i: session_url("session_answer", w, i), OWN_ANSWER),
    # No login needed; the world's sessions are in 2016, so the link says it has expired.
    "lab_sessions:session_rsvp": (
        lambda w, i: session_url("session_rsvp", w, i, token=rsvp_token_of(w, i)),
        same_for_every_item({role: 410 for role in ROLES}),
    ),
}


@pytest.fixture
def world():
    return build_world()


def build_world():
    """Two Labs of a programme, a person per role, and each kind of item in each placement of ITEMS."""
    programme = make_programme()
    lab_a, lab_b = make_lab(programme=programme), make_lab(programme=programme)
    people = {role: make_user(email=f"{role}@matrix.transfo.example") for role in ROLES[1:]}
    for user in people.values():
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    make_ambassador(lab_a, user=people["ambassador_a"])
    make_ambassador(lab_b, user=people["ambassador_b"])
    LabMembership.objects.create(lab=lab_a, user=people["resident_a"], role=LabMembership.Role.RESIDENT)
    Coordination.objects.create(programme=programme, user=people["coordinator"])
    editors, _ = Group.objects.get_or_create(name="Editors")
    people["editor"].groups.add(editors)
    people["superuser"].is_superuser = people["superuser"].is_staff = True
    people["superuser"].save()
    placement = {"item_a": (lab_a, Visibility.LAB), "item_b": (lab_b, Visibility.LAB),
                 "shared": (lab_b, Visibility.PROGRAMME), "public": (lab_b, Visibility.PUBLIC)}
    cases = {item: make_case(lab, visibility=visibility) for item, (lab, visibility) in placement.items()}
    sessions = {}
    for offset, (item, (lab, visibility)) in enumerate(placement.items()):
        start = lab.start_date.replace(day=1 + 4 * offset)
        sessions[item] = make_session(lab, visibility=visibility, start_date=start, end_date=start)
    entries = {item: make_entry(case, author=people["superuser"]) for item, case in cases.items()}
    attachments = {
        item: Attachment.objects.create(entry=entry, kind=Attachment.Kind.PHOTO, file=ContentFile(tiny_png(), name="photo.png"))
        for item, entry in entries.items()
    }
    return {"lab_a": lab_a, "lab_b": lab_b, "people": people, "cases": cases, "sessions": sessions,
            "entries": entries, "attachments": attachments}


def tiny_png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


# The packages of the project (tests/test_floors.py); a view defined in one of them is ours.
OUR_PACKAGES = {"common", "programmes", "outbox", "ambassadors", "sessions", "cases", "docs", "accounts", "espace", "transfo", "bench", "faults"}
WAGTAIL_ADMIN = "in the Wagtail admin (cms/): Wagtail's own permissions let in, the view narrows what it lists"
# Views of ours that declare no permission, each with why: what decides instead.
UNDECLARED_VIEWS = {
    "accounts.views.LoginView": "the login page itself",
    "accounts.views.LogoutView": "logging out, of oneself",
    "transfo.pwa.manifest": "the app's manifest: names no one",
    "transfo.pwa.service_worker": "the service worker's script: the same for everyone, names no one",
    "accounts.views.ErasureDoneView": "shown once logged out; it names nobody",
    "ambassadors.views.AcceptInvitationView": "the invitation link's secret token decides",
    "sessions.views.attendance.RsvpView": "the answer link's signed token decides",
    "sessions.views.feeds.PersonalFeedView": "the feed's secret address decides",
    "sessions.views.feeds.LabFeedView": "the feed's secret address, or the login, decides who reads; what they read is visible_to",
    "common.media.public_media": "public uploads only (Wagtail's images); private files go through their own views",
    "docs.sitemaps.robots_txt": "public",
    "docs.feeds.DocumentationFeed": "public documentation: live pages only",
    "docs.feeds.DocumentationAtomFeed": "public documentation: live pages only",
    "docs.feeds.LabFeed": "public documentation: live pages only",
    "docs.feeds.LabAtomFeed": "public documentation: live pages only",
    "docs.opendata.OpenDataView": "open data: public items only",
    "docs.opendata.OpenDataDownloadView": "open data: public items only",
    "docs.opendata.DcatCatalogueView": "open data: describes the public bundle, names no page",
    "docs.api.PublicPagesAPIViewSet": "public API: live pages only",
    "docs.api.PublicImagesAPIViewSet": "public API: public images only",
    "docs.api.PublicDocumentsAPIViewSet": "public API: public documents only",
    "docs.admin_guards._guarded.<locals>.view": WAGTAIL_ADMIN,
    "docs.choosers.ChooseView": WAGTAIL_ADMIN,
    "docs.choosers.ChooseResultsView": WAGTAIL_ADMIN,
    "docs.choosers.ChosenView": WAGTAIL_ADMIN,
    "docs.choosers.ChosenMultipleView": WAGTAIL_ADMIN,
    "docs.wagtail_hooks._media_user_may_choose.<locals>.Narrowed": WAGTAIL_ADMIN,
    "sessions.views.gathering_attendance.GatheringRsvpView": "the answer link's signed token decides",
    "outbox.views.UnsubscribeView": "the unsubscribe link's signed token decides (mail clients post it without a login)",
}


def _callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def our_views():
    """``{dotted name: view}`` for every view of the URLconf defined in one of our packages."""
    views = {}
    for callback in _callbacks(get_resolver().url_patterns):
        # A class-based view, a REST framework viewset, a feed object, or a plain function.
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
        if not hasattr(view, "__qualname__"):
            view = type(view)
        if view.__module__.split(".")[0] in OUR_PACKAGES:
            views[f"{view.__module__}.{view.__qualname__}"] = view
    return views


def test_every_view_of_ours_declares_a_registered_permission_or_says_why_not():
    views = our_views()
    undeclared = {name for name, view in views.items() if not getattr(view, "permission_required", None)}
    unknown = {
        name: view.permission_required for name, view in views.items() if name not in undeclared and not is_registered(view.permission_required)
    }
    assert undeclared - UNDECLARED_VIEWS.keys() == set(), "declare permission_required, or list the view with a reason"
    assert unknown == {}, "these permissions are registered nowhere (common.permissions.register in the app's rules.py)"
    # The list stays true: a view that now declares its permission, or is gone, leaves it.
    assert UNDECLARED_VIEWS.keys() - undeclared == set()


def test_every_page_of_our_apps_is_in_the_matrix():
    assert our_url_names() == sorted(MATRIX)


@pytest.mark.parametrize("url_name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_page_answers_what_the_role_may_see(client, world, url_name, role):
    build_url, expected = MATRIX[url_name]
    if role != "anonymous":
        client.force_login(world["people"][role])

    answers = {}
    for item in ITEMS:
        response = client.get(build_url(world, item))
        redirected_to_login = response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        answers[item] = LOGIN if redirected_to_login else response.status_code

    assert answers == expected[role]
