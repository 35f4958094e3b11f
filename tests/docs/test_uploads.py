"""Uploaded media are safe to publish: no SVG images, no EXIF or GPS, documents as downloads."""
import io
import time

import pytest
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form

from common.images import PHOTO_SIDE

from ..factories import make_user
from ..images import assert_only_pixels, assert_upright_portrait, huge_png, jpeg_with_comment, phone_photo, png_with_text

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


COMMENTED = [("commentee.jpg", jpeg_with_comment()), ("texte.png", png_with_text())]
# Sizes the admin and the pages ask for: the listing's thumbnail, a cover, a converted copy.
RENDITIONS = ["max-165x165", "fill-800x450", "width-400|format-png", "width-400|format-jpeg"]


@pytest.fixture
def editor(client):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def assert_original_and_renditions_hold_only_pixels(image):
    with image.open_file() as stored:
        assert_only_pixels(stored.read())
    for spec in RENDITIONS:
        rendition = image.get_rendition(spec)
        with rendition.file.open("rb") as stored:
            assert_only_pixels(stored.read())


@pytest.mark.parametrize("name, content", COMMENTED, ids=["jpeg-com", "png-text"])
def test_image_added_in_the_admin_keeps_only_its_pixels_in_every_rendition(editor, name, content):
    response = editor.post("/cms/images/add/", {"title": "Atelier", "file": SimpleUploadedFile(name, content)})

    assert response.status_code == 302
    assert_original_and_renditions_hold_only_pixels(get_image_model().objects.get())


@pytest.mark.parametrize("name, content", COMMENTED, ids=["jpeg-com", "png-text"])
def test_image_of_a_multiple_upload_keeps_only_its_pixels(editor, name, content):
    response = editor.post("/cms/images/multiple/add/", {"files[]": SimpleUploadedFile(name, content)})

    assert response.json()["success"] is True
    assert_original_and_renditions_hold_only_pixels(get_image_model().objects.get())


def test_details_of_an_image_of_a_multiple_upload_are_saved_without_sending_the_file_again(editor):
    editor.post("/cms/images/multiple/add/", {"files[]": SimpleUploadedFile("a.jpg", jpeg_with_comment())})
    image = get_image_model().objects.get()

    response = editor.post(
        f"/cms/images/multiple/{image.pk}/",
        {f"image-{image.pk}-title": "Atelier du matin", f"image-{image.pk}-collection": image.collection_id},
    )

    image.refresh_from_db()
    assert response.json()["success"] is True
    assert image.title == "Atelier du matin"


def test_image_finished_in_the_second_step_of_a_multiple_upload_keeps_only_its_pixels(editor):
    # Without a title the upload is kept aside, raw, until the form is completed.
    first = editor.post("/cms/images/multiple/add/", {"title": "", "files[]": SimpleUploadedFile("a.jpg", jpeg_with_comment())})
    upload_id = first.json()["uploaded_file_id"]

    second = editor.post(
        f"/cms/images/multiple/create_from_uploaded_image/{upload_id}/",
        {f"uploaded-image-{upload_id}-title": "Atelier", f"uploaded-image-{upload_id}-collection": 1},
    )

    assert second.json()["success"] is True
    image = get_image_model().objects.get()
    assert_original_and_renditions_hold_only_pixels(image)
    assert (image.width, image.height) == (64, 48)


def test_image_file_replaced_in_the_admin_keeps_only_its_pixels(editor):
    editor.post("/cms/images/add/", {"title": "Atelier", "file": SimpleUploadedFile("a.png", png_with_text())})
    image = get_image_model().objects.get()

    editor.post(
        f"/cms/images/{image.pk}/",
        {"title": "Atelier", "collection": image.collection_id, "file": SimpleUploadedFile("b.jpg", jpeg_with_comment())},
    )

    image.refresh_from_db()
    assert image.file.name.endswith(".jpg")
    assert_original_and_renditions_hold_only_pixels(image)


def test_phone_photo_added_in_the_admin_stands_upright(editor):
    editor.post("/cms/images/add/", {"title": "Portrait", "file": SimpleUploadedFile("portrait.jpg", phone_photo())})

    image = get_image_model().objects.get()
    with image.open_file() as stored:
        assert_upright_portrait(stored.read(), PHOTO_SIDE)
    assert (image.width, image.height) == (PHOTO_SIDE * 3 // 4, PHOTO_SIDE)


def test_59_megapixel_png_is_refused_in_the_admin_with_the_limit(editor):
    poster = SimpleUploadedFile("affiche.png", huge_png())

    started = time.perf_counter()
    response = editor.post("/cms/images/add/", {"title": "Affiche", "file": poster})
    print(f"Wagtail admin: a 59-MP PNG refused in {time.perf_counter() - started:.2f} s")

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "« affiche.png » est une image trop grande (7700 × 7700 pixels) : 50 millions de pixels au plus par image."
    ]
    assert get_image_model().objects.count() == 0


def test_59_megapixel_png_is_refused_by_the_multiple_upload_with_the_limit(editor):
    response = editor.post("/cms/images/multiple/add/", {"files[]": SimpleUploadedFile("affiche.png", huge_png())})

    assert response.json() == {
        "success": False,
        "error_message": (
            "« affiche.png » est une image trop grande (7700 × 7700 pixels) : 50 millions de pixels au plus par image."
        ),
    }
    assert get_image_model().objects.count() == 0
