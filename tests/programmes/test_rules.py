"""Who may read what (DESIGN.md §2): the list filter and the predicate always agree."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambassadors.models import Ambassador
from cases.models import Case, ProgressEntry
from programmes.models import Coordination, Lab, LabMembership, Visibility
from programmes.rules import belongs_to_lab, can_read_item, may_open_lab, runs_lab, with_reader_roles
from sessions.models import Session

from ..factories import make_ambassador, make_case, make_entry, make_lab, make_programme, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two Labs A and B of one programme, a Lab C of another, a person in each role."""
    programme = make_programme()
    lab_a, lab_b = make_lab(programme=programme), make_lab(programme=programme)
    lab_c = make_lab()
    people = {
        "anonymous": AnonymousUser(),
        "outsider": make_user(),
        "ambassador_a": make_user(),
        "network_a": make_user(),
        "resident_a": make_user(),
        "host_a": make_user(),
        "ambassador_b": make_user(),
        "coordinator": make_user(),
        "ambassador_c": make_user(),
        "admin": make_user(is_superuser=True, is_staff=True),
    }
    make_ambassador(lab_a, user=people["ambassador_a"])
    make_ambassador(lab_a, user=people["network_a"], circle=Ambassador.Circle.NETWORK)
    make_ambassador(lab_b, user=people["ambassador_b"])
    make_ambassador(lab_c, user=people["ambassador_c"])
    LabMembership.objects.create(lab=lab_a, user=people["resident_a"], role=LabMembership.Role.RESIDENT)
    LabMembership.objects.create(lab=lab_a, user=people["host_a"], role=LabMembership.Role.HOST)
    Coordination.objects.create(programme=programme, user=people["coordinator"])
    cases = {
        (name, visibility): make_case(lab, visibility=visibility)
        for name, lab in (("A", lab_a), ("B", lab_b))
        for visibility in Visibility.values
    }
    return {"people": people, "labs": {"A": lab_a, "B": lab_b, "C": lab_c}, "cases": cases}


# Which cases (Lab, visibility) each person may read.
EXPECTED = {
    "anonymous": {("A", "public"), ("B", "public")},
    "outsider": {("A", "public"), ("B", "public")},
    "ambassador_a": {("A", "lab"), ("A", "programme"), ("A", "public"), ("B", "programme"), ("B", "public")},
    "network_a": {("A", "lab"), ("A", "programme"), ("A", "public"), ("B", "programme"), ("B", "public")},
    "resident_a": {("A", "lab"), ("A", "programme"), ("A", "public"), ("B", "programme"), ("B", "public")},
    "host_a": {("A", "lab"), ("A", "programme"), ("A", "public"), ("B", "programme"), ("B", "public")},
    "ambassador_b": {("B", "lab"), ("B", "programme"), ("B", "public"), ("A", "programme"), ("A", "public")},
    "coordinator": {(lab, visibility) for lab in "AB" for visibility in Visibility.values},
    "ambassador_c": {("A", "public"), ("B", "public")},
    "admin": {(lab, visibility) for lab in "AB" for visibility in Visibility.values},
}


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_cases_listed_for_a_person_follow_the_permission_table(world, person):
    user = world["people"][person]
    by_pk = {case.pk: key for key, case in world["cases"].items()}

    listed = {by_pk[pk] for pk in Case.objects.visible_to(user).values_list("pk", flat=True)}

    assert listed == EXPECTED[person]


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_predicate_agrees_with_the_list_for_every_case(world, person):
    user = world["people"][person]

    readable = {key for key, case in world["cases"].items() if can_read_item(user, case.lab, case.visibility)}

    assert readable == EXPECTED[person]


def test_journal_entries_follow_their_case(world):
    entries = {key: make_entry(case) for key, case in world["cases"].items()}
    user = world["people"]["ambassador_b"]

    listed = set(ProgressEntry.objects.visible_to(user).values_list("pk", flat=True))

    assert listed == {entries[key].pk for key in EXPECTED["ambassador_b"]}


def test_sessions_follow_their_own_visibility(world):
    lab_a = world["labs"]["A"]
    private = make_session(lab_a, visibility=Visibility.LAB)
    shared = make_session(lab_a, visibility=Visibility.PROGRAMME, start_date=private.start_date.replace(day=28))

    assert list(Session.objects.visible_to(world["people"]["ambassador_b"])) == [shared]
    assert set(Session.objects.visible_to(world["people"]["ambassador_a"])) == {private, shared}
    assert list(Session.objects.visible_to(world["people"]["anonymous"])) == []


def test_inactive_ambassador_no_longer_reads_the_lab(world):
    user = world["people"]["ambassador_a"]
    Ambassador.objects.filter(user=user).update(is_active=False)

    assert not belongs_to_lab(user, world["labs"]["A"])
    assert set(Case.objects.visible_to(user).values_list("visibility", flat=True)) == {"public"}


@pytest.mark.parametrize(
    ("person", "runs"),
    [("resident_a", True), ("host_a", True), ("coordinator", True), ("admin", True),
     ("ambassador_a", False), ("network_a", False), ("ambassador_b", False), ("anonymous", False)],
)
def test_only_residents_host_coordination_and_admins_run_a_lab(world, person, runs):
    assert runs_lab(world["people"][person], world["labs"]["A"]) is runs


def test_listing_cases_is_one_query_whatever_the_person(world, django_assert_num_queries):
    user = world["people"]["ambassador_a"]

    with django_assert_num_queries(1):
        list(Case.objects.visible_to(user))


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_roles_read_with_the_rows_agree_with_the_predicates(world, person):
    user = world["people"][person]
    labs = world["labs"].values()

    annotated = {lab.pk: lab for lab in with_reader_roles(Lab.objects.filter(pk__in=[lab.pk for lab in labs]), user)}
    cases = with_reader_roles(Case.objects.filter(pk__in=[case.pk for case in world["cases"].values()]), user, lab="lab")

    for lab in labs:
        read = annotated[lab.pk]
        expected = (runs_lab(user, lab), belongs_to_lab(user, lab), may_open_lab(user, lab))
        assert (read.reader_runs_lab, read.reader_belongs_to_lab, read.reader_may_open_lab) == expected
    for case in cases:
        assert (case.reader_runs_lab, case.reader_belongs_to_lab) == (runs_lab(user, case.lab), belongs_to_lab(user, case.lab))


def test_rules_cost_the_same_queries_for_a_person_of_one_lab_and_of_many():
    programme = make_programme()
    few, many = make_user(), make_user()
    lab = make_lab(programme=programme)
    make_ambassador(lab, user=few)
    for number in range(12):
        other = make_lab(programme=programme if number % 2 else make_programme())
        make_ambassador(other, user=many)
        LabMembership.objects.create(lab=make_lab(), user=many)
        make_case(other, visibility=Visibility.LAB)
    Coordination.objects.create(programme=make_programme(), user=many)

    def cost(user):
        with CaptureQueriesContext(connection) as queries:
            listed = list(Case.objects.visible_to(user))
            predicates = (belongs_to_lab(user, lab), runs_lab(user, lab), may_open_lab(user, lab))
            roles = with_reader_roles(Lab.objects.filter(pk=lab.pk), user).get()
        return len(queries), listed, predicates, roles

    few_queries, _listed, few_predicates, few_roles = cost(few)
    many_queries, listed, many_predicates, _roles = cost(many)

    assert few_queries == many_queries == 5
    assert few_predicates == (True, False, True) == (few_roles.reader_belongs_to_lab, few_roles.reader_runs_lab, few_roles.reader_may_open_lab)
    assert many_predicates == (False, False, True)
    assert len([case for case in listed if case.visibility == Visibility.LAB]) == 12
