"""Uploads in an S3-compatible bucket (common.storage), against a real S3 API (tests/bucket.py).

Public files (Wagtail images and renditions, the open-data bundle) are read from the bucket's
address by anyone; private ones (journal attachments, session photos, documents) are refused
without a signature and reached through the views that check who asks.
"""
import io
import re
import uuid
import zipfile
from urllib.parse import parse_qs, unquote, urlsplit

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from cases.models import Attachment
from common.storage import BACKEND, storage_settings
from docs.archive import file_name_for
from docs.opendata import BUNDLE_STORAGE_NAME, write_bundle
from sessions.models import SessionPhoto
from sessions.services import add_session_photo

from ..bucket import SIGNED_URL_SECONDS, anonymous_get, bucket, moto_endpoint, objects  # noqa: F401 (fixtures)
from ..docs.helpers_opendata import image_block, make_image, published
from ..transfo.test_settings import PRODUCTION_ENV, run_manage
from ..factories import make_ambassador, make_case, make_lab, make_session, make_user

pytestmark = pytest.mark.django_db


def jpeg(size=(120, 90)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(output, format="JPEG")
    return output.getvalue()


def png(size=(60, 40)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(output, format="PNG")
    return output.getvalue()


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Settings ---------------------------------------------------------------------------------


def settings_from(monkeypatch, **variables):
    for name in ("STORAGE_URL", "S3_ENDPOINT_URL", "S3_BUCKET", "S3_REGION", "S3_ACCESS_KEY_ID",
                 "S3_SECRET_ACCESS_KEY", "S3_PUBLIC_URL", "S3_PUBLIC_ACL", "S3_SIGNED_URL_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return storage_settings(environ.Env())


def test_without_s3_settings_the_uploads_stay_on_the_local_disk(monkeypatch):
    assert settings_from(monkeypatch) is None


def test_one_storage_url_or_separate_s3_variables_give_the_same_bucket(monkeypatch):
    from_url = settings_from(monkeypatch, STORAGE_URL="s3://CLE:s%2Fecret@s3.fr-par.scw.cloud/transfo-media?region=fr-par")
    separate = settings_from(monkeypatch, S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud", S3_BUCKET="transfo-media",
                             S3_REGION="fr-par", S3_ACCESS_KEY_ID="CLE", S3_SECRET_ACCESS_KEY="s/ecret")

    assert from_url == separate
    assert from_url["BACKEND"] == BACKEND
    assert from_url["OPTIONS"]["secret_key"] == "s/ecret"
    assert from_url["OPTIONS"]["endpoint_url"] == "https://s3.fr-par.scw.cloud"


@pytest.mark.parametrize("variables, named", [
    ({"S3_BUCKET": "transfo-media"}, "S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY"),
    ({"S3_ENDPOINT_URL": "https://s3.example.org", "S3_ACCESS_KEY_ID": "k", "S3_SECRET_ACCESS_KEY": "s"}, "S3_BUCKET"),
    ({"STORAGE_URL": "s3://s3.example.org/transfo-media"}, "STORAGE_URL"),
    ({"STORAGE_URL": "https://k:s@s3.example.org/transfo-media"}, "s3://"),
    ({"STORAGE_URL": "s3://k:s@s3.example.org/b", "S3_BUCKET": "transfo-media"}, "pas les deux"),
])
def test_half_given_s3_settings_stop_the_start_saying_what_is_missing(monkeypatch, variables, named):
    with pytest.raises(ImproperlyConfigured, match=named) as raised:
        settings_from(monkeypatch, **variables)
    assert " / " in str(raised.value)  # French, then English


# --- Public and private objects ---------------------------------------------------------------


def test_a_private_object_is_refused_without_its_signature_and_read_with_it(bucket, moto_endpoint):
    """moto checks the signature but not the expiry of a presigned URL (with SigV2 or SigV4 alike),
    so the expiry is proven by the lifetime the URL carries: X-Amz-Expires, which S3 enforces, is
    the short lifetime configured (S3_SIGNED_URL_SECONDS), not django-storages' hour."""
    name = default_storage.save("journal/2026/03/compte-rendu.pdf", ContentFile(b"%PDF-1.4 prive"))
    signed = default_storage.url(name)
    unsigned = f"{moto_endpoint}/{bucket}/{name}"

    assert anonymous_get(unsigned)[0] == 403
    assert anonymous_get(signed) == (200, b"%PDF-1.4 prive")
    query = parse_qs(urlsplit(signed).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == [str(SIGNED_URL_SECONDS)]
    assert objects(moto_endpoint, bucket) == [name]


def test_wagtail_images_and_renditions_are_read_by_anyone_at_an_unsigned_address(bucket, moto_endpoint, tmp_path):
    image = get_image_model().objects.create(title="Atelier", file=ContentFile(png(), name="atelier.png"))
    rendition = image.get_rendition("width-20")

    for url in (image.file.url, rendition.url):
        assert url.startswith(f"{moto_endpoint}/{bucket}/")
        assert "X-Amz-" not in url
        status, body = anonymous_get(url)
        assert status == 200 and body.startswith(b"\x89PNG")
    assert {key.split("/")[0] for key in objects(moto_endpoint, bucket)} == {"original_images", "images"}
    assert not (tmp_path / "local-disk").exists()


def test_a_cdn_address_replaces_the_bucket_s_for_public_files_only(bucket, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        **settings.STORAGES["default"],
        "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "public_url": "https://cdn.example.org/media"},
    }}

    assert default_storage.url("images/atelier.width-20.png") == "https://cdn.example.org/media/images/atelier.width-20.png"
    assert "X-Amz-Signature" in default_storage.url("sessions/2026/03/atelier.jpg")
    assert not default_storage.url("sessions/2026/03/atelier.jpg").startswith("https://cdn.example.org")


# --- The views that check who asks, with the files in the bucket ------------------------------


def test_journal_photo_is_uploaded_thumbnailed_and_served_by_its_view_only(client, bucket, moto_endpoint):
    lab = make_lab()
    member = make_user()
    case = make_case(lab)
    case.team.add(make_ambassador(lab, user=member))
    client.force_login(member)

    response = client.post(
        reverse("cases:entry_create", kwargs={"lab_slug": lab.slug, "slug": case.slug}),
        {"done": "Nous avons interrogé dix usagers.", "entry_date": "2016-09-12", "token": str(uuid.uuid4()),
         "files": [SimpleUploadedFile("tableau.jpg", jpeg(), "image/jpeg")]},
    )
    photo = Attachment.objects.get()
    kwargs = {"lab_slug": lab.slug, "slug": case.slug, "pk": photo.pk}
    full = client.get(reverse("cases:attachment", kwargs=kwargs))
    thumbnail = client.get(reverse("cases:attachment_thumbnail", kwargs=kwargs))
    outside = Client().get(reverse("cases:attachment", kwargs=kwargs))

    assert response.status_code == 302
    stored = objects(moto_endpoint, bucket)
    assert photo.file.name in stored and len(stored) == 2  # the photo and its thumbnail
    assert full.status_code == thumbnail.status_code == 200
    assert Image.open(io.BytesIO(streamed(full))).size == (120, 90)
    assert streamed(thumbnail) != b""
    assert outside.status_code == 302
    assert anonymous_get(f"{moto_endpoint}/{bucket}/{photo.file.name}")[0] == 403


def test_session_photo_is_streamed_by_its_view_and_never_public(client, bucket, moto_endpoint):
    lab = make_lab()
    session = make_session(lab, number=1)
    photo = add_session_photo(session=session, image=ContentFile(jpeg(), name="atelier.jpg"))
    insider = make_user()
    make_ambassador(lab, user=insider)
    client.force_login(insider)

    served = client.get(reverse("lab_sessions:session_photo", kwargs={"lab_slug": lab.slug, "number": 1, "pk": photo.pk}))

    assert served.status_code == 200
    assert streamed(served) == jpeg()
    assert SessionPhoto.objects.get().image.name in objects(moto_endpoint, bucket)
    assert anonymous_get(f"{moto_endpoint}/{bucket}/{photo.image.name}")[0] == 403


def test_a_wagtail_document_is_streamed_after_wagtail_s_own_check(client, bucket, moto_endpoint):
    document = get_document_model().objects.create(title="Programme", file=ContentFile(b"%PDF-1.4 doc", name="programme.pdf"))

    served = client.get(document.url)

    assert served.status_code == 200
    assert streamed(served) == b"%PDF-1.4 doc"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert anonymous_get(f"{moto_endpoint}/{bucket}/{document.file.name}")[0] == 403


def test_the_open_data_bundle_is_written_to_the_bucket_and_read_there_by_anyone(client, bucket, moto_endpoint):
    assert write_bundle() is True
    assert write_bundle() is False  # the same content: the object is left alone
    # The fingerprint is kept with the object: the check reads no zip.
    kept = default_storage.metadata(BUNDLE_STORAGE_NAME)["fingerprint"]
    with default_storage.open(BUNDLE_STORAGE_NAME, "rb") as handle, zipfile.ZipFile(handle) as archive:
        assert archive.comment.decode() == kept

    response = client.get(reverse("opendata:download"))

    assert objects(moto_endpoint, bucket) == [BUNDLE_STORAGE_NAME]
    assert response.status_code == 302
    assert response["Location"] == f"{moto_endpoint}/{bucket}/{BUNDLE_STORAGE_NAME}"
    status, body = anonymous_get(response["Location"])
    assert status == 200 and body.startswith(b"PK")
    assert client.get(reverse("opendata:index")).status_code == 200


# --- At start -----------------------------------------------------------------------------------


def test_production_refuses_to_start_on_half_given_s3_settings_and_passes_its_checks_on_a_bucket():
    half = run_manage("check", env={**PRODUCTION_ENV, "S3_BUCKET": "transfo-media"})
    whole = run_manage("check", "--deploy", "--fail-level", "WARNING",
                       env={**PRODUCTION_ENV, "STORAGE_URL": "s3://k:s@s3.fr-par.scw.cloud/transfo-media?region=fr-par"})

    assert half.returncode != 0
    assert "Stockage S3 incomplet, il manque : S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY" in half.stderr
    assert "Incomplete S3 storage, missing" in half.stderr
    assert whole.returncode == 0, whole.stderr[-2000:]


def test_the_static_archive_copies_the_public_images_from_the_bucket(bucket, tmp_path):
    page = published("Un atelier en images", body=[image_block(make_image("Atelier"))])
    output = tmp_path / "archive"

    call_command("archive_site", output=str(output), stdout=io.StringIO())

    page_file = output / file_name_for(page.url, "text/html")
    html = page_file.read_text(encoding="utf-8")
    images = re.findall(r'src="([^"]*images/[^"]*)"', html)
    assert images and not images[0].startswith("http")
    copied = (page_file.parent / unquote(images[0])).resolve()
    with default_storage.open(copied.relative_to((output / "media").resolve()).as_posix(), "rb") as stored:
        assert copied.read_bytes() == stored.read()


def test_an_old_media_address_of_a_public_file_leads_to_the_bucket(client, bucket, moto_endpoint):
    response = client.get("/media/images/atelier.width-20.png")

    assert response.status_code == 301
    assert response["Location"] == f"{moto_endpoint}/{bucket}/images/atelier.width-20.png"
    assert client.get("/media/journal/2026/03/photo.jpg").status_code == 404
