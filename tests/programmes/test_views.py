"""Lab pages: members see their Lab, other Labs of the programme only what they share, others a 404."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import Coordination, LabMembership, Visibility

from ..queries import exactly
from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_entry,
    make_lab,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def labs():
    programme = make_programme()
    return make_lab(programme=programme), make_lab(programme=programme), make_lab()


def ambassador_of(lab):
    user = make_user()
    make_ambassador(lab, user=user)
    return user


def test_my_labs_lists_only_the_labs_i_belong_to(client, labs):
    lab_a, lab_b, lab_c = labs
    user = ambassador_of(lab_a)
    client.force_login(user)

    response = client.get(reverse("programmes:lab_list"))

    assert [lab.pk for lab in response.context["labs"]] == [lab_a.pk]


def test_lab_page_shows_its_private_items_to_its_ambassador(client, labs):
    lab_a = labs[0]
    session = make_session(lab_a, title="Immersion au guichet")
    case = make_case(lab_a, title="Accueil des nouveaux arrivants")
    client.force_login(ambassador_of(lab_a))

    response = client.get(lab_a.get_absolute_url())

    assert response.status_code == 200
    assert list(response.context["sessions"]) == [session]
    assert list(response.context["cases"]) == [case]


def test_lab_page_of_another_lab_of_the_programme_shows_only_what_it_shares(client, labs):
    lab_a, lab_b, _ = labs
    make_case(lab_b, title="Privé")
    shared = make_case(lab_b, title="Partagé", visibility=Visibility.PROGRAMME)
    client.force_login(ambassador_of(lab_a))

    response = client.get(lab_b.get_absolute_url())

    assert response.status_code == 200
    assert list(response.context["cases"]) == [shared]


def test_lab_page_of_another_programme_answers_404(client, labs):
    lab_a, _, lab_c = labs
    client.force_login(ambassador_of(lab_a))

    assert client.get(lab_c.get_absolute_url()).status_code == 404


def test_lab_page_sends_an_anonymous_visitor_to_the_login(client, labs):
    response = client.get(labs[0].get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_private_case_of_another_lab_answers_404_like_a_missing_one(client, labs):
    lab_a, lab_b, _ = labs
    private = make_case(lab_b)
    client.force_login(ambassador_of(lab_a))

    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(reverse("cases:case_detail", kwargs={"lab_slug": lab_b.slug, "slug": "inexistant"})).status_code == 404


def test_public_case_is_readable_by_anyone_with_consenting_names_only(client, labs):
    lab_a = labs[0]
    case = make_case(lab_a, visibility=Visibility.PUBLIC)
    case.team.add(
        make_ambassador(lab_a, first_name="Dominique", last_name="Visible", public_consent=True),
        make_ambassador(lab_a, first_name="Sacha", last_name="Discret", metier="Jardinier", public_consent=False),
    )

    page = client.get(case.get_absolute_url()).content.decode()

    assert "Dominique Visible" in page
    assert "Sacha (Jardinier)" in page
    assert "Discret" not in page


def test_session_page_names_only_the_cases_the_reader_may_open(client, labs):
    lab_a, lab_b, _ = labs
    session = make_session(lab_a, visibility=Visibility.PROGRAMME)
    session.cases.add(make_case(lab_a, title="Cas privé"), make_case(lab_a, title="Cas partagé", visibility=Visibility.PROGRAMME))
    client.force_login(ambassador_of(lab_b))

    response = client.get(session.get_absolute_url())

    assert response.status_code == 200
    assert [case.title for case in response.context["cases"]] == ["Cas partagé"]


def test_session_page_shows_its_agenda_day_by_day(client, labs):
    lab_a = labs[0]
    session = make_session(lab_a, start_date=datetime.date(2016, 9, 12))
    make_agenda_item(session, title="Atelier créatif", day=datetime.date(2016, 9, 13))
    client.force_login(ambassador_of(lab_a))

    response = client.get(session.get_absolute_url())

    assert [(day, [item.title for item in items]) for day, items in response.context["agenda_days"]] == [
        (datetime.date(2016, 9, 12), []),
        (datetime.date(2016, 9, 13), ["Atelier créatif"]),
    ]


def test_coordinator_opens_every_lab_of_the_programme(client, labs):
    lab_a, lab_b, lab_c = labs
    coordinator = make_user()
    Coordination.objects.create(programme=lab_a.programme, user=coordinator)
    private = make_case(lab_b)
    client.force_login(coordinator)

    assert client.get(private.get_absolute_url()).status_code == 200
    assert client.get(lab_c.get_absolute_url()).status_code == 404


def lab_with_rows(rows):
    """A Lab run by a new resident, with ``rows`` sessions, cases, journal entries and agenda blocks."""
    lab = make_lab()
    resident = make_user()
    LabMembership.objects.create(lab=lab, user=resident)
    for number in range(rows):
        start = lab.start_date + datetime.timedelta(days=3 * number)
        session = make_session(lab, number=number, start_date=start, end_date=start)
        case = make_case(lab)
        session.cases.add(case)
    first_session, first_case = lab.sessions.order_by("number").first(), lab.cases.order_by("pk").first()
    for block in range(min(rows, 8)):
        make_agenda_item(first_session, start_time=datetime.time(9 + block), end_time=datetime.time(10 + block))
    for _ in range(rows):
        make_entry(first_case)
    return lab, resident, first_session, first_case


def page_url(page, lab, session, case):
    return {
        "lab_list": reverse("programmes:lab_list"),
        "lab_detail": lab.get_absolute_url(),
        "session": session.get_absolute_url(),
        "case": case.get_absolute_url(),
    }[page]


@pytest.mark.parametrize("page", ["lab_list", "lab_detail", "session", "case"])
def test_page_query_count_does_not_grow_with_the_data(client, page):
    counts = []
    for rows in (1, 3):
        lab, resident, session, case = lab_with_rows(rows)
        client.force_login(resident)
        client.get(page_url(page, lab, session, case))  # Warm what the process keeps (content types).
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(page, lab, session, case)).status_code == 200
        counts.append(len(queries))

    # The case page reads the stage proposals waiting, for the Lab's people.
    expected = {"lab_list": exactly(2), "lab_detail": exactly(8), "session": exactly(6), "case": exactly(9)}[page]
    assert counts == [expected] * 2
