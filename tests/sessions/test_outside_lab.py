"""A session read from outside its Lab: Lab-only cases unnamed, people named only with consent."""
import datetime

import pytest
from django.urls import reverse

from programmes.models import Visibility

from ..queries import exactly
from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_lab,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2016, 9, 12)


def url(name, session):
    return reverse(f"lab_sessions:{name}", kwargs={"lab_slug": session.lab.slug, "number": session.number})


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def people(lab):
    return {
        "shy_resident": make_resident(lab, user=make_user(first_name="Philomène", last_name="Grandjouan")).user,
        "named_resident": make_resident(
            lab, user=make_user(first_name="Aristide", last_name="Bellecombe"), public_consent=True
        ).user,
        "shy_ambassador": make_ambassador(lab, first_name="Eulalie", last_name="Kervadoc", metier="Archiviste"),
    }


def public_session(lab, **overrides):
    return make_session(lab, visibility=Visibility.PUBLIC, start_date=MONDAY, end_date=MONDAY, **overrides)


def other_lab_ambassador(lab):
    user = make_user()
    make_ambassador(make_lab(programme=lab.programme), user=user)
    return user


def test_printable_agenda_does_not_name_a_lab_only_case_to_another_lab_or_the_public(client, lab):
    session = make_session(lab, visibility=Visibility.PROGRAMME, start_date=MONDAY, end_date=MONDAY)
    public = public_session(lab, number=session.number + 1)
    hidden = make_case(lab, title="Refonte confidentielle du guichet", visibility=Visibility.LAB)
    for event in (session, public):
        make_agenda_item(event, title="Point cas", case=hidden)

    anonymous = client.get(url("agenda_print", public)).content.decode()
    client.force_login(other_lab_ambassador(lab))
    shared_print = client.get(url("agenda_print", session)).content.decode()
    public_print = client.get(url("agenda_print", public)).content.decode()

    assert "Point cas" in anonymous and "Point cas" in shared_print and "Point cas" in public_print
    assert "Refonte confidentielle" not in anonymous + shared_print + public_print


def test_printable_agenda_names_a_case_to_those_who_may_open_it(client, lab):
    session = public_session(lab)
    make_agenda_item(session, title="Point cas", case=make_case(lab, title="Accueil en mairie", visibility=Visibility.LAB))
    make_agenda_item(
        session, title="Visite", start_time=datetime.time(14), end_time=datetime.time(15),
        case=make_case(lab, title="Jardins partagés", visibility=Visibility.PUBLIC),
    )
    member = make_user()
    make_ambassador(lab, user=member)

    anonymous = client.get(url("agenda_print", session)).content.decode()
    client.force_login(member)
    as_member = client.get(url("agenda_print", session)).content.decode()

    assert "Jardins partagés" in anonymous and "Accueil en mairie" not in anonymous
    assert "Jardins partagés" in as_member and "Accueil en mairie" in as_member


@pytest.mark.parametrize("page", ["session_detail", "agenda_print"])
def test_public_session_names_people_without_consent_by_first_name_and_role(client, lab, people, page):
    session = public_session(
        lab,
        title="Immersion avec Eulalie Kervadoc",
        minutes="Philomène Grandjouan a mené la visite ; Kervadoc a pris les notes.",
    )
    make_agenda_item(
        session, title="Atelier", facilitators="Philomène Grandjouan, Aristide Bellecombe et Marcel Inconnu",
        description="Avec Grandjouan et l'équipe.",
    )

    html = client.get(url(page, session)).content.decode()

    assert "Grandjouan" not in html and "Kervadoc" not in html and "Marcel Inconnu" not in html
    assert "Philomène (Résident·e)" in html
    assert "Aristide Bellecombe" in html
    assert "1 intervenant·e" in html
    if page == "session_detail":
        assert "Eulalie (Archiviste)" in html
        assert "Philomène (Résident·e) a mené la visite" in html


@pytest.mark.parametrize("page", ["session_detail", "agenda_print"])
def test_shared_session_names_people_only_with_consent_to_another_lab(client, lab, people, page):
    session = make_session(lab, visibility=Visibility.PROGRAMME, start_date=MONDAY, end_date=MONDAY)
    make_agenda_item(session, title="Atelier", facilitators="Philomène Grandjouan")
    client.force_login(other_lab_ambassador(lab))

    html = client.get(url(page, session)).content.decode()

    assert "Grandjouan" not in html
    assert "Philomène (Résident·e)" in html


@pytest.mark.parametrize("page", ["session_detail", "agenda_print"])
def test_lab_people_read_every_name_as_written(client, lab, people, page):
    session = public_session(lab)
    make_agenda_item(session, title="Atelier", facilitators="Philomène Grandjouan et Marcel Inconnu")
    member = make_user()
    make_ambassador(lab, user=member)
    client.force_login(member)

    html = client.get(url(page, session)).content.decode()

    assert "Philomène Grandjouan et Marcel Inconnu" in html


def test_a_coordinator_of_the_programme_is_named_by_role_on_a_public_session(client, lab):
    from programmes.models import Coordination

    coordinator = make_user(first_name="Séraphin", last_name="Duclouet")
    Coordination.objects.create(programme=lab.programme, user=coordinator)
    session = public_session(lab)
    make_agenda_item(session, title="Ouverture", facilitators="Séraphin Duclouet")

    html = client.get(url("session_detail", session)).content.decode()

    assert "Duclouet" not in html
    assert "Séraphin (coordination du programme)" in html


def test_a_resident_of_another_lab_of_the_programme_is_known_too(client, lab):
    other = make_lab(programme=lab.programme)
    make_resident(other, user=make_user(first_name="Honorine", last_name="Vasseliot"))
    session = public_session(lab)
    make_agenda_item(session, title="Regards croisés", facilitators="Honorine Vasseliot")

    html = client.get(url("agenda_print", session)).content.decode()

    assert "Vasseliot" not in html
    assert "Honorine (Résident·e)" in html


def test_an_intertransfo_names_the_programmes_people_only_with_consent_to_its_guests(client, lab, people):
    from outbox.models import OutgoingMail
    from programmes.models import Coordination
    from sessions.gatherings import announce_gathering, gathering_url

    from ..factories import make_gathering, make_gathering_item

    coordinator = make_user()
    Coordination.objects.create(programme=lab.programme, user=coordinator)
    gathering = make_gathering(lab.programme, start_date=datetime.date.today() + datetime.timedelta(days=30))
    make_gathering_item(gathering, title="Plénière", facilitators="Philomène Grandjouan et Aristide Bellecombe")
    guest = make_user()
    make_ambassador(lab, user=guest, email=guest.email)
    announce_gathering(gathering=gathering, announced_by=coordinator, base_url="http://testserver/")

    client.force_login(guest)
    page = client.get(gathering_url(gathering)).content.decode()
    client.force_login(coordinator)
    as_planner = client.get(gathering_url(gathering)).content.decode()
    mail = OutgoingMail.objects.get(to=guest.email).body_text

    for text in (page, mail):
        assert "Grandjouan" not in text
        assert "Philomène (Résident·e), Aristide Bellecombe" in text
    assert "Philomène Grandjouan et Aristide Bellecombe" in as_planner


@pytest.mark.parametrize("page", ["session_detail", "agenda_print"])
def test_a_public_session_costs_the_same_queries_for_one_block_naming_people_as_for_three(client, lab, people, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for number, blocks in ((1, 1), (2, 3)):
        session = make_session(lab, number=number, visibility=Visibility.PUBLIC, start_date=MONDAY, end_date=MONDAY)
        for index in range(blocks):
            make_agenda_item(
                session, title=f"Temps {index}", start_time=datetime.time(7 + index // 4, (index % 4) * 15),
                end_time=datetime.time(7 + index // 4, (index % 4) * 15 + 10),
                facilitators="Philomène Grandjouan et Aristide Bellecombe", description=f"Avec Eulalie Kervadoc {index}.",
            )
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url(page, session)).content.decode()
        assert "Kervadoc" not in html and html.count("Philomène (Résident·e)") >= blocks
        counts.append(len(queries))

    assert counts == [{"session_detail": exactly(8), "agenda_print": exactly(5)}[page]] * 2
