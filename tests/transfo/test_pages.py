"""The public site and the login answer in French by default and in English on request."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/documentation/", "/accounts/login/"])
def test_page_answers_in_french_by_default(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    assert "Aller au contenu" in response.content.decode()


@pytest.mark.parametrize("path", ["/en/", "/en/documentation/", "/en/accounts/login/"])
def test_page_answers_in_english_under_en(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Skip to content" in response.content.decode()


def test_language_switcher_sends_an_english_reader_to_the_english_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/documentation/"})

    assert response.status_code == 302
    assert response["Location"] == "/en/documentation/"


def test_links_of_an_english_page_stay_in_english(client):
    response = client.get("/en/")

    assert 'href="/en/documentation/"' in response.content.decode()


def test_django_admin_login_leads_to_the_single_login(client):
    response = client.get("/django-admin/login/?next=/django-admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_wagtail_admin_login_leads_to_the_single_login(client):
    response = client.get("/cms/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_page_answers_404_with_the_site_layout(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_language_switcher_of_an_english_page_offers_the_neutral_path(client):
    response = client.get("/en/documentation/")

    assert '<input name="next" type="hidden" value="/documentation/">' in response.content.decode()


def test_language_switcher_brings_an_english_reader_back_to_french(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/documentation/"})

    response = client.post(reverse("set_language"), {"language": "fr", "next": "/documentation/"})

    assert response["Location"] == "/documentation/"
