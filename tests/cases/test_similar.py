"""« Cas similaires dans d'autres labos » on a case page shared with the programme or public."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case
from programmes.models import Visibility

from ..queries import exactly
from ..factories import make_ambassador, make_case, make_entry, make_lab, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_labs():
    """Mulhouse and Dunkerque in one programme, a reader from Mulhouse, a shared case of Mulhouse."""
    mulhouse = make_lab(name="La Transfo de Mulhouse")
    dunkerque = make_lab(name="La Transfo de Dunkerque", programme=mulhouse.programme)
    reader = make_user()
    make_ambassador(mulhouse, user=reader)
    case = make_case(mulhouse, title="Accueil en mairie", visibility=Visibility.PROGRAMME)
    case.tags.add("accueil", "usagers")
    return mulhouse, dunkerque, reader, case


def similar_titles(client, case):
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return [similar.title for similar in response.context.get("similar_cases", [])]


def test_similar_cases_are_other_labs_readable_cases_sharing_a_tag(client, programme_labs):
    mulhouse, dunkerque, reader, case = programme_labs
    shared = make_case(dunkerque, title="Guichet unique", visibility=Visibility.PROGRAMME)
    shared.tags.add("accueil")
    public = make_case(dunkerque, title="Parcours usager", visibility=Visibility.PUBLIC)
    public.tags.add("usagers")
    lab_only = make_case(dunkerque, title="Cas interne à Dunkerque", visibility=Visibility.LAB)
    lab_only.tags.add("accueil", "usagers")
    unrelated = make_case(dunkerque, title="Cantines scolaires", visibility=Visibility.PROGRAMME)
    unrelated.tags.add("restauration")
    same_lab = make_case(mulhouse, title="Autre cas de Mulhouse", visibility=Visibility.PROGRAMME)
    same_lab.tags.add("accueil")
    elsewhere = make_case(make_lab(), title="Cas d'un autre programme", visibility=Visibility.PUBLIC)
    elsewhere.tags.add("accueil")
    client.force_login(reader)

    titles = similar_titles(client, case)

    assert sorted(titles) == ["Guichet unique", "Parcours usager"]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Cas similaires dans d'autres labos" in page
    assert "Cas interne à Dunkerque" not in page


def test_similar_cases_come_by_shared_tags_then_recent_activity(client, programme_labs):
    mulhouse, dunkerque, reader, case = programme_labs
    quiet = make_case(dunkerque, title="Un tag, calme", visibility=Visibility.PROGRAMME)
    quiet.tags.add("accueil")
    busy = make_case(dunkerque, title="Un tag, actif", visibility=Visibility.PROGRAMME)
    busy.tags.add("usagers")
    make_entry(busy)
    both = make_case(dunkerque, title="Deux tags", visibility=Visibility.PROGRAMME)
    both.tags.add("accueil", "usagers", "numérique")
    Case.objects.filter(pk__in=[quiet.pk, both.pk]).update(created_at=timezone.now() - datetime.timedelta(days=90))
    client.force_login(reader)

    response = client.get(case.get_absolute_url())

    assert [(c.title, c.shared_tags) for c in response.context["similar_cases"]] == [
        ("Deux tags", 2),
        ("Un tag, actif", 1),
        ("Un tag, calme", 1),
    ]


def test_a_lab_only_case_shows_no_similar_cases(client, programme_labs):
    mulhouse, dunkerque, reader, case = programme_labs
    Case.objects.filter(pk=case.pk).update(visibility=Visibility.LAB)
    shared = make_case(dunkerque, visibility=Visibility.PROGRAMME)
    shared.tags.add("accueil")
    client.force_login(reader)

    assert similar_titles(client, case) == []


def test_anonymous_reader_of_a_public_case_sees_only_public_similar_cases(client, programme_labs):
    mulhouse, dunkerque, reader, case = programme_labs
    Case.objects.filter(pk=case.pk).update(visibility=Visibility.PUBLIC)
    make_case(dunkerque, title="Partagé", visibility=Visibility.PROGRAMME).tags.add("accueil")
    make_case(dunkerque, title="Public", visibility=Visibility.PUBLIC).tags.add("accueil")

    assert similar_titles(client, case) == ["Public"]


def test_similar_cases_are_limited_to_five(client, programme_labs):
    mulhouse, dunkerque, reader, case = programme_labs
    for number in range(8):
        make_case(dunkerque, visibility=Visibility.PROGRAMME).tags.add("accueil")
    client.force_login(reader)

    assert len(similar_titles(client, case)) == 5


def test_case_page_query_count_is_the_same_with_one_or_a_hundred_similar_cases(client, programme_labs):
    mulhouse, dunkerque, reader, case = programme_labs
    make_case(dunkerque, visibility=Visibility.PROGRAMME).tags.add("accueil")
    client.force_login(reader)
    url = case.get_absolute_url()

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.context["similar_cases"])

    one = count()
    labs = [dunkerque, make_lab(programme=mulhouse.programme), make_lab(programme=mulhouse.programme)]
    for number in range(99):
        similar = make_case(labs[number % 3], visibility=(Visibility.PROGRAMME, Visibility.PUBLIC)[number % 2])
        similar.tags.add("accueil", f"theme-{number % 9}", *(["usagers"] if number % 4 == 0 else []))
        make_entry(similar)

    # Five similar cases are shown out of a hundred: what one costs (one query of these reads the
    # stage proposals pending on the case, for a reader of its Lab).
    assert one == (count()[0], 1) == (exactly(11), 1)
    assert count()[1] == 5
