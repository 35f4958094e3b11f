"""Programmes and Labs refuse impossible data with a French message, at model and database level."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programmes.models import Collectivite, Lab

from ..factories import make_collectivite, make_lab, make_programme

pytestmark = pytest.mark.django_db


def test_lab_ending_before_it_starts_is_refused_with_a_message():
    lab = make_lab()
    lab.end_date = lab.start_date - datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        lab.full_clean()

    assert error.value.messages == ["La fin du labo doit suivre son début."]


def test_lab_ending_before_it_starts_is_refused_by_the_database():
    lab = make_lab()

    with pytest.raises(IntegrityError), transaction.atomic():
        Lab.objects.filter(pk=lab.pk).update(end_date=lab.start_date)


def test_second_lab_of_a_collectivite_in_a_programme_is_refused():
    lab = make_lab()
    duplicate = Lab(
        programme=lab.programme,
        collectivite=lab.collectivite,
        name="Doublon",
        slug="doublon",
        start_date=lab.start_date,
        end_date=lab.end_date,
    )

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert error.value.messages == ["Cette collectivité a déjà un labo dans ce programme."]


def test_lab_outside_its_programme_is_refused():
    programme = make_programme(start_date=datetime.date(2016, 1, 1), end_date=datetime.date(2017, 1, 1))
    lab = Lab(
        programme=programme,
        collectivite=make_collectivite(),
        name="Trop long",
        slug="trop-long",
        start_date=datetime.date(2016, 6, 1),
        end_date=datetime.date(2017, 12, 1),
    )

    with pytest.raises(ValidationError) as error:
        lab.full_clean()

    assert error.value.messages == ["Le labo doit se dérouler pendant le programme (du 01/01/2016 au 01/01/2017)."]


def test_unknown_departement_code_is_refused():
    collectivite = Collectivite(name="Atlantide", slug="atlantide", kind="ville", departement="99")

    with pytest.raises(ValidationError) as error:
        collectivite.full_clean()

    assert error.value.messages == ["Code de département inconnu (ex. 68, 75, 2A, 974)."]


@pytest.mark.parametrize(
    ("departement", "subdivision"), [("68", "6AE"), ("67", "6AE"), ("57", "57"), ("75", None), ("59", None)]
)
def test_holiday_subdivision_follows_alsace_moselle(departement, subdivision):
    assert Collectivite(departement=departement).holiday_subdivision == subdivision
