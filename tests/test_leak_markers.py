"""Guard: nothing a reader may not see reaches them, by any door.

The permission matrix's world (two Labs of a programme, a person per role, each kind of item in
each placement) is built once, and every text of every item carries a marker of its own: titles,
problems, minutes, agenda blocks and their facilitators, journal entries, captions and file names,
tags, stage notes, the names of the people without consent, an InterTransfo of the programme and
the items of another programme. Then, for every role, every address of the URLconf
(``tests.guards.platform_urls``: pages, printable agendas, RSS/Atom and iCalendar feeds, exports,
the API, the open data), every mail the platform sends them (session notices and reminders, the
InterTransfo invitation, the digest, a stage proposal) and, for the public, the static archive
are read; one assertion lists every marker a role read that it may not read, with where.

A marker nobody reads at all would prove nothing: the test also checks that each one reaches at
least one of the roles allowed to read it.
"""
import datetime
import io
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.digest import choose_frequency, send_due_digests
from cases.models import Attachment, Case, StageChange
from cases.services import propose_stage
from docs.archive import ZipWriter, SiteArchiver
from docs.drafting import draft_session_report
from .docs.pages import make_lab_page
from docs.opendata import write_bundle
from outbox.models import OutgoingMail
from programmes.models import LabMembership, Visibility
from sessions.ical import feed_token_of
from sessions.models import Gathering, SessionPhoto
from sessions.reminders import send_due_reminders
from sessions.services import announce_session

from .factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_gathering_item,
    make_lab,
    make_programme,
    make_session,
    make_user,
)
from .guards import platform_urls, response_text, zip_texts
from .test_permission_matrix import ROLES, build_world, tiny_png

pytestmark = pytest.mark.django_db

# Who may read what each marker is put in.
READERS = {
    "lab_a": {"ambassador_a", "resident_a", "coordinator", "superuser"},
    "lab_b": {"ambassador_b", "coordinator", "superuser"},
    "programme": {"ambassador_a", "ambassador_b", "resident_a", "coordinator", "superuser"},
    "other_programme": {"superuser"},
}
# The matrix's placements: item_a is Lab A's only, item_b Lab B's only, shared is Lab B's shared
# with the programme, public is Lab B's public item (its texts are anyone's; the names in them are not).
SCOPE_OF_ITEM = {"item_a": "lab_a", "item_b": "lab_b", "shared": "programme", "public": None}
LAB_OF_ITEM = {"item_a": "lab_a", "item_b": "lab_b", "shared": "lab_b", "public": "lab_b"}


class Markers:
    """Unique strings, each with the roles allowed to read it."""

    def __init__(self):
        self.readers = {}
        # Markers no page shows even to those allowed (a stored file's name, say): they only
        # catch a door that would show them.
        self.hidden = set()

    def __call__(self, scope, what, *, shown=True):
        """A marker for ``what`` readable in ``scope``; plain words when anyone may read it."""
        if scope is None:
            return f"texte public {what}"
        marker = f"Mq{scope.replace('_', '')}{what}Qz"
        assert marker not in self.readers, marker
        self.readers[marker] = READERS[scope]
        if not shown:
            self.hidden.add(marker)
        return marker

    def name(self, scope, what):
        """A last name: a marker that reads as a name (a capital, then letters)."""
        return self(scope, what)

    def forbidden_for(self, role):
        return [marker for marker, readers in self.readers.items() if role not in readers]


def add_people(world, markers):
    """People of each Lab without consent (their last names are markers of their Lab), and one with."""
    people = {}
    for key, lab_key in (("a", "lab_a"), ("b", "lab_b")):
        lab = world[lab_key]
        people[lab_key] = {
            "ambassador": make_ambassador(
                lab, first_name="Ombeline", last_name=markers.name(lab_key, "AmbassadorName"), metier="Archiviste"
            ),
            "relais": make_ambassador(
                lab, first_name="Gaspard", last_name=markers.name(lab_key, "RelaisName"), circle="network"
            ),
            "resident": LabMembership.objects.create(
                lab=lab, role=LabMembership.Role.RESIDENT,
                user=make_user(first_name="Théophraste", last_name=markers.name(lab_key, "ResidentName")),
            ).user,
            "host": LabMembership.objects.create(
                lab=lab, role=LabMembership.Role.HOST,
                user=make_user(first_name="Capucine", last_name=markers.name(lab_key, "HostName")),
            ).user,
            "named": make_ambassador(lab, first_name="Clémence", last_name=f"Publiqueta{key}", public_consent=True),
        }
    return people


def mention(people):
    """Free text naming the Lab's people, as minutes and journals do."""
    return (
        f"avec {people['ambassador'].full_name}, {people['resident'].get_full_name()} et "
        f"{people['host'].last_name} ; {people['named'].full_name} aussi"
    )


def mark_items(world, markers, people):
    """Every text of every item of the world, marked; the names of its Lab's people in its free text."""
    for item in SCOPE_OF_ITEM:
        scope, lab_people = SCOPE_OF_ITEM[item], people[LAB_OF_ITEM[item]]
        mark = lambda what, shown=True: markers(scope, f"{item.replace('_', '')}{what}", shown=shown)  # noqa: E731
        case = world["cases"][item]
        case.title = mark("CaseTitle")
        case.problem_statement = f"{mark('CaseProblem')} {mention(lab_people)}"
        case.sponsoring_service = mark("CaseSponsor")
        case.lessons = f"{mark('CaseLessons')} {mention(lab_people)}"
        case.site_address = mark("CaseSite")
        case.save()
        case.tags.add(mark("CaseTag"))
        case.team.add(lab_people["ambassador"], lab_people["named"])
        StageChange.objects.create(
            case=case, from_stage="cadrage", to_stage="enquete", changed_by=lab_people["resident"],
            note=f"{mark('StageNote')} {mention(lab_people)}",
        )
        entry = world["entries"][item]
        entry.done = f"{mark('EntryDone')} {mention(lab_people)}"
        entry.learnt = f"{mark('EntryLearnt')} {mention(lab_people)}"
        entry.next_steps = mark("EntryNext")
        entry.blockers = mark("EntryBlockers")
        entry.author = lab_people["resident"]
        entry.save()
        attachment = world["attachments"][item]
        attachment.caption = f"{mark('AttachmentCaption')} {mention(lab_people)}"
        attachment.file.save(f"{mark('AttachmentFile', shown=False)}.png", ContentFile(tiny_png()), save=False)
        attachment.save()
        # A file without caption downloads under its own name.
        Attachment.objects.create(
            entry=entry, kind=Attachment.Kind.FILE, file=ContentFile(b"%PDF-1.4", name=f"{mark('FileName')}.pdf")
        )
        session = world["sessions"][item]
        session.title = mark("SessionTitle")
        session.objectives = f"{mark('SessionObjectives')} {mention(lab_people)}"
        session.minutes = f"{mark('SessionMinutes')} {mention(lab_people)}"
        session.place_name = mark("SessionPlace")
        session.place_address = mark("SessionAddress")
        session.save()
        session.cases.add(case)
        photo = SessionPhoto(session=session, caption=f"{mark('PhotoCaption')} {mention(lab_people)}")
        photo.image.save(f"{mark('PhotoFile', shown=False)}.png", ContentFile(tiny_png()), save=True)
        make_agenda_item(
            session, title=mark("BlockTitle"), description=f"{mark('BlockDescription')} {mention(lab_people)}",
            facilitators=f"{lab_people['resident'].get_full_name()}, {lab_people['named'].full_name} et {lab_people['host'].get_full_name()}",
            case=case,
        )
    # A public and a shared session work on Lab B's Lab-only case, and the public one on the shared case:
    # their agenda must not name a case to whoever may not open it.
    for item, case_item, hour in (("public", "item_b", 14), ("shared", "item_b", 14), ("public", "shared", 16)):
        make_agenda_item(
            world["sessions"][item], title="Point cas", case=world["cases"][case_item],
            start_time=datetime.time(hour), end_time=datetime.time(hour, 45),
        )


def mark_gatherings(world, markers, people):
    """The programme's InterTransfo (its people read it) and another programme's (nobody here may)."""
    programme = world["lab_a"].programme
    gathering = Gathering.objects.create(
        programme=programme, number=1, start_date=world["lab_a"].start_date, end_date=world["lab_a"].start_date,
        title=markers("programme", "GatheringTitle"), objectives=markers("programme", "GatheringObjectives"),
        minutes=markers("programme", "GatheringMinutes"), place_name=markers("programme", "GatheringPlace"),
    )
    # Led by a resident of Lab B without consent: the other Labs read a first name and a role.
    make_gathering_item(
        gathering, title=markers("programme", "GatheringBlock"),
        description=markers("programme", "GatheringBlockDescription"),
        facilitators=people["lab_b"]["resident"].get_full_name(),
    )
    other = make_programme()
    lab = make_lab(programme=other)
    world["lab_other"] = lab
    other_gathering = Gathering.objects.create(
        programme=other, number=1, start_date=lab.start_date, end_date=lab.start_date,
        title=markers("other_programme", "GatheringTitle"), objectives=markers("other_programme", "GatheringObjectives"),
    )
    make_gathering_item(
        other_gathering, title=markers("other_programme", "GatheringBlock", shown=False),
        facilitators=markers("other_programme", "GatheringFacilitator", shown=False),
    )
    make_case(lab, title=markers("other_programme", "CaseTitle"), visibility=Visibility.PROGRAMME)
    make_session(lab, title=markers("other_programme", "SessionTitle", shown=False), visibility=Visibility.PROGRAMME)


def publish_documentation(world):
    """What the public reads about Lab B: its page, and the report drafted from its public session."""
    lab = world["lab_b"]
    make_lab_page(lab)
    report = draft_session_report(session=world["sessions"]["public"], drafted_by=world["people"]["superuser"])
    report.get_latest_revision().publish()
    write_bundle()


def build_marked_world():
    markers = Markers()
    world = build_world()
    people = add_people(world, markers)
    mark_items(world, markers, people)
    mark_gatherings(world, markers, people)
    publish_documentation(world)
    return world, markers, people


def attachment_urls():
    """Every file of every journal, not only the one per item the matrix builds."""
    return [
        reverse("cases:attachment", kwargs={"lab_slug": file.entry.case.lab.slug, "slug": file.entry.case.slug, "pk": file.pk})
        for file in Attachment.objects.select_related("entry__case__lab").order_by("pk")
    ]


def read_as(client, role, urls, world):
    """{url: everything the role reads there}."""
    if role != "anonymous":
        client.force_login(world["people"][role])
        token = feed_token_of(user=world["people"][role]).token
        urls = [*urls, f"/calendrier/{token}.ics"]
    return {url: response_text(client.get(url)) for url in urls}


def send_every_mail(world, people):
    """Queue what the platform mails about the world: notices, reminders, digests, a proposal."""
    for session in world["sessions"].values():
        announce_session(session=session, base_url="http://testserver/", today=session.start_date - datetime.timedelta(days=20))
        for days in (7, 1):
            send_due_reminders(today=session.start_date - datetime.timedelta(days=days), base_url="http://testserver/")
    choose_frequency(user=world["people"]["coordinator"], frequency="daily")
    send_due_digests(now=timezone.now() + datetime.timedelta(days=1, hours=8), base_url="http://testserver/")
    for item in ("item_a", "item_b", "shared"):
        case = Case.objects.get(pk=world["cases"][item].pk)
        proposer = people[LAB_OF_ITEM[item]]["ambassador"]
        propose_stage(
            case=case, to_stage="ideation", note=f"Proposé {mention(people[LAB_OF_ITEM[item]])}",
            proposed_by=make_user(first_name=proposer.first_name, last_name=proposer.last_name),
            case_url=f"http://testserver{case.get_absolute_url()}",
        )


def mails_by_role(world):
    """{role: [mail text, …]} for the mails sent to the people of the roles (account or Lab row)."""
    role_of = {user.email.lower(): role for role, user in world["people"].items()}
    for role, user in world["people"].items():
        for row in user.ambassadorships.all():
            role_of[row.email.lower()] = role
    mails = defaultdict(list)
    for mail in OutgoingMail.objects.order_by("pk"):
        role = role_of.get(mail.to.lower())
        if role:
            mails[role].append(f"{mail.subject}\n{mail.body_text}\n{mail.body_html}")
    return mails


def archive_texts(tmp_path):
    path = tmp_path / "archive.zip"
    writer = ZipWriter(path)
    try:
        SiteArchiver(base_url="http://testserver").archive(writer)
    finally:
        writer.close()
    return zip_texts(path.read_bytes())


def test_no_role_reads_a_marker_it_may_not_read_anywhere(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world, markers, people = build_marked_world()
        urls, uncovered = platform_urls(world)
        urls += attachment_urls()
        send_every_mail(world, people)
    assert uncovered == [], f"pages that take parameters the guards cannot fill: {uncovered} (add them to the matrix)"

    leaks, seen = [], set()

    def check(role, where, text):
        for marker in markers.readers:
            if marker in text:
                if role in markers.readers[marker]:
                    seen.add(marker)
                else:
                    leaks.append(f"{role} reads {marker} in {where}")

    for role in ROLES:
        for url, text in read_as(Client(), role, urls, world).items():
            check(role, url, text)
    for role, texts in mails_by_role(world).items():
        for text in texts:
            check(role, "a mail: " + text.splitlines()[0], text)
    for text in archive_texts(tmp_path):
        check("anonymous", "the static archive", text)

    assert leaks == [], "\n".join(leaks)
    unseen = sorted(set(markers.readers) - markers.hidden - seen)
    assert unseen == [], f"markers no allowed reader reads anywhere (the world is wrong): {unseen}"
