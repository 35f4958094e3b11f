"""The one rule for naming people outside their Lab: in full with consent, else first name and role."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambassadors.public_names import PublicNames
from programmes.models import Coordination, LabMembership

from ..factories import make_ambassador, make_lab, make_resident, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    lab = make_lab()
    make_ambassador(lab, first_name="Sacha", last_name="Vautrin", metier="Jardinier")
    make_ambassador(lab, first_name="Camille", last_name="Durand", public_consent=True)
    make_resident(lab, user=make_user(first_name="Jean-Baptiste", last_name="de la Tour"))
    LabMembership.objects.create(
        lab=lab, user=make_user(first_name="Rosa", last_name="Lumière"), role=LabMembership.Role.HOST
    )
    return lab


def names_for(lab, text):
    return PublicNames.for_lab(lab, texts=[text])


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Sacha Vautrin a animé.", "Sacha (Jardinier) a animé."),
        ("VAUTRIN Sacha a animé.", "Sacha (Jardinier) a animé."),
        ("Vautrin a noté, VAUTRIN aussi.", "Sacha a noté, Sacha aussi."),
        ("Avec Camille Durand.", "Avec Camille Durand."),
        ("Jean-Baptiste de la Tour et Rosa Lumière", "Jean-Baptiste (Résident·e) et Rosa (Résident·e « at home »)"),
        # An ordinary word that happens to be a last name is left alone.
        ("une lumière douce", "une lumière douce"),
        ("Personne de connu ici.", "Personne de connu ici."),
    ],
)
def test_text_names_people_as_their_consent_allows(lab, text, shown):
    assert names_for(lab, text).text(text) == shown


def test_facilitators_known_are_named_as_allowed_and_strangers_counted(lab):
    facilitators = "Sacha Vautrin, Camille Durand et Marcel Inconnu / Léa Passante"

    assert names_for(lab, facilitators).people(facilitators) == "Sacha (Jardinier), Camille Durand, 2 intervenant·es"


def test_someone_with_consent_on_one_row_keeps_their_name(lab):
    make_ambassador(make_lab(programme=lab.programme), first_name="Camille", last_name="Durand")

    assert names_for(lab, "Camille Durand").text("Camille Durand") == "Camille Durand"


def test_the_coordination_and_other_labs_of_the_programme_are_known(lab):
    Coordination.objects.create(programme=lab.programme, user=make_user(first_name="Octave", last_name="Brunschwig"))
    make_ambassador(make_lab(programme=lab.programme), first_name="Léontine", last_name="Carabasse", metier="Juriste")
    make_ambassador(make_lab(), first_name="Ailleurs", last_name="Etranger")
    text = "Octave Brunschwig, Léontine Carabasse, Ailleurs Etranger"

    assert names_for(lab, text).text(text) == "Octave (coordination du programme), Léontine (Juriste), Ailleurs Etranger"


def test_reading_the_names_costs_the_same_whatever_the_size_of_the_programme(lab):
    text = "Sacha Vautrin et Rosa Lumière"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert names_for(lab, text).text(text) == "Sacha (Jardinier) et Rosa (Résident·e « at home »)"
        return len(captured)

    before = queries()
    for number in range(30):
        other = make_lab(programme=lab.programme)
        make_ambassador(other, last_name=f"Agent{number}")
        make_resident(other)

    assert queries() == before == 3


def test_a_text_naming_nobody_asks_nothing(lab):
    with CaptureQueriesContext(connection) as captured:
        names = names_for(lab, "rien que des mots ordinaires")

    assert len(captured) == 0
    assert names.people("") == ""
