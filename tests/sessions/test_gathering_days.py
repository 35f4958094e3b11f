"""An InterTransfo's days: its agenda, per-day answers from every Lab, attendance, change mails, reminders."""
import datetime
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from programmes.models import Coordination, LabMembership
from sessions.gatherings import (
    announce_gathering,
    record_gathering_attendance,
    update_gathering,
)
from sessions.invitations import rsvp_token
from sessions.models import AgendaItem, EventStatus, GatheringAttendance, GatheringInvitation
from sessions.reminders import send_due_reminders
from sessions.services import add_agenda_item
from sessions.tasks import send_reminders_task

from ..queries import exactly
from ..factories import (
    make_ambassador,
    make_case,
    make_gathering,
    make_gathering_item,
    make_lab,
    make_programme,
    make_user,
)

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver/"
TODAY = timezone.localdate()
START = TODAY + datetime.timedelta(days=40)
DAY = datetime.timedelta(days=1)
YES, NO, MAYBE, PENDING = (
    GatheringAttendance.Response.YES,
    GatheringAttendance.Response.NO,
    GatheringAttendance.Response.MAYBE,
    GatheringAttendance.Response.PENDING,
)


@pytest.fixture
def world():
    programme = make_programme(
        slug="la-transfo", start_date=TODAY - datetime.timedelta(days=900), end_date=TODAY + datetime.timedelta(days=900)
    )
    lab_a = make_lab(programme=programme, name="La Transfo de Mulhouse")
    lab_b = make_lab(programme=programme, name="La Transfo de Metz")
    coordinator = make_user(email="coordination@test.transfo.example")
    Coordination.objects.create(programme=programme, user=coordinator)
    resident = make_user(email="residente@test.transfo.example", first_name="Rosa")
    LabMembership.objects.create(lab=lab_a, user=resident, role=LabMembership.Role.RESIDENT)
    alex = make_user(email="alex@test.transfo.example", first_name="Alex")
    make_ambassador(lab_a, user=alex, email=alex.email, first_name="Alex")
    sacha = make_user(email="sacha@test.transfo.example", first_name="Sacha")
    make_ambassador(lab_b, user=sacha, email=sacha.email, first_name="Sacha")
    not_joined = make_ambassador(lab_b, email="dominique@test.transfo.example", first_name="Dominique")
    network = make_user(email="relais@test.transfo.example")
    make_ambassador(lab_b, user=network, email=network.email, circle="network")
    gathering = make_gathering(
        programme, title="Faire labo ensemble", start_date=START, end_date=START + DAY,
        place_name="Pavillon de l'Arsenal", host_lab=lab_b,
    )
    return {
        "programme": programme,
        "lab_a": lab_a,
        "lab_b": lab_b,
        "coordinator": coordinator,
        "resident": resident,
        "alex": alex,
        "sacha": sacha,
        "not_joined": not_joined,
        "network": network,
        "gathering": gathering,
    }


INVITED = sorted(
    ["residente@test.transfo.example", "alex@test.transfo.example", "sacha@test.transfo.example", "dominique@test.transfo.example"]
)


def url(name, gathering, **kwargs):
    return reverse(f"intertransfo:{name}", kwargs={"programme_slug": gathering.programme.slug, "number": gathering.number, **kwargs})


def text(response):
    return html.unescape(response.content.decode())


def announce(world):
    announce_gathering(gathering=world["gathering"], announced_by=world["coordinator"], base_url=BASE_URL)
    world["gathering"].refresh_from_db()


def invitation_of_email(email):
    return GatheringInvitation.objects.get(
        pk__in=[invitation.pk for invitation in GatheringInvitation.objects.all() if invitation.email == email]
    )


def answers_of(email):
    return list(invitation_of_email(email).answers.order_by("day").values_list("response", flat=True))


def block_data(**overrides):
    return {
        "day": START.isoformat(),
        "start_time": "14h",
        "end_time": "16h30",
        "title": "Croiser les cas pratiques",
        "kind": AgendaItem.Kind.WORKSHOP,
        "facilitators": "Les résident·es de Metz",
        "description": "",
        **overrides,
    }


# --- Agenda -------------------------------------------------------------------------------


def test_coordinator_adds_a_block_to_a_day_without_javascript(client, world):
    gathering = world["gathering"]
    client.force_login(world["coordinator"])

    response = client.post(url("gathering_agenda_add", gathering), block_data())

    item = AgendaItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("gathering_detail", gathering) + f"#jour-{START.isoformat()}"
    assert (item.gathering, item.session, item.day, item.start_time, item.end_time) == (
        gathering, None, START, datetime.time(14), datetime.time(16, 30),
    )
    page = text(client.get(url("gathering_detail", gathering)))
    assert "Croiser les cas pratiques" in page
    assert "Les résident·es de Metz" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"start_time": "10h", "end_time": "12h"}, "Ce créneau chevauche « "),
        ({"day": (START + 5 * DAY).isoformat()}, "Ce jour ne fait pas partie de l'InterTransfo (du "),
        ({"day": (START - DAY).isoformat()}, "Ce jour ne fait pas partie de l'InterTransfo (du "),
        ({"start_time": "16h", "end_time": "15h"}, "Un temps du programme doit finir après avoir commencé."),
        ({"start_time": "25h"}, "Saisissez une heure, par exemple 9h30 ou 14:00."),
        ({"day": "2031-02-30"}, "Saisissez une date valide."),
        ({"kind": "secret"}, "Sélectionnez un choix valide."),
        ({"title": ""}, "Champ requis."),
    ],
)
def test_gathering_agenda_refuses_bad_input_with_a_message_and_saves_nothing(client, world, overrides, message):
    gathering = world["gathering"]
    existing = make_gathering_item(gathering, start_time=datetime.time(9, 30), end_time=datetime.time(11))
    client.force_login(world["coordinator"])

    response = client.post(url("gathering_agenda_add", gathering), block_data(**overrides))

    assert response.status_code == 400
    assert message in text(response)
    assert "Rien n'a été enregistré" in text(response)
    assert list(AgendaItem.objects.all()) == [existing]


def test_editing_a_block_into_an_overlap_is_refused_and_changes_nothing(client, world):
    gathering = world["gathering"]
    morning = make_gathering_item(gathering, title="Plénière", start_time=datetime.time(9), end_time=datetime.time(10))
    make_gathering_item(gathering, title="Ateliers", start_time=datetime.time(10), end_time=datetime.time(12))
    client.force_login(world["coordinator"])

    response = client.post(
        url("gathering_agenda_edit", gathering, pk=morning.pk), block_data(title="Plénière", start_time="9h", end_time="11h")
    )

    morning.refresh_from_db()
    assert response.status_code == 400
    assert "Ce créneau chevauche « " in text(response)
    assert "Ateliers" in text(response)
    assert morning.end_time == datetime.time(10)


def test_a_block_of_another_gathering_cannot_be_reached_through_this_one(client, world):
    gathering = world["gathering"]
    other = make_gathering(world["programme"], start_date=START + 10 * DAY, end_date=START + 10 * DAY)
    foreign = make_gathering_item(other, title="Ailleurs")
    client.force_login(world["coordinator"])

    answers = [
        client.post(url("gathering_agenda_edit", gathering, pk=foreign.pk), block_data()).status_code,
        client.post(url("gathering_agenda_delete", gathering, pk=foreign.pk)).status_code,
        client.post(url("gathering_agenda_edit", gathering, pk=999999), block_data()).status_code,
    ]

    foreign.refresh_from_db()
    assert answers == [404, 404, 404]
    assert (foreign.title, foreign.gathering) == ("Ailleurs", other)


def test_coordinator_changes_and_removes_a_block(client, world):
    gathering = world["gathering"]
    item = make_gathering_item(gathering, title="Plénière")
    client.force_login(world["coordinator"])

    edited = client.post(
        url("gathering_agenda_edit", gathering, pk=item.pk),
        block_data(day=(START + DAY).isoformat(), title="Plénière de clôture", start_time="16h", end_time="17h"),
    )
    item.refresh_from_db()
    changed = (item.day, item.title, item.start_time)
    removed = client.post(url("gathering_agenda_delete", gathering, pk=item.pk))

    assert (edited.status_code, removed.status_code) == (302, 302)
    assert changed == (START + DAY, "Plénière de clôture", datetime.time(16))
    assert AgendaItem.objects.count() == 0


def test_only_the_coordination_edits_the_agenda(client, world):
    gathering = world["gathering"]
    item = make_gathering_item(gathering)
    client.force_login(world["resident"])

    answers = [
        client.post(url("gathering_agenda_add", gathering), block_data()).status_code,
        client.post(url("gathering_agenda_delete", gathering, pk=item.pk)).status_code,
    ]

    assert answers == [404, 404]
    assert list(AgendaItem.objects.all()) == [item]
    assert "Ajouter un temps" not in text(client.get(url("gathering_detail", gathering)))


def test_a_gathering_block_names_no_case(world):
    case = make_case(world["lab_a"])

    with pytest.raises(ValidationError) as error:
        add_agenda_item(
            gathering=world["gathering"], day=START, start_time=datetime.time(9), end_time=datetime.time(10),
            title="Point cas", case=case,
        )

    assert error.value.message_dict["case"] == ["Un temps d'InterTransfo ne porte pas sur le cas pratique d'un labo."]
    assert AgendaItem.objects.count() == 0


# --- Invitations and answers --------------------------------------------------------------


def test_announcing_invites_every_lab_for_every_day_with_an_answer_link(world):
    announce(world)

    invitations = GatheringInvitation.objects.filter(gathering=world["gathering"])
    assert sorted(invitation.email for invitation in invitations) == INVITED
    assert sorted(GatheringAttendance.objects.values_list("day", "response")) == sorted(
        [(START, PENDING), (START + DAY, PENDING)] * 4
    )
    mail = OutgoingMail.objects.get(to="dominique@test.transfo.example")
    assert url("gathering_detail", world["gathering"]) + "reponse/" in mail.body_text


def test_invited_ambassador_answers_day_by_day_from_the_gathering_page(client, world):
    announce(world)
    client.force_login(world["sacha"])
    gathering = world["gathering"]

    response = client.post(
        url("gathering_answer", gathering), {f"day-{START.isoformat()}": YES, f"day-{(START + DAY).isoformat()}": MAYBE}
    )

    assert response.status_code == 302
    assert response["Location"] == url("gathering_detail", gathering) + "#presence"
    assert answers_of("sacha@test.transfo.example") == [YES, MAYBE]
    page = text(client.get(url("gathering_detail", gathering)))
    assert "1 présent·e" in page and "1 pas sûr·e" in page


def test_resident_answers_from_the_gathering_page_too(client, world):
    announce(world)
    client.force_login(world["resident"])

    client.post(url("gathering_answer", world["gathering"]), {f"day-{(START + DAY).isoformat()}": NO})

    assert answers_of("residente@test.transfo.example") == [PENDING, NO]


def mail_link(email):
    body = OutgoingMail.objects.get(to=email, key__contains="-announce-").body_text
    return re.search(r"http://testserver(/\S+/reponse/\S+/)", body)[1]


def test_mail_link_answers_without_logging_in_and_opening_it_changes_nothing(client, world):
    announce(world)
    link = mail_link("dominique@test.transfo.example")

    opened = client.get(link)
    unchanged = answers_of("dominique@test.transfo.example")
    answered = client.post(link, {f"day-{START.isoformat()}": NO, f"day-{(START + DAY).isoformat()}": YES}, follow=True)

    assert opened.status_code == 200
    assert "Dominique, serez-vous là ?" in text(opened)
    assert unchanged == [PENDING, PENDING]
    assert answers_of("dominique@test.transfo.example") == [NO, YES]
    assert "Merci, votre réponse est enregistrée." in text(answered)


@pytest.mark.parametrize("tamper", [lambda token: token[:-2] + "xx", lambda token: "n-importe-quoi"])
def test_tampered_mail_link_is_refused_with_a_page(client, world, tamper):
    announce(world)
    invitation = invitation_of_email("dominique@test.transfo.example")
    link = url("gathering_rsvp", world["gathering"], token=tamper(rsvp_token(invitation.gathering, invitation)))

    response = client.post(link, {f"day-{START.isoformat()}": YES})

    assert response.status_code == 404
    assert "Ce lien de réponse n'est pas valable." in text(response)
    assert answers_of("dominique@test.transfo.example") == [PENDING, PENDING]


def test_link_of_another_gathering_does_not_answer_this_one(client, world):
    announce(world)
    other = make_gathering(world["programme"], start_date=START + 20 * DAY, end_date=START + 20 * DAY)
    invitation = invitation_of_email("dominique@test.transfo.example")

    response = client.post(url("gathering_rsvp", other, token=rsvp_token(invitation.gathering, invitation)), {})

    assert response.status_code == 404


def test_link_of_a_cancelled_gathering_explains_why(client, world):
    announce(world)
    link = mail_link("dominique@test.transfo.example")
    update_gathering(gathering=world["gathering"], changed_by=world["coordinator"], base_url=BASE_URL, status=EventStatus.CANCELLED)

    response = client.post(link, {f"day-{START.isoformat()}": YES})

    assert response.status_code == 410
    assert "Cette InterTransfo a été annulée" in text(response)
    assert answers_of("dominique@test.transfo.example") == [PENDING, PENDING]


@pytest.mark.parametrize(
    "data, message",
    [
        ({f"day-{START.isoformat()}": "toujours"}, "Sélectionnez un choix valide."),
        ({}, "Choisissez une réponse pour au moins un jour."),
    ],
)
def test_mail_link_with_a_bad_answer_is_refused_and_saves_nothing(client, world, data, message):
    announce(world)

    response = client.post(mail_link("dominique@test.transfo.example"), data)

    assert response.status_code == 400
    assert message in text(response)
    assert answers_of("dominique@test.transfo.example") == [PENDING, PENDING]


def test_someone_not_invited_has_no_answer_page(client, world):
    announce(world)
    client.force_login(world["network"])

    response = client.post(url("gathering_answer", world["gathering"]), {f"day-{START.isoformat()}": YES})

    assert response.status_code == 404
    assert GatheringAttendance.objects.exclude(response=PENDING).count() == 0


@pytest.mark.parametrize("forged", ["abc", "999999", "-1"])
def test_forged_person_id_is_refused(client, world, forged):
    announce(world)
    client.force_login(world["sacha"])
    other = invitation_of_email("alex@test.transfo.example")

    answers = [
        client.post(url("gathering_answer", world["gathering"]), {"personne": forged, f"day-{START.isoformat()}": YES}).status_code,
        client.post(url("gathering_answer", world["gathering"]), {"personne": other.pk, f"day-{START.isoformat()}": YES}).status_code,
    ]

    assert answers == [404, 404]
    assert GatheringAttendance.objects.exclude(response=PENDING).count() == 0


def test_coordinator_answers_for_someone_invited(client, world):
    announce(world)
    client.force_login(world["coordinator"])
    invitation = invitation_of_email("dominique@test.transfo.example")

    response = client.post(
        url("gathering_answer", world["gathering"]), {"personne": invitation.pk, f"day-{START.isoformat()}": YES}
    )

    assert response.status_code == 302
    assert answers_of("dominique@test.transfo.example") == [YES, PENDING]


def test_ambassador_who_joins_after_the_invitation_keeps_it(client, world):
    announce(world)
    joined = make_user(email="dominique@test.transfo.example", first_name="Dominique")
    world["not_joined"].user = joined
    world["not_joined"].save()

    again = announce_gathering(gathering=world["gathering"], announced_by=world["coordinator"], base_url=BASE_URL)
    client.force_login(joined)
    client.post(url("gathering_answer", world["gathering"]), {f"day-{START.isoformat()}": MAYBE})

    assert again == 0
    assert GatheringInvitation.objects.filter(ambassador=world["not_joined"]).count() == 1
    assert answers_of("dominique@test.transfo.example") == [MAYBE, PENDING]


# --- Attendance ---------------------------------------------------------------------------


@pytest.fixture
def past_gathering(world):
    start = TODAY - 10 * DAY
    gathering = make_gathering(world["programme"], start_date=start, end_date=start + DAY)
    announce_gathering(gathering=gathering, announced_by=world["coordinator"], base_url=BASE_URL)
    gathering.refresh_from_db()
    return gathering


def test_coordination_notes_who_came_and_the_gathering_is_held(client, world, past_gathering):
    client.force_login(world["coordinator"])
    alex = past_gathering.invitations.get(user=world["alex"])
    sacha = past_gathering.invitations.get(user=world["sacha"])
    first, second = past_gathering.days

    response = client.post(
        url("gathering_attendance", past_gathering),
        {f"came-{alex.pk}-{first.isoformat()}": "1", f"came-{alex.pk}-{second.isoformat()}": "0",
         f"came-{sacha.pk}-{first.isoformat()}": "1"},
    )

    past_gathering.refresh_from_db()
    assert response.status_code == 302
    assert past_gathering.status == EventStatus.HELD
    assert sorted(
        GatheringAttendance.objects.filter(attended__isnull=False).values_list("invitation_id", "day", "attended")
    ) == sorted([(alex.pk, first, True), (alex.pk, second, False), (sacha.pk, first, True)])


def test_attendance_with_an_unknown_value_is_refused_and_nothing_saved(client, world, past_gathering):
    client.force_login(world["coordinator"])
    alex = past_gathering.invitations.get(user=world["alex"])

    response = client.post(
        url("gathering_attendance", past_gathering), {f"came-{alex.pk}-{past_gathering.start_date.isoformat()}": "peut-être"}
    )

    past_gathering.refresh_from_db()
    assert response.status_code == 400
    assert "Sélectionnez un choix valide." in text(response)
    assert (past_gathering.status, GatheringAttendance.objects.filter(attended__isnull=False).count()) == (
        EventStatus.ANNOUNCED, 0,
    )


def test_attendance_is_not_noted_before_the_gathering(client, world):
    announce(world)
    client.force_login(world["coordinator"])
    alex = invitation_of_email("alex@test.transfo.example")

    response = client.post(url("gathering_attendance", world["gathering"]), {f"came-{alex.pk}-{START.isoformat()}": "1"})

    assert response.status_code == 400
    assert "Les présences se notent à partir du premier jour de l'InterTransfo." in text(response)
    assert GatheringAttendance.objects.filter(attended__isnull=False).count() == 0


def test_attendance_of_someone_invited_elsewhere_is_refused(world, past_gathering):
    announce(world)
    stranger = invitation_of_email_in(world["gathering"], "alex@test.transfo.example")

    with pytest.raises(ValidationError):
        record_gathering_attendance(
            gathering=past_gathering, marks={(stranger.pk, past_gathering.start_date): True}, recorded_by=world["coordinator"]
        )

    assert GatheringAttendance.objects.filter(attended__isnull=False).count() == 0


def invitation_of_email_in(gathering, email):
    return next(invitation for invitation in gathering.invitations.all() if invitation.email == email)


def test_only_the_coordination_notes_attendance(client, world, past_gathering):
    client.force_login(world["resident"])

    assert client.get(url("gathering_attendance", past_gathering)).status_code == 404


# --- A change of date or place ------------------------------------------------------------


def form_data(gathering, **overrides):
    return {
        "title": gathering.title,
        "start_date": gathering.start_date.isoformat(),
        "end_date": gathering.end_date.isoformat(),
        "host_lab": str(gathering.host_lab_id or ""),
        "place_name": gathering.place_name,
        "place_address": gathering.place_address,
        "objectives": gathering.objectives,
        "status": gathering.status,
        **overrides,
    }


def mails(kind):
    return sorted(OutgoingMail.objects.filter(key__contains=f"-{kind}-").values_list("to", flat=True))


def test_new_dates_of_an_announced_gathering_mail_each_invited_person_once(client, world):
    announce(world)
    gathering = world["gathering"]
    client.force_login(world["coordinator"])
    moved = {"start_date": (START + DAY).isoformat(), "end_date": (START + 2 * DAY).isoformat()}

    first = client.post(url("gathering_update", gathering), form_data(gathering, **moved))
    second = client.post(url("gathering_update", gathering), form_data(gathering, **moved, title="Même dates"))

    assert (first.status_code, second.status_code) == (302, 302)
    assert mails("change") == INVITED
    change = OutgoingMail.objects.filter(key__contains="-change-").first()
    assert change.subject.startswith("Changement : InterTransfo n° 1")
    assert "/reponse/" in change.body_text
    # The day it still has keeps its answers; the new day is asked again.
    assert sorted(set(GatheringAttendance.objects.values_list("day", flat=True))) == [START + DAY, START + 2 * DAY]


def test_a_new_place_mails_each_invited_person_once_and_a_repeat_save_nothing(world):
    announce(world)

    for _ in range(2):
        update_gathering(
            gathering=world["gathering"], changed_by=world["coordinator"], base_url=BASE_URL,
            place_name="Hôtel de ville de Metz", place_address="1 place d'Armes, 57000 Metz",
        )

    assert mails("change") == INVITED
    assert OutgoingMail.objects.filter(key__contains="-change-", body_text__contains="1 place d'Armes").count() == 4


def test_changing_a_draft_gathering_mails_nobody(world):
    update_gathering(
        gathering=world["gathering"], changed_by=world["coordinator"], base_url=BASE_URL, start_date=START + DAY,
        end_date=START + DAY,
    )

    assert OutgoingMail.objects.count() == 0


def test_cancelling_an_announced_gathering_mails_each_invited_person_once(world):
    announce(world)

    for _ in range(2):
        update_gathering(gathering=world["gathering"], changed_by=world["coordinator"], base_url=BASE_URL, status=EventStatus.CANCELLED)

    assert mails("cancel") == INVITED


# --- Reminders ----------------------------------------------------------------------------


def reminded(label):
    return sorted(OutgoingMail.objects.filter(key__contains=f"-reminder-{label}-").values_list("to", flat=True))


def test_gathering_reminders_a_week_and_a_day_before_go_out_exactly_once(world):
    announce(world)
    invitation_of_email("sacha@test.transfo.example").answers.update(response=NO)
    invitation_of_email("alex@test.transfo.example").answers.filter(day=START).update(response=NO)
    still_coming = sorted(set(INVITED) - {"sacha@test.transfo.example"})

    week = [send_due_reminders(today=START - 7 * DAY) for _ in range(2)]
    later_in_window = send_due_reminders(today=START - 6 * DAY)
    day_before = [send_due_reminders(today=START - DAY) for _ in range(2)]

    assert week == [3, 0]
    assert later_in_window == 0
    assert day_before == [3, 0]
    assert reminded("7d") == still_coming
    assert reminded("1d") == still_coming
    reminder = OutgoingMail.objects.get(to="alex@test.transfo.example", key__contains="-reminder-1d-")
    assert reminder.subject.startswith("Demain : InterTransfo n° 1")
    assert "/reponse/" in reminder.body_text


def test_hourly_task_reminds_of_gatherings_once_however_often_it_runs(world):
    soon = TODAY + 7 * DAY
    update_gathering(gathering=world["gathering"], changed_by=world["coordinator"], base_url=BASE_URL, start_date=soon, end_date=soon)
    announce(world)

    runs = [send_reminders_task.apply().get() for _ in range(2)]

    assert runs == [4, 0]
    assert reminded("7d") == INVITED


def test_a_moved_gathering_is_reminded_on_its_new_dates(world):
    announce(world)
    moved = START + 14 * DAY
    update_gathering(gathering=world["gathering"], changed_by=world["coordinator"], base_url=BASE_URL, start_date=moved, end_date=moved)

    assert send_due_reminders(today=START - DAY) == 0
    assert send_due_reminders(today=moved - DAY) == 4


# --- Cost of the page ---------------------------------------------------------------------


def page_queries(client, user, gathering):
    client.force_login(user)
    # A first visit warms what the site keeps for a while (the header's lists).
    client.get(url("gathering_detail", gathering))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("gathering_detail", gathering))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("reader", ["coordinator", "sacha"])
def test_gathering_page_query_count_does_not_grow_with_blocks_or_people(client, world, reader):
    gathering = world["gathering"]
    make_gathering_item(gathering)
    announce(world)
    few = page_queries(client, world[reader], gathering)

    for hour in range(12, 14):
        make_gathering_item(gathering, day=START + DAY, start_time=datetime.time(hour), end_time=datetime.time(hour, 45))
    for index in range(15):
        make_ambassador(world["lab_a"] if index % 2 else world["lab_b"], user=make_user())
    LabMembership.objects.create(lab=world["lab_b"], user=make_user(), role=LabMembership.Role.HOST)
    announce_gathering(gathering=gathering, announced_by=world["coordinator"], base_url=BASE_URL)
    GatheringAttendance.objects.filter(day=START).update(response=YES, attended=None)
    many = page_queries(client, world[reader], gathering)

    assert GatheringInvitation.objects.count() == 20
    assert few == many == {"coordinator": exactly(9), "sacha": exactly(11)}[reader]


def test_answer_links_mailed_before_the_single_salt_still_work(client, world):
    """InterTransfo links were once signed with a salt of their own: those already mailed still answer."""
    from django.core import signing

    announce(world)
    invitation = invitation_of_email("dominique@test.transfo.example")
    former = signing.dumps({"g": world["gathering"].pk, "i": invitation.pk}, salt="sessions.gathering-rsvp")

    response = client.get(url("gathering_rsvp", world["gathering"], token=former))

    assert response.status_code == 200
    assert signing.loads(rsvp_token(world["gathering"], invitation), salt="sessions.rsvp") == {
        "g": world["gathering"].pk,
        "i": invitation.pk,
    }


def test_a_session_link_does_not_answer_an_intertransfo(client, world):
    """Both kinds now share one salt: what a link names still keeps each to its own kind."""
    from django.core import signing

    announce(world)
    invitation = invitation_of_email("dominique@test.transfo.example")
    session_like = signing.dumps({"s": world["gathering"].pk, "a": invitation.pk}, salt="sessions.rsvp")

    response = client.get(url("gathering_rsvp", world["gathering"], token=session_like))

    assert response.status_code == 404
