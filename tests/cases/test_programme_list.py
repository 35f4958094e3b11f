"""The programme's case list: every Lab's cases the reader may open, filtered by tag and stage."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Stage
from programmes.models import Coordination, Visibility

from ..queries import exactly
from ..factories import make_ambassador, make_case, make_entry, make_lab, make_resident, make_user

pytestmark = pytest.mark.django_db

URL = "/cas/"


@pytest.fixture
def programme():
    """Two Labs of one programme, a third Lab elsewhere, an ambassador of the first Lab."""
    mulhouse = make_lab(name="La Transfo de Mulhouse")
    dunkerque = make_lab(name="La Transfo de Dunkerque", programme=mulhouse.programme)
    reader = make_user()
    make_ambassador(mulhouse, user=reader)
    own = make_case(mulhouse, title="Accueil en mairie")
    own.tags.add("accueil")
    shared = make_case(dunkerque, title="Guichet unique", visibility=Visibility.PROGRAMME, stage=Stage.PROTOTYPING)
    shared.tags.add("accueil", "numérique")
    public = make_case(dunkerque, title="Cantines", visibility=Visibility.PUBLIC, stage=Stage.TESTING)
    public.tags.add("restauration")
    hidden = make_case(dunkerque, title="Cas interne à Dunkerque")
    hidden.tags.add("accueil")
    make_case(make_lab(), title="Cas d'un autre programme", visibility=Visibility.PUBLIC).tags.add("accueil")
    return mulhouse, dunkerque, reader


def titles(client, query=None):
    response = client.get(URL, query or {})
    assert response.status_code == 200
    return sorted(case.title for case in response.context["cases"])


def test_the_list_is_at_cas_and_in_the_header(client, programme):
    mulhouse, dunkerque, reader = programme
    client.force_login(reader)

    page = client.get(reverse("my_cases:my_cases")).content.decode()

    assert reverse("programme_cases:case_list") == URL
    assert f'href="{URL}"' in page


def test_list_shows_own_lab_and_what_other_labs_share_never_their_lab_only_cases(client, programme):
    mulhouse, dunkerque, reader = programme
    client.force_login(reader)

    response = client.get(URL)

    assert titles(client) == ["Accueil en mairie", "Cantines", "Guichet unique"]
    page = response.content.decode()
    assert "Cas interne à Dunkerque" not in page
    assert "Cas d&#x27;un autre programme" not in page
    assert "La Transfo de Dunkerque" in page
    assert "Prototypage" in page


def test_coordinator_sees_every_case_of_the_programme(client, programme):
    mulhouse, dunkerque, reader = programme
    coordinator = make_user()
    Coordination.objects.create(programme=mulhouse.programme, user=coordinator)
    client.force_login(coordinator)

    assert titles(client) == ["Accueil en mairie", "Cantines", "Cas interne à Dunkerque", "Guichet unique"]


def test_list_filters_by_tag_and_by_stage(client, programme):
    mulhouse, dunkerque, reader = programme
    client.force_login(reader)

    assert titles(client, {"tag": "accueil"}) == ["Accueil en mairie", "Guichet unique"]
    assert titles(client, {"etape": Stage.PROTOTYPING}) == ["Guichet unique"]
    assert titles(client, {"tag": "accueil", "etape": Stage.FRAMING}) == ["Accueil en mairie"]
    assert titles(client, {"labo": dunkerque.slug}) == ["Cantines", "Guichet unique"]


def test_tag_choices_are_the_tags_of_readable_cases_only(client, programme):
    mulhouse, dunkerque, reader = programme
    make_case(dunkerque).tags.add("secret-de-dunkerque")
    client.force_login(reader)

    response = client.get(URL)

    offered = [value for value, label in response.context["form"].fields["tag"].choices if value]
    assert sorted(offered) == ["accueil", "numérique", "restauration"]
    assert "secret-de-dunkerque" not in response.content.decode()


@pytest.mark.parametrize("query", [{"etape": "termine"}, {"tag": "secret-de-dunkerque"}, {"labo": "labo-inconnu"}])
def test_an_unknown_filter_value_answers_400_with_a_message(client, programme, query):
    mulhouse, dunkerque, reader = programme
    make_case(dunkerque).tags.add("secret-de-dunkerque")
    client.force_login(reader)

    response = client.get(URL, query)

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    # The list stays there, unfiltered by the bad value, and still without hidden cases.
    assert sorted(case.title for case in response.context["cases"]) == ["Accueil en mairie", "Cantines", "Guichet unique"]


def test_list_is_paginated_and_the_pages_keep_the_filters(client, programme):
    mulhouse, dunkerque, reader = programme
    for number in range(30):
        make_case(mulhouse, title=f"Cas en série {number:02}").tags.add("Série")
    client.force_login(reader)

    first = client.get(URL, {"tag": "série"})
    second = client.get(URL, {"tag": "série", "page": "2"})

    assert (len(first.context["cases"]), len(second.context["cases"])) == (25, 5)
    assert "?tag=s%C3%A9rie&amp;page=2" in first.content.decode()
    assert {case.title for case in first.context["cases"]}.isdisjoint(case.title for case in second.context["cases"])


def test_anonymous_visitor_is_sent_to_the_login(client, programme):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_someone_of_no_lab_sees_an_empty_list(client, programme):
    client.force_login(make_user())

    assert titles(client) == []


def test_list_query_count_is_the_same_with_one_or_a_hundred_cases(client):
    mulhouse = make_lab()
    dunkerque = make_lab(programme=mulhouse.programme)
    resident = make_resident(mulhouse).user
    make_case(mulhouse).tags.add("accueil")
    client.force_login(resident)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"page": "1"})
        assert response.status_code == 200
        return len(queries)

    one = count()
    for number in range(100):
        lab = (mulhouse, dunkerque)[number % 2]
        case = make_case(lab, stage=Stage.values[number % 6], visibility=(Visibility.PROGRAMME, Visibility.LAB)[number % 3 == 0])
        case.tags.add(f"theme-{number % 7}", "accueil")
        make_entry(case)

    # A page of the list: a hundred cases cost what one costs.
    assert one == count() == exactly(6)
