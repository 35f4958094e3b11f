"""InterTransfo: the coordination plans them, every Lab's people are invited once, everyone sees them."""
import datetime

import pytest
from django.urls import reverse

from outbox.models import OutgoingMail
from programmes.models import Coordination, LabMembership
from sessions.gatherings import announce_gathering, plan_gathering
from sessions.models import EventStatus, Gathering

from ..factories import (
    make_ambassador,
    make_gathering,
    make_lab,
    make_programme,
    make_user,
)

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver/"


@pytest.fixture
def world():
    programme = make_programme(slug="la-transfo", name="La Transfo 2016–2020")
    lab_a = make_lab(programme=programme, name="La Transfo de Mulhouse")
    lab_b = make_lab(programme=programme, name="La Transfo de Metz")
    coordinator = make_user(email="coordination@test.transfo.example")
    Coordination.objects.create(programme=programme, user=coordinator)
    resident_a = make_user(email="residente.a@test.transfo.example")
    LabMembership.objects.create(lab=lab_a, user=resident_a, role=LabMembership.Role.RESIDENT)
    ambassador_a = make_user(email="ambassadeur.a@test.transfo.example")
    make_ambassador(lab_a, user=ambassador_a, email=ambassador_a.email)
    ambassador_b = make_user(email="ambassadrice.b@test.transfo.example")
    make_ambassador(lab_b, user=ambassador_b, email=ambassador_b.email)
    not_joined = make_ambassador(lab_b, email="pas.encore@test.transfo.example")
    make_ambassador(lab_b, email="relais@test.transfo.example", circle="network")
    make_ambassador(lab_b, email="parti@test.transfo.example", is_active=False)
    outsider = make_user()
    make_ambassador(make_lab(), user=outsider)
    return {
        "programme": programme,
        "lab_a": lab_a,
        "lab_b": lab_b,
        "coordinator": coordinator,
        "resident_a": resident_a,
        "ambassador_a": ambassador_a,
        "ambassador_b": ambassador_b,
        "not_joined": not_joined,
        "outsider": outsider,
        "superuser": make_user(is_superuser=True, is_staff=True),
    }


def form_data(**overrides):
    return {
        "title": "Faire labo ensemble",
        "start_date": "2017-06-19",
        "end_date": "2017-06-20",
        "host_lab": "",
        "place_name": "Pavillon de l'Arsenal",
        "place_address": "21 boulevard Morland, 75004 Paris",
        "objectives": "Croiser les cas pratiques.",
        "status": EventStatus.DRAFT,
        **overrides,
    }


def create_url(programme):
    return reverse("intertransfo:gathering_create", kwargs={"programme_slug": programme.slug})


# --- Planning --------------------------------------------------------------------------------


def test_coordinator_plans_a_gathering_hosted_by_a_lab_of_the_programme(client, world):
    client.force_login(world["coordinator"])

    response = client.post(create_url(world["programme"]), form_data(host_lab=str(world["lab_b"].pk)))

    gathering = Gathering.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "intertransfo:gathering_detail", kwargs={"programme_slug": "la-transfo", "number": 1}
    )
    assert (gathering.number, gathering.host_lab, gathering.status) == (1, world["lab_b"], EventStatus.DRAFT)
    assert OutgoingMail.objects.count() == 0


def test_gatherings_are_numbered_one_after_the_other_in_their_programme(client, world):
    make_gathering(world["programme"], number=1)
    make_gathering(make_programme(), number=7)
    client.force_login(world["coordinator"])

    client.post(create_url(world["programme"]), form_data())

    assert list(Gathering.objects.filter(programme=world["programme"]).values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"end_date": "2017-06-18"}, "Le dernier jour ne peut pas précéder le premier."),
        ({"end_date": "2017-06-22"}, "Une session ou une InterTransfo dure au plus 3 jours consécutifs."),
        ({"start_date": "2025-01-06", "end_date": "2025-01-07"}, "L&#x27;InterTransfo doit avoir lieu pendant le programme"),
        ({"start_date": "pas une date"}, "Saisissez une date valide."),
        ({"status": "secret"}, "Sélectionnez un choix valide."),
    ],
)
def test_gathering_form_refuses_bad_input_with_a_message_and_saves_nothing(client, world, overrides, message):
    client.force_login(world["coordinator"])

    response = client.post(create_url(world["programme"]), form_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Gathering.objects.count() == 0


def test_gathering_form_refuses_a_host_lab_of_another_programme(client, world):
    foreign_lab = make_lab()
    client.force_login(world["coordinator"])

    response = client.post(create_url(world["programme"]), form_data(host_lab=str(foreign_lab.pk)))

    assert response.status_code == 400
    assert len(response.context["form"].errors["host_lab"]) == 1
    assert Gathering.objects.count() == 0


def test_coordinator_changes_a_gathering(client, world):
    gathering = make_gathering(world["programme"], start_date=datetime.date(2017, 6, 19))
    client.force_login(world["coordinator"])

    response = client.post(
        reverse("intertransfo:gathering_update", kwargs={"programme_slug": "la-transfo", "number": gathering.number}),
        form_data(start_date="2017-06-26", end_date="2017-06-28"),
    )

    gathering.refresh_from_db()
    assert response.status_code == 302
    assert (gathering.start_date, gathering.end_date) == (datetime.date(2017, 6, 26), datetime.date(2017, 6, 28))


# --- Announcing ------------------------------------------------------------------------------


def invited_addresses():
    return sorted(OutgoingMail.objects.values_list("to", flat=True))


EVERYONE = [
    "ambassadeur.a@test.transfo.example",
    "ambassadrice.b@test.transfo.example",
    "pas.encore@test.transfo.example",
    "residente.a@test.transfo.example",
]


def test_announcing_invites_every_lab_people_once_each(client, world, django_capture_on_commit_callbacks):
    gathering = make_gathering(world["programme"], title="Faire labo ensemble", host_lab=world["lab_b"])
    client.force_login(world["coordinator"])
    announce = reverse("intertransfo:gathering_announce", kwargs={"programme_slug": "la-transfo", "number": gathering.number})

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(announce)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(announce, follow=True)

    gathering.refresh_from_db()
    keys = set(OutgoingMail.objects.values_list("key", flat=True))
    assert (first.status_code, gathering.status) == (302, EventStatus.ANNOUNCED)
    assert invited_addresses() == EVERYONE
    assert keys == {
        f"gathering-{gathering.pk}-announce-user-{world['resident_a'].pk}",
        f"gathering-{gathering.pk}-announce-user-{world['ambassador_a'].pk}",
        f"gathering-{gathering.pk}-announce-user-{world['ambassador_b'].pk}",
        f"gathering-{gathering.pk}-announce-ambassador-{world['not_joined'].pk}",
    }
    assert "aucun nouvel envoi" in second.content.decode()


def test_announcement_mail_says_when_where_and_links_to_the_gathering(world):
    gathering = make_gathering(
        world["programme"], title="Faire labo ensemble", host_lab=world["lab_b"],
        start_date=datetime.date(2017, 6, 19), end_date=datetime.date(2017, 6, 20),
        place_name="Pavillon de l'Arsenal",
    )

    announce_gathering(gathering=gathering, announced_by=world["coordinator"], base_url=BASE_URL)

    mail = OutgoingMail.objects.get(to="pas.encore@test.transfo.example")
    assert mail.subject == "InterTransfo n° 1 : Faire labo ensemble, le 19 juin 2017"
    assert "Du 19 juin 2017 au 20 juin 2017" in mail.body_text
    assert "Accueillie par La Transfo de Metz" in mail.body_text
    assert "Pavillon de l'Arsenal" in mail.body_text
    assert "http://testserver/calendrier/intertransfo/la-transfo/1/" in mail.body_text


def test_announcing_again_invites_only_the_newcomers(world):
    gathering = make_gathering(world["programme"])
    announce_gathering(gathering=gathering, announced_by=world["coordinator"], base_url=BASE_URL)
    make_ambassador(world["lab_a"], email="nouvelle@test.transfo.example")

    queued = announce_gathering(gathering=gathering, announced_by=world["coordinator"], base_url=BASE_URL)

    assert queued == 1
    assert invited_addresses() == sorted([*EVERYONE, "nouvelle@test.transfo.example"])


def test_creating_a_gathering_already_announced_invites_everyone(world):
    plan_gathering(
        programme=world["programme"],
        planned_by=world["coordinator"],
        base_url=BASE_URL,
        start_date=datetime.date(2017, 6, 19),
        end_date=datetime.date(2017, 6, 19),
        status=EventStatus.ANNOUNCED,
    )

    assert invited_addresses() == EVERYONE


@pytest.mark.parametrize(
    "status, message",
    [
        (EventStatus.CANCELLED, "Une InterTransfo annulée ne peut pas être annoncée."),
        (EventStatus.HELD, "Cette InterTransfo a déjà eu lieu : il n&#x27;y a plus personne à inviter."),
    ],
)
def test_a_cancelled_or_held_gathering_cannot_be_announced(client, world, status, message):
    gathering = make_gathering(world["programme"], status=status)
    client.force_login(world["coordinator"])

    response = client.post(
        reverse("intertransfo:gathering_announce", kwargs={"programme_slug": "la-transfo", "number": gathering.number}),
        follow=True,
    )

    gathering.refresh_from_db()
    assert message in response.content.decode()
    assert (gathering.status, OutgoingMail.objects.count()) == (status, 0)


# --- Who may see and plan --------------------------------------------------------------------

READ = {"coordinator": 200, "superuser": 200, "resident_a": 200, "ambassador_a": 200, "ambassador_b": 200, "outsider": 404}
PLAN = {"coordinator": 200, "superuser": 200, "resident_a": 404, "ambassador_a": 404, "ambassador_b": 404, "outsider": 404}


@pytest.mark.parametrize("role", sorted(READ))
def test_gathering_pages_open_to_everyone_of_the_programme(client, world, role):
    gathering = make_gathering(world["programme"])
    client.force_login(world[role])

    answers = [
        client.get(reverse("intertransfo:gathering_list", kwargs={"programme_slug": "la-transfo"})).status_code,
        client.get(
            reverse("intertransfo:gathering_detail", kwargs={"programme_slug": "la-transfo", "number": gathering.number})
        ).status_code,
    ]

    assert answers == [READ[role], READ[role]]


@pytest.mark.parametrize("role", sorted(PLAN))
def test_gathering_planning_opens_only_to_the_coordination(client, world, role):
    gathering = make_gathering(world["programme"])
    client.force_login(world[role])
    slug, number = "la-transfo", gathering.number

    answers = [
        client.get(create_url(world["programme"])).status_code,
        client.get(reverse("intertransfo:gathering_update", kwargs={"programme_slug": slug, "number": number})).status_code,
        client.post(reverse("intertransfo:gathering_announce", kwargs={"programme_slug": slug, "number": number})).status_code,
    ]

    expected_announce = 302 if PLAN[role] == 200 else 404
    assert answers == [PLAN[role], PLAN[role], expected_announce]


def test_someone_who_may_not_plan_creates_nothing(client, world):
    client.force_login(world["resident_a"])

    response = client.post(create_url(world["programme"]), form_data(status=EventStatus.ANNOUNCED))

    assert response.status_code == 404
    assert (Gathering.objects.count(), OutgoingMail.objects.count()) == (0, 0)


def test_gathering_pages_send_an_anonymous_visitor_to_the_login(client, world):
    response = client.get(reverse("intertransfo:gathering_index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_gathering_index_lists_only_my_programmes(client, world):
    mine = make_gathering(world["programme"], title="La nôtre")
    make_gathering(make_programme(), title="Celle des autres")
    client.force_login(world["ambassador_b"])

    response = client.get(reverse("intertransfo:gathering_index"))

    listed = [gathering for entry in response.context["programmes"] for gathering, _ in entry["gatherings"]]
    assert listed == [mine]
    assert [entry["may_plan"] for entry in response.context["programmes"]] == [False]


def test_gathering_of_an_unknown_number_answers_404(client, world):
    client.force_login(world["coordinator"])

    assert client.get(
        reverse("intertransfo:gathering_detail", kwargs={"programme_slug": "la-transfo", "number": 99})
    ).status_code == 404
