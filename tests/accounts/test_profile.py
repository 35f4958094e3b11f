"""A person edits their own profile: names, métier, photo and consent, on every Lab row of theirs."""
import io
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import ExifTags, Image

from ambassadors.models import Ambassador
from common.images import PORTRAIT_SIDE
from programmes.models import Coordination, LabMembership

from ..queries import exactly
from ..images import assert_only_pixels, assert_upright_portrait, huge_png, jpeg_with_comment, phone_photo, png_with_text
from ..factories import (
    make_ambassador,
    make_lab,
    make_programme,
    make_resident,
    make_user,
)

pytestmark = pytest.mark.django_db

PROFILE_URL = "/compte/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def ambassador(client):
    """A person who is an ambassador in two Labs, logged in."""
    user = make_user(first_name="Camille", last_name="Durand")
    make_ambassador(make_lab(), user=user, first_name="Camille", last_name="Durand", metier="Juriste")
    make_ambassador(
        make_lab(), user=user, first_name="Camille", last_name="Durand", metier="Juriste",
        circle=Ambassador.Circle.NETWORK, public_consent=True,
    )
    client.force_login(user)
    return user


def jpeg_with_gps_position():
    image = Image.new("RGB", (80, 60), "darkorange")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Appareil de test"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (47.0, 44.0, 59.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (7.0, 20.0, 24.0),
    }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def profile_data(**overrides):
    return {"first_name": "Camille", "last_name": "Durand", "metier": "Juriste", **overrides}


def test_profile_saves_new_names_on_the_account_and_every_ambassador_row(client, ambassador):
    response = client.post(PROFILE_URL, profile_data(first_name="Camila", last_name="Martin"), follow=True)

    ambassador.refresh_from_db()
    assert response.redirect_chain == [(PROFILE_URL, 302)]
    assert "Votre profil est enregistré." in response.content.decode()
    assert ambassador.get_full_name() == "Camila Martin"
    assert sorted(ambassador.ambassadorships.values_list("first_name", "last_name")) == [("Camila", "Martin")] * 2


def test_profile_metier_goes_to_every_ambassador_row_and_the_residency_discipline(client, ambassador):
    residency = make_resident(make_lab(), user=ambassador, discipline="sociologue")

    client.post(PROFILE_URL, profile_data(metier="Urbaniste"))

    residency.refresh_from_db()
    assert list(ambassador.ambassadorships.values_list("metier", flat=True)) == ["Urbaniste", "Urbaniste"]
    assert residency.discipline == "Urbaniste"


def test_profile_consent_applies_to_every_ambassador_and_lab_membership_row(client, ambassador):
    residency = make_resident(make_lab(), user=ambassador, public_consent=False)

    client.post(PROFILE_URL, profile_data(public_consent="on"))

    residency.refresh_from_db()
    assert list(ambassador.ambassadorships.values_list("public_consent", flat=True)) == [True, True]
    assert residency.public_consent is True


def test_profile_withdrawn_consent_is_withdrawn_everywhere(client, ambassador):
    Ambassador.objects.filter(user=ambassador).update(public_consent=True)

    client.post(PROFILE_URL, profile_data())

    assert list(ambassador.ambassadorships.values_list("public_consent", flat=True)) == [False, False]


def test_profile_shows_consent_unticked_while_the_labs_disagree(client, ambassador):
    response = client.get(PROFILE_URL)

    page = response.content.decode()
    assert 'name="public_consent"' in page
    assert "checked" not in page.split('name="public_consent"')[1].split(">")[0]
    assert "Vos labos ont aujourd'hui des réglages différents" in page


def test_profile_photo_is_stored_on_every_row_without_its_gps_position(client, ambassador):
    upload = SimpleUploadedFile("vacances.jpg", jpeg_with_gps_position(), content_type="image/jpeg")
    assert Image.open(io.BytesIO(upload.read())).getexif().get_ifd(ExifTags.IFD.GPSInfo) != {}
    upload.seek(0)

    response = client.post(PROFILE_URL, profile_data(photo=upload))

    names = set(ambassador.ambassadorships.values_list("photo", flat=True))
    assert response.status_code == 302
    assert len(names) == 1
    with default_storage.open(names.pop()) as stored:
        saved = Image.open(stored)
        saved.load()
    assert saved.format == "JPEG"
    assert saved.size == (80, 60)
    assert saved.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert dict(saved.getexif()) == {}


@pytest.mark.parametrize(
    "name, content", [("commentee.jpg", jpeg_with_comment()), ("texte.png", png_with_text())], ids=["jpeg-com", "png-text"]
)
def test_profile_photo_keeps_its_pixels_and_nothing_else(client, ambassador, name, content):
    client.post(PROFILE_URL, profile_data(photo=SimpleUploadedFile(name, content)))

    with default_storage.open(ambassador.ambassadorships.first().photo.name) as stored:
        assert_only_pixels(stored.read())


def test_profile_phone_photo_is_stored_upright_at_portrait_size(client, ambassador):
    client.post(PROFILE_URL, profile_data(photo=SimpleUploadedFile("portrait.jpg", phone_photo())))

    with default_storage.open(ambassador.ambassadorships.first().photo.name) as stored:
        data = stored.read()
    assert_only_pixels(data)
    assert_upright_portrait(data, PORTRAIT_SIDE)


def test_profile_html_file_named_like_a_photo_is_refused_and_nothing_is_saved(client, ambassador):
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")

    response = client.post(PROFILE_URL, profile_data(first_name="Autre", photo=fake))

    ambassador.refresh_from_db()
    assert response.status_code == 200
    assert "« photo.jpg » n&#x27;est pas une image lisible" in response.content.decode()
    assert "Rien n&#x27;a été enregistré" in response.content.decode()
    assert ambassador.first_name == "Camille"
    assert list(ambassador.ambassadorships.values_list("photo", flat=True)) == ["", ""]


@pytest.mark.parametrize(
    "content",
    [jpeg_with_gps_position()[:300], b"GIF89a" + b"\x00" * 40, b"\x89PNG\r\n\x1a\n" + b"\xff" * 100],
    ids=["truncated-jpeg", "broken-gif", "broken-png"],
)
def test_profile_broken_image_is_refused_with_a_message(client, ambassador, content):
    response = client.post(PROFILE_URL, profile_data(photo=SimpleUploadedFile("photo.jpg", content)))

    assert response.status_code == 200
    assert "« photo.jpg » n&#x27;est pas une image lisible" in response.content.decode()


def test_profile_photo_with_transparency_stays_a_png(client, ambassador):
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 40), (200, 30, 30, 128)).save(buffer, format="PNG")

    client.post(PROFILE_URL, profile_data(photo=SimpleUploadedFile("logo.png", buffer.getvalue())))

    with default_storage.open(ambassador.ambassadorships.first().photo.name) as stored:
        saved = Image.open(stored)
        assert (saved.format, saved.mode) == ("PNG", "RGBA")


def test_profile_image_of_too_many_pixels_is_refused(client, ambassador):
    immense = SimpleUploadedFile("immense.png", huge_png())  # a few kilobytes, 59 megapixels

    started = time.perf_counter()
    response = client.post(PROFILE_URL, profile_data(photo=immense))
    print(f"profile: a 59-MP PNG refused in {time.perf_counter() - started:.2f} s")

    assert response.status_code == 200
    assert (
        "« immense.png » est une image trop grande (7700 × 7700 pixels) : 50 millions de pixels au plus par image."
        in response.content.decode()
    )
    assert list(ambassador.ambassadorships.values_list("photo", flat=True)) == ["", ""]


def test_profile_photo_over_ten_megabytes_is_refused(client, ambassador):
    heavy = SimpleUploadedFile("lourde.jpg", b"\xff" * (10 * 1024 * 1024 + 1), content_type="image/jpeg")

    response = client.post(PROFILE_URL, profile_data(photo=heavy))

    assert response.status_code == 200
    assert "« lourde.jpg » pèse 10.0 Mo : 10 Mo au plus par image." in response.content.decode()
    assert list(ambassador.ambassadorships.values_list("photo", flat=True)) == ["", ""]


def test_profile_photo_can_be_removed(client, ambassador):
    upload = SimpleUploadedFile("portrait.jpg", jpeg_with_gps_position(), content_type="image/jpeg")
    client.post(PROFILE_URL, profile_data(photo=upload))
    name = ambassador.ambassadorships.first().photo.name

    client.post(PROFILE_URL, profile_data(remove_photo="on"))

    assert list(ambassador.ambassadorships.values_list("photo", flat=True)) == ["", ""]
    assert default_storage.exists(name)  # on_commit did not run: the test transaction never commits


def test_profile_photo_replaced_deletes_the_old_file_after_commit(
    client, ambassador, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE_URL, profile_data(photo=SimpleUploadedFile("a.jpg", jpeg_with_gps_position())))
    old_name = ambassador.ambassadorships.first().photo.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE_URL, profile_data(photo=SimpleUploadedFile("b.jpg", jpeg_with_gps_position())))

    new_name = ambassador.ambassadorships.first().photo.name
    assert new_name != old_name
    assert default_storage.exists(new_name)
    assert not default_storage.exists(old_name)


def test_profile_empty_names_answer_errors_and_save_nothing(client, ambassador):
    response = client.post(PROFILE_URL, profile_data(first_name="", last_name=""))

    ambassador.refresh_from_db()
    assert response.status_code == 200
    assert ambassador.get_full_name() == "Camille Durand"


def test_profile_lists_every_role_and_the_account_security_pages(client, ambassador):
    programme = make_programme(name="La Transfo 2016–2020")
    Coordination.objects.create(programme=programme, user=ambassador)
    LabMembership.objects.create(lab=make_lab(name="La Transfo de Metz"), user=ambassador, role=LabMembership.Role.HOST)

    page = client.get(PROFILE_URL).content.decode()

    assert "Coordination du programme La Transfo 2016–2020" in page
    assert "Résident·e « at home »</span> — La Transfo de Metz" in page
    assert "Ambassadeur·rice" in page
    assert "Réseau / relais" in page
    for url in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/compte/donnees.json"):
        assert f'href="{url}"' in page


def test_profile_of_a_person_without_lab_rows_edits_names_only(client):
    admin = make_user(is_superuser=True, is_staff=True, first_name="Dominique")
    client.force_login(admin)

    page = client.get(PROFILE_URL).content.decode()
    response = client.post(PROFILE_URL, {"first_name": "Dom", "last_name": "Admin"})

    admin.refresh_from_db()
    assert 'name="metier"' not in page
    assert 'name="photo"' not in page
    assert 'name="public_consent"' not in page
    assert response.status_code == 302
    assert admin.get_full_name() == "Dom Admin"


def test_profile_of_a_resident_asks_for_a_discipline(client):
    resident = make_resident(make_lab(), discipline="designer").user
    client.force_login(resident)

    page = client.get(PROFILE_URL).content.decode()

    assert 'for="id_metier">Discipline</label>' in page
    assert 'value="designer"' in page
    assert 'name="photo"' not in page


def count_profile_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PROFILE_URL).status_code == 200
    return len(queries)


def test_profile_page_query_count_does_not_grow_with_the_roles(client, ambassador):
    with_two = count_profile_queries(client)
    for _ in range(2):
        make_ambassador(make_lab(), user=ambassador)
        make_resident(make_lab(), user=ambassador)
        Coordination.objects.create(programme=make_programme(), user=ambassador)

    assert with_two == count_profile_queries(client) == exactly(8)  # 2: the mails' language and notifications


@pytest.mark.parametrize("path", ["/compte/", "/compte/donnees.json", "/compte/effacement/"])
def test_account_pages_send_anonymous_visitors_to_the_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
