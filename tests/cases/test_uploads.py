"""Journal uploads are judged by their content: photos are cleaned, documents checked, the rest refused."""
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from cases.uploads import MAX_FILE_BYTES, check_upload, check_uploads
from common.images import PHOTO_SIDE


def jpeg_with_gps(size=(3000, 1500)):
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Téléphone"
    exif[ExifTags.Base.Orientation] = 1
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (47.0, 45.0, 0.0)}
    )
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def office_zip(entries):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return output.getvalue()


DOCX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def test_jpeg_with_gps_is_stored_without_any_exif_and_scaled_down():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    checked = check_upload(upload("vacances.jpg", original, "image/jpeg"))

    stored = Image.open(io.BytesIO(checked.content.read()))
    assert checked.kind == "photo"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert max(stored.size) == PHOTO_SIDE
    thumbnail = Image.open(io.BytesIO(checked.thumbnail.read()))
    assert dict(thumbnail.getexif()) == {}
    assert max(thumbnail.size) < PHOTO_SIDE


def test_stored_name_is_random_and_never_the_users():
    checked = check_upload(upload("../../etc/passwd.jpg", jpeg_with_gps((40, 30)), "image/jpeg"))

    assert "passwd" not in checked.content.name
    assert checked.content.name.endswith(".jpg")
    assert checked.original_name == "passwd.jpg"


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
        ("dessin.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("programme.exe", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ("archive.docx", office_zip({"evil.sh": "rm -rf /"})),
    ],
)
def test_content_that_is_no_photo_nor_document_is_refused_naming_the_file(name, content):
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content, "image/jpeg"))

    assert name in refused.value.messages[0]
    assert "n'est pas accepté" in refused.value.messages[0]


def test_forged_content_type_does_not_make_html_a_pdf():
    with pytest.raises(ValidationError):
        check_upload(upload("rapport.pdf", b"<html>nope</html>", "application/pdf"))


def test_file_over_the_limit_is_refused_with_its_size():
    big = upload("gros.pdf", b"%PDF-1.7\n" + b"0" * MAX_FILE_BYTES)

    with pytest.raises(ValidationError) as refused:
        check_upload(big)

    assert "gros.pdf" in refused.value.messages[0]
    assert "10 Mo au plus" in refused.value.messages[0]


def test_decompression_bomb_is_refused_before_decoding():
    output = io.BytesIO()
    # 10 000 × 10 000 pixels of one colour: a few hundred kilobytes that would need 100 Mpx of memory.
    Image.new("1", (10_000, 10_000)).save(output, format="PNG")

    with pytest.raises(ValidationError) as refused:
        check_upload(upload("bombe.png", output.getvalue(), "image/png"))

    assert "bombe.png" in refused.value.messages[0]
    assert "trop grande" in refused.value.messages[0]


def test_truncated_jpeg_is_refused_not_a_server_error():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("coupee.jpg", jpeg_with_gps((400, 300))[:300], "image/jpeg"))

    assert "coupee.jpg" in refused.value.messages[0]


@pytest.mark.parametrize(
    "name, content, extension",
    [
        ("compte-rendu.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "pdf"),
        ("note.bin", office_zip({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": "<w/>"}), "docx"),
        ("tableau", office_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), "ods"),
    ],
)
def test_documents_are_accepted_by_their_content_whatever_their_name(name, content, extension):
    checked = check_upload(upload(name, content, "text/plain"))

    assert checked.kind == "file"
    assert checked.content.name.endswith("." + extension)


def test_one_refused_file_refuses_the_batch_with_every_reason():
    files = [
        upload("bon.pdf", b"%PDF-1.4\n"),
        upload("faux.jpg", b"<html></html>"),
        upload("vide.pdf", b""),
    ]

    with pytest.raises(ValidationError) as refused:
        check_uploads(files)

    assert len(refused.value.messages) == 2
    assert "faux.jpg" in refused.value.messages[0]
    assert "vide.pdf" in refused.value.messages[1]
