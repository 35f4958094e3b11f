"""Fields shown on one line refuse line breaks and other control characters, wherever they are written."""
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from cases.models import Case
from common.text import one_line, validate_single_line

from ..factories import make_ambassador, make_case, make_lab, make_resident, make_user

OUR_APPS = ("programmes", "ambassadors", "lab_sessions", "cases", "docs", "outbox", "accounts")
# Machine-written values that no form shows; the outbox's subject is made one line when queued.
NOT_TYPED_BY_PEOPLE = {
    "ambassadors.Invitation.token_hash",
    "lab_sessions.GatheringInvitation.key",
    "lab_sessions.CalendarFeedToken.token",
    "outbox.OutgoingMail.key",
    "outbox.OutgoingMail.subject",
}


def single_line_fields():
    for config in apps.get_app_configs():
        if config.label not in OUR_APPS:
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                if field.model is not model or type(field) is not models.CharField or field.choices:
                    continue
                yield f"{config.label}.{model.__name__}.{field.name}", field


def test_every_single_line_field_of_our_models_refuses_control_characters():
    unguarded = [
        name for name, field in single_line_fields()
        if validate_single_line not in field.validators and name not in NOT_TYPED_BY_PEOPLE
    ]

    assert unguarded == []


def test_the_list_of_machine_fields_names_real_fields():
    assert NOT_TYPED_BY_PEOPLE <= {name for name, field in single_line_fields()}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Cas\r\nBcc: pirate@ailleurs.example", "Ce champ tient sur une ligne : retirez un retour chariot, un retour à la ligne."),
        ("Cas\x00", "Ce champ tient sur une ligne : retirez un caractère nul."),
        ("Cas\u2028suite", "Ce champ tient sur une ligne : retirez U+2028."),
        ("Cas\x1b[31m", "Ce champ tient sur une ligne : retirez U+001B."),
    ],
)
def test_validator_names_what_to_remove(value, message):
    with pytest.raises(Exception) as refused:
        validate_single_line(value)

    assert refused.value.messages == [message]


@pytest.mark.parametrize("value", ["Mobilité des seniors", "Cas n°2 — « l'accueil » 🚲", "عنوان\u200f", "<b>gras</b>", ""])
def test_validator_lets_ordinary_titles_through(value):
    validate_single_line(value)


def test_one_line_turns_every_break_into_one_space():
    assert one_line(" Le cas\r\n\tnuméro\x0b2\u2029avance ") == "Le cas numéro 2 avance"


@pytest.mark.django_db
def test_case_form_refuses_a_title_with_a_line_break(client):
    lab = make_lab()
    case = make_case(lab, title="Accueil")
    client.force_login(make_resident(lab).user)
    url = reverse("cases:case_edit", kwargs={"lab_slug": lab.slug, "slug": case.slug})

    response = client.post(url, {"title": "Accueil\r\nBcc: pirate@ailleurs.example", "problem_statement": "Un problème.", "visibility": "lab"})

    assert response.status_code == 400
    assert "Ce champ tient sur une ligne : retirez un retour chariot, un retour à la ligne." in response.content.decode()
    case.refresh_from_db()
    assert case.title == "Accueil"


@pytest.mark.django_db
def test_profile_form_refuses_a_name_with_a_line_break(client):
    person = make_user(first_name="Camille")
    make_ambassador(make_lab(), user=person)
    client.force_login(person)

    response = client.post(reverse("accounts:profile"), {"first_name": "Camille\nX", "last_name": "Martin", "metier": "Jardinière"})

    assert response.status_code == 200
    assert "Ce champ tient sur une ligne" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Camille"


@pytest.mark.django_db
def test_full_clean_in_services_refuses_it_too():
    case = Case(lab=make_lab(), title="Titre\tavec tabulation", slug="titre", problem_statement="…")

    with pytest.raises(Exception) as refused:
        case.full_clean()

    assert refused.value.message_dict == {"title": ["Ce champ tient sur une ligne : retirez une tabulation."]}
