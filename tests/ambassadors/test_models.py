"""Ambassadors: one entry per e-mail in a Lab, and a public name that respects consent."""
import pytest
from django.core.exceptions import ValidationError

from ambassadors.models import Ambassador

from ..factories import make_ambassador

pytestmark = pytest.mark.django_db


def test_same_email_twice_in_a_lab_is_refused_whatever_its_case():
    first = make_ambassador(email="claude.martin@ville.example")
    duplicate = Ambassador(
        lab=first.lab, first_name="Claude", last_name="Martin", email="Claude.Martin@ville.example", metier="Jardinier", direction="Espaces verts"
    )

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert error.value.messages == ["Cette adresse e-mail est déjà inscrite dans ce labo."]


def test_public_name_without_consent_shows_first_name_and_trade_only():
    ambassador = Ambassador(first_name="Claude", last_name="Martin", metier="Jardinier", public_consent=False)

    assert ambassador.public_name == "Claude (Jardinier)"


def test_public_name_with_consent_shows_the_full_name():
    ambassador = Ambassador(first_name="Claude", last_name="Martin", metier="Jardinier", public_consent=True)

    assert ambassador.public_name == "Claude Martin"
