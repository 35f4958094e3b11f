"""Mon espace reads a fixed number of queries, whatever the data: the same with one Lab or many."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.freshness import forget
from programmes.models import LabMembership
from sessions.services import announce_session

from ..factories import make_ambassador, make_case, make_entry, make_session
from ..queries import exactly
from .world import build_world, running_lab

pytestmark = pytest.mark.django_db

ROLES = ("resident", "host", "coordinator", "ambassador", "relais", "nobody")


def grow(world, labs=4):
    """More of everything each role sees: Labs of the programme, sessions, cases, entries, answers."""
    today = timezone.localdate()
    people = world["people"]
    for number in range(labs):
        lab = running_lab(world["programme"], f"Labo en plus {number}")
        LabMembership.objects.create(lab=lab, user=people["resident"], role=LabMembership.Role.RESIDENT)
        make_ambassador(lab, user=people["ambassador"])
        for offset in (-60, -20, 10, 40):
            start = today + datetime.timedelta(days=offset)
            session = make_session(lab, start_date=start, end_date=start + datetime.timedelta(days=2))
            if offset > 0:
                announce_session(session=session)
        for _ in range(3):
            case = make_case(lab)
            case.team.add(*people["ambassador"].ambassadorships.all())
            make_entry(case, author=people["host"])


def queries_of(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/espace/")
    assert response.status_code == 200
    return len(queries)


def counts(client, world):
    """Each role's queries on a visit after the first (the first one also creates its visit row):
    with their events and the Labs they run read anew (after any change, ``forget``), then from
    the cache."""
    result = {}
    for role in ROLES:
        queries_of(client, world["people"][role])
        forget()
        result[role] = (queries_of(client, world["people"][role]), queries_of(client, world["people"][role]))
    return result


# (counted anew, from the cache): one's answers to the next events and the Labs one runs with what
# waits in each are three queries, or none.
EXPECTED = {
    "resident": (exactly(9), exactly(6)), "host": (exactly(9), exactly(6)), "coordinator": (exactly(8), exactly(5)),
    "ambassador": (exactly(7), exactly(4)), "relais": (exactly(7), exactly(4)), "nobody": (exactly(7), exactly(4)),
}


def test_queries_are_few_and_do_not_grow_with_the_data(client):
    world = build_world()
    small = counts(client, world)
    grow(world)
    large = counts(client, world)

    assert small == large == EXPECTED
    assert max(max(pair) for pair in large.values()) <= 10


def test_the_first_visit_costs_one_more_query_and_stays_within_ten(client):
    world = build_world()

    assert queries_of(client, world["people"]["resident"]) == EXPECTED["resident"][0] + 1 <= 10
