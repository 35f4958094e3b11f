"""A NUL character in an address is answered with a 400 and a message, before any view reads it."""
import pytest

from ..factories import make_lab

pytestmark = pytest.mark.django_db


def test_a_filter_holding_a_nul_character_is_a_400_with_a_message(client):
    response = client.get("/documentation/", {"tag": "\x00"})

    assert response.status_code == 400
    assert "Cette adresse contient un caractère nul" in response.content.decode()


def test_a_calendar_token_holding_a_nul_character_is_a_400(client):
    lab = make_lab()

    response = client.get(f"/labs/{lab.slug}/calendrier/labo.ics", {"jeton": "a\x00b"})

    assert response.status_code == 400


def test_the_open_api_says_it_in_json(client):
    response = client.get("/api/v2/pages/", {"search": "\x00"})

    assert response.status_code == 400
    assert response.json() == {"message": "Cette adresse contient un caractère nul : aucune page de la plateforme n'en a."}
