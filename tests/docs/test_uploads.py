"""Uploaded media are safe to publish: no SVG images, no EXIF or GPS, documents as downloads."""
import io

import pytest
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form

from ..factories import make_user

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _jpeg_with_gps(size=(64, 48)):
    image = PILImage.new("RGB", size, "teal")
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (47.0, 45.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_svg_image_upload_is_refused():
    form_class = get_image_form(get_image_model())
    form = form_class(
        data={"title": "Logo"},
        files={"file": SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")},
        user=make_user(is_superuser=True),
    )

    assert not form.is_valid()
    assert "file" in form.errors
    assert get_image_model().objects.count() == 0


def test_svg_upload_through_the_admin_is_refused(client):
    client.force_login(make_user(is_superuser=True, is_staff=True))

    response = client.post(
        "/cms/images/add/", {"title": "Logo", "file": SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")}
    )

    assert response.status_code == 200
    assert get_image_model().objects.count() == 0


def test_uploaded_photo_loses_its_exif_and_gps_but_stays_upright():
    image = get_image_model().objects.create(title="Photo", file=ImageFile(io.BytesIO(_jpeg_with_gps()), name="photo.jpg"))

    with image.open_file() as stored, PILImage.open(stored) as reopened:
        exif = reopened.getexif()
        size = reopened.size

    assert len(exif) == 0
    assert exif.get_ifd(0x8825) == {}
    assert size == (48, 64)
    assert (image.width, image.height) == (48, 64)


def test_renditions_of_a_cleaned_photo_carry_no_exif():
    image = get_image_model().objects.create(title="Photo", file=ImageFile(io.BytesIO(_jpeg_with_gps((400, 300))), name="p.jpg"))

    rendition = image.get_rendition("width-100")

    with rendition.file.open("rb") as stored, PILImage.open(stored) as reopened:
        assert len(reopened.getexif()) == 0


def test_uploaded_photo_through_the_admin_is_cleaned(client):
    client.force_login(make_user(is_superuser=True, is_staff=True))

    client.post("/cms/images/add/", {"title": "Photo", "file": SimpleUploadedFile("p.jpg", _jpeg_with_gps(), content_type="image/jpeg")})

    image = get_image_model().objects.get()
    with image.open_file() as stored, PILImage.open(stored) as reopened:
        assert len(reopened.getexif()) == 0


def test_documents_are_served_as_downloads_that_cannot_run(client):
    document = get_document_model().objects.create(
        title="Compte rendu", file=SimpleUploadedFile("compte-rendu.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    )

    response = client.get(document.url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
