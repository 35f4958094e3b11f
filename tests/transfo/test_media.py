"""Uploads as production serves them: public ones (Wagtail images, logos) at /media/, private ones never.

Private files (journal attachments, session photos, people's photos, Wagtail documents) are
reached only through their permission-checked views; /media/ answers 404 for them whatever the
path's spelling.
"""
import io
import textwrap

import pytest
from django.contrib.auth.models import Permission
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from tests.factories import make_ambassador, make_lab, make_user

from .test_settings import PRODUCTION_ENV, run_manage

PRIVATE_FILES = [
    "journal/2026/03/compte-rendu.pdf",
    "journal/2026/03/photo.jpg",
    "sessions/2026/03/atelier.jpg",
    "ambassadors/camille.jpg",
    "documents/programme.pdf",
    "opendata/documentation-transfo.zip",
]
SPELLINGS = ["{path}", "images/../{path}", "images/%2e%2e/{path}", "./{path}", "images//../{path}"]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    for name in PRIVATE_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"private")
    return tmp_path


def png(name="photo.png"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 80, 40)).save(buffer, format="PNG")
    return ImageFile(buffer, name=name)


@pytest.mark.django_db
def test_a_wagtail_rendition_and_its_original_are_served_at_their_url(client, media_root):
    image = get_image_model().objects.create(title="Atelier", file=png())
    rendition = image.get_rendition("width-20")

    shown = client.get(rendition.url)
    original = client.get(image.file.url)

    assert rendition.url.startswith("/media/images/")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert "public" in shown["Cache-Control"]
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == (media_root / image.file.name).read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("name", PRIVATE_FILES)
def test_a_private_upload_is_never_served_from_media(client, media_root, name, spelling):
    response = client.get("/media/" + spelling.format(path=name))

    assert response.status_code == 404
    assert b"private" not in response.content


def test_production_settings_serve_a_public_upload_and_refuse_a_private_one(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "atelier.width-800.png").write_bytes(png().read())
    (tmp_path / "journal").mkdir()
    (tmp_path / "journal" / "secret.pdf").write_bytes(b"private")
    # The production URLconf and view, called without the middleware: the 404 page itself would
    # need a migrated database.
    script = textwrap.dedent("""
        from django.http import Http404
        from django.test import RequestFactory
        from django.urls import resolve

        def status(path):
            match = resolve(path)
            try:
                return match.func(RequestFactory().get(path, secure=True), *match.args, **match.kwargs).status_code
            except Http404:
                return 404

        print(status("/media/images/atelier.width-800.png"), status("/media/journal/secret.pdf"))
    """)

    result = run_manage("shell", "-c", script, env={**PRODUCTION_ENV, "DJANGO_MEDIA_ROOT": str(tmp_path)})

    assert result.stdout.strip().splitlines()[-1:] == ["200 404"], result.stderr


# --- People's photos ----------------------------------------------------------


@pytest.fixture
def ambassador_with_photo(db, media_root):
    ambassador = make_ambassador(make_lab(), user=make_user())
    ambassador.photo.save("camille.jpg", png("camille.jpg"))
    return ambassador


def photo_status(client, ambassador):
    return client.get(f"/photos/ambassadeurs/{ambassador.pk}/").status_code


def test_a_photo_without_consent_is_seen_by_its_owner_and_the_administration_only(client, ambassador_with_photo):
    ambassador = ambassador_with_photo
    stranger = make_user()
    manager = make_user(is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="view_ambassador"))

    anonymous = photo_status(client, ambassador)
    client.force_login(stranger)
    as_stranger = photo_status(client, ambassador)
    client.force_login(ambassador.user)
    as_owner = photo_status(client, ambassador)
    client.force_login(manager)
    as_manager = photo_status(client, ambassador)

    assert (anonymous, as_stranger, as_owner, as_manager) == (404, 404, 200, 200)
    assert client.get("/media/" + ambassador.photo.name).status_code == 404


def test_a_photo_with_consent_is_public(client, ambassador_with_photo):
    ambassador = ambassador_with_photo
    ambassador.public_consent = True
    ambassador.save()

    response = client.get(f"/photos/ambassadeurs/{ambassador.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_the_profile_page_shows_the_photo_through_its_view(client, ambassador_with_photo):
    client.force_login(ambassador_with_photo.user)

    page = client.get("/compte/").content.decode()

    assert f'src="/photos/ambassadeurs/{ambassador_with_photo.pk}/"' in page
    assert "/media/ambassadors/" not in page
