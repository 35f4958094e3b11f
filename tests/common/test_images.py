"""The one image sanitiser: pixels in, pixels out, nothing else; bombs and heavy batches refused
from their header, before anything is decoded."""
import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from common.images import (
    MAX_IMAGE_BYTES,
    MAX_REQUEST_PIXELS,
    PHOTO_SIDE,
    PixelBudget,
    clean_image,
    holds_only_pixels,
    read_header,
)

from ..images import (
    MARKER,
    assert_only_pixels,
    assert_upright_portrait,
    huge_png,
    jpeg_with_comment,
    metadata_in,
    phone_photo,
    png_with_text,
    with_jpeg_comment,
)


def upload(name, content):
    return SimpleUploadedFile(name, content)


def saved(image, format, **options):
    output = io.BytesIO()
    image.save(output, format=format, **options)
    return output.getvalue()


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width, height):
    """A PNG claiming these dimensions with almost no pixel data: enough to be judged by its header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_the_test_images_do_carry_metadata():
    assert metadata_in(jpeg_with_comment()) == ["COM"]
    assert metadata_in(png_with_text()) == ["tEXt", "iTXt", "zTXt"]


def progressive_jpeg():
    return saved(Image.radial_gradient("L").convert("RGB").resize((120, 80)), "JPEG", progressive=True, optimize=True)


def between_scans(jpeg, segment):
    """The JPEG with ``segment`` inserted after its first scan, before the next table."""
    second_scan_tables = jpeg.index(b"\xff\xc4", jpeg.index(b"\xff\xda"))
    return jpeg[:second_scan_tables] + segment + jpeg[second_scan_tables:]


@pytest.mark.parametrize(
    "content, found",
    [
        (progressive_jpeg(), []),
        (saved(Image.new("RGB", (40, 30)), "JPEG", dpi=(300, 300)), []),
        (saved(Image.new("RGBA", (40, 30)), "PNG"), []),
        # Past the first scan, where a check of the header alone would stop.
        (between_scans(progressive_jpeg(), b"\xff\xfe\x00\x05hi!"), ["COM"]),
        (progressive_jpeg() + MARKER, ["data after the end"]),
        (saved(Image.new("RGB", (40, 30)), "PNG") + MARKER, ["data after the end"]),
        (saved(Image.new("RGB", (40, 30)), "JPEG", icc_profile=b"profile"), ["APP2"]),
        (saved(Image.new("RGB", (40, 30)), "JPEG", exif=b"Exif\x00\x00" + MARKER), ["APP1"]),
        (saved(Image.new("RGB", (40, 30)), "PNG", dpi=(300, 300)), ["pHYs"]),
        (saved(Image.new("RGB", (40, 30)), "WEBP"), ["not a JPEG or PNG"]),
        (progressive_jpeg()[:200], ["no end"]),
    ],
    ids=[
        "progressive", "jfif-density", "png-alpha", "comment-between-scans", "jpeg-trailer", "png-trailer",
        "icc", "exif", "png-physical-size", "webp", "truncated",
    ],
)
def test_metadata_is_found_anywhere_in_a_stored_file_without_decoding_it(content, found):
    assert metadata_in(content) == found
    assert holds_only_pixels(content) is (found == [])


def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def exif_with_marker():
    exif = Image.Exif()
    exif[0x010F] = MARKER.decode()  # Make
    return exif


@pytest.mark.parametrize(
    "name, content",
    [
        ("commentaire.jpg", jpeg_with_comment()),
        ("texte.png", png_with_text()),
        ("transparente.png", png_with_text(mode="RGBA")),
        ("tout.jpg", with_jpeg_comment(saved(
            Image.new("RGB", (60, 40), "teal"), "JPEG", exif=exif_with_marker(), icc_profile=srgb_profile(),
        ))),
        ("animation.gif", saved(Image.new("P", (30, 20)), "GIF", comment=MARKER)),
        ("photo.webp", saved(Image.new("RGB", (30, 20)), "WEBP", exif=exif_with_marker(), xmp=MARKER)),
        ("profil.png", saved(Image.new("RGB", (30, 20)), "PNG", icc_profile=srgb_profile())),
    ],
)
def test_only_the_pixels_come_out_of_any_image(name, content):
    assert MARKER in content or metadata_in(content)

    clean = clean_image(upload(name, content), thumbnail_side=10)

    assert_only_pixels(clean.content)
    assert_only_pixels(clean.thumbnail)


def test_a_lossless_image_stays_a_png_and_a_photo_becomes_a_jpeg():
    assert clean_image(upload("a.png", png_with_text())).extension == "png"
    assert clean_image(upload("a.gif", saved(Image.new("P", (3, 2)), "GIF"))).extension == "png"
    assert clean_image(upload("a.jpg", jpeg_with_comment())).extension == "jpg"
    assert clean_image(upload("a.webp", saved(Image.new("RGBA", (3, 2)), "WEBP"))).extension == "png"


def test_a_phone_photo_passes_scaled_and_upright():
    clean = clean_image(upload("portrait.jpg", phone_photo()))

    assert_only_pixels(clean.content)
    assert_upright_portrait(clean.content, PHOTO_SIDE)
    assert (clean.width, clean.height) == (PHOTO_SIDE * 3 // 4, PHOTO_SIDE)


def test_twenty_phone_photos_fit_in_one_request():
    budget = PixelBudget()

    for number in range(20):
        budget.spend(read_header(upload(f"photo-{number}.jpg", phone_photo())))

    assert budget.spent <= MAX_REQUEST_PIXELS


def test_59_megapixels_are_refused_from_the_header_naming_the_file():
    poster = upload("affiche.png", huge_png())

    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        clean_image(poster)
    print(f"59-MP PNG refused in {time.perf_counter() - started:.3f} s")

    assert refused.value.messages == [
        "« affiche.png » est une image trop grande (7700 × 7700 pixels) : 50 millions de pixels au plus par image."
    ]


def test_a_bomb_past_pillows_own_limit_is_a_message_not_a_server_error():
    with pytest.raises(ValidationError) as refused:
        clean_image(upload("bombe.png", png_header_only(20_000, 20_000)))

    assert refused.value.messages == [
        "« bombe.png » est une image bien trop grande : 50 millions de pixels au plus par image."
    ]


def test_images_over_the_request_budget_are_refused_naming_the_first_one_over():
    budget = PixelBudget()
    headers = [read_header(upload(f"plan-{number}.png", png_header_only(6700, 6700))) for number in range(3)]

    budget.spend(headers[0])
    budget.spend(headers[1])
    with pytest.raises(ValidationError) as refused:
        budget.spend(headers[2])

    assert refused.value.messages == [
        "« plan-2.png » n'a pas été traitée : avec les images envoyées avant elle, cet envoi dépasse "
        "120 millions de pixels. Envoyez les autres images en une autre fois."
    ]


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", jpeg_with_comment()[:200], b"\x89PNG\r\n\x1a\n" + b"\xff" * 100],
    ids=["html", "truncated-jpeg", "broken-png"],
)
def test_what_is_no_readable_image_is_refused_naming_the_file(content):
    with pytest.raises(ValidationError) as refused:
        clean_image(upload("vacances.jpg", content))

    assert refused.value.messages == [
        "« vacances.jpg » n'est pas une image lisible : envoyez une photo JPEG, PNG, WebP, GIF ou HEIC."
    ]


def test_an_image_format_not_accepted_is_refused():
    with pytest.raises(ValidationError):
        clean_image(upload("scan.tif", saved(Image.new("RGB", (4, 4)), "TIFF")))


def test_an_image_over_the_weight_limit_is_refused_with_its_weight():
    heavy = upload("lourde.jpg", b"\xff" * (MAX_IMAGE_BYTES + 1))

    with pytest.raises(ValidationError) as refused:
        clean_image(heavy)

    assert refused.value.messages == ["« lourde.jpg » pèse 10.0 Mo : 10 Mo au plus par image."]
