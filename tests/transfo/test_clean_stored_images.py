"""manage.py clean_stored_images: the photos stored before uploads were cleaned keep only their
pixels, in place, without a row ever pointing to a missing file; a second run changes nothing."""
import hashlib
import io
import os
import signal
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from ambassadors.models import Ambassador
from cases.models import Attachment
from cases.uploads import thumbnail_name
from common.images import metadata_in
from programmes.models import Visibility
from sessions.models import SessionPhoto

from docs.opendata import image_entry_name, open_bundle, write_bundle

from ..docs.helpers_opendata import image_block, make_image, published
from ..factories import make_ambassador, make_case, make_entry, make_lab, make_session
from ..images import MARKER, assert_only_pixels, jpeg_with_comment, png_with_text

pytestmark = pytest.mark.django_db

WagtailImage = get_image_model()
PDF = b"%PDF-1.4\n% " + MARKER + b"\n%%EOF\n"
NOT_AN_IMAGE = b"\xff\xd8\xff\xe0 this was never a photo " + MARKER


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def store(name, content):
    """A file written straight into the storage, as the platform stored uploads before they were cleaned."""
    return default_storage.save(name, ContentFile(content))


def webp_with_exif():
    exif = Image.Exif()
    exif[0x010F] = MARKER.decode()  # Make
    output = io.BytesIO()
    Image.new("RGB", (90, 60), (30, 160, 90)).save(output, format="WEBP", exif=exif)
    return output.getvalue()


def wagtail_image(name, content, size):
    """A Wagtail image row as an old database holds it: ``bulk_create`` skips the cleaning at save."""
    (image,) = WagtailImage.objects.bulk_create(
        [WagtailImage(title=name, file=store(name, content), width=size[0], height=size[1], file_size=len(content))]
    )
    return WagtailImage.objects.get(pk=image.pk)


def dirty_rendition(image, spec="width-40"):
    """A rendition of ``image`` whose file carries a comment (as Willow copied the original's metadata)."""
    rendition = image.get_rendition(spec)
    default_storage.delete(rendition.file.name)
    assert store(rendition.file.name, jpeg_with_comment((40, 30))) == rendition.file.name
    return rendition


class OldDatabase:
    """One of every stored image the platform serves, written before uploads were cleaned."""

    def __init__(self):
        lab = make_lab()
        case = make_case(lab, visibility=Visibility.PUBLIC)
        entry = make_entry(case)
        photo = store("journal/2019/05/atelier.jpg", jpeg_with_comment((800, 600)))
        store(thumbnail_name(photo), jpeg_with_comment((480, 360)))
        self.journal_jpeg = Attachment.objects.create(entry=entry, kind="photo", file=photo, caption="Atelier")
        # An older upload: no thumbnail stored at all.
        self.journal_png = Attachment.objects.create(
            entry=entry, kind="photo", file=store("journal/2019/05/schema.png", png_with_text())
        )
        self.document = Attachment.objects.create(entry=entry, kind="file", file=store("journal/2019/05/notes.pdf", PDF))
        session = make_session(lab)
        self.session_photo = SessionPhoto.objects.create(
            session=session, image=store("sessions/2019/05/groupe.jpg", jpeg_with_comment((640, 480)))
        )
        self.unreadable = SessionPhoto.objects.create(session=session, image=store("sessions/2019/05/abimee.jpg", NOT_AN_IMAGE))
        self.missing = SessionPhoto.objects.create(session=session, image="sessions/2019/05/disparue.jpg")
        self.ambassador = make_ambassador(lab, photo=store("ambassadors/camille.png", png_with_text((60, 80))))
        self.without_photo = make_ambassador(lab)
        self.wagtail = wagtail_image("original_images/affiche.jpg", jpeg_with_comment((640, 480)), (640, 480))
        WagtailImage.objects.filter(pk=self.wagtail.pk).update(
            focal_point_x=320, focal_point_y=240, focal_point_width=64, focal_point_height=48
        )
        self.old_rendition = dirty_rendition(self.wagtail)
        self.wagtail_webp = wagtail_image("original_images/ancienne.webp", webp_with_exif(), (90, 60))
        # A clean original whose rendition still carries what an older original had.
        self.clean_wagtail = wagtail_image("original_images/propre.png", _clean_png(), (30, 20))
        self.stale_rendition = dirty_rendition(self.clean_wagtail)

    def rows(self):
        """(row, its file's field) of every image the command must leave holding only pixels."""
        return [
            (Attachment.objects.get(pk=self.journal_jpeg.pk), "file"),
            (Attachment.objects.get(pk=self.journal_png.pk), "file"),
            (SessionPhoto.objects.get(pk=self.session_photo.pk), "image"),
            (Ambassador.objects.get(pk=self.ambassador.pk), "photo"),
            (WagtailImage.objects.get(pk=self.wagtail.pk), "file"),
            (WagtailImage.objects.get(pk=self.wagtail_webp.pk), "file"),
            (WagtailImage.objects.get(pk=self.clean_wagtail.pk), "file"),
        ]


def _clean_png():
    output = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 200, 20)).save(output, format="PNG")
    return output.getvalue()


def every_file():
    """Every file of the media storage, by name, with its content."""
    found, folders = {}, [""]
    while folders:
        folder = folders.pop()
        directories, files = default_storage.listdir(folder)
        folders.extend(f"{folder}{directory}/" for directory in directories)
        for name in files:
            with default_storage.open(f"{folder}{name}", "rb") as handle:
                found[f"{folder}{name}"] = handle.read()
    return found


def clean_stored_images(*args):
    output = io.StringIO()
    call_command("clean_stored_images", *args, stdout=output)
    return output.getvalue()


def read(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_every_stored_image_keeps_only_its_pixels_under_its_own_name():
    old = OldDatabase()
    before = every_file()

    output = clean_stored_images("--verbosity=2")

    for row, field in old.rows():
        assert_only_pixels(read(getattr(row, field).name))
    names = {(row._meta.model_name, row.pk): getattr(row, field).name for row, field in old.rows()}
    assert names == {
        ("attachment", old.journal_jpeg.pk): "journal/2019/05/atelier.jpg",
        ("attachment", old.journal_png.pk): "journal/2019/05/schema.png",
        ("sessionphoto", old.session_photo.pk): "sessions/2019/05/groupe.jpg",
        ("ambassador", old.ambassador.pk): "ambassadors/camille.png",
        ("image", old.wagtail.pk): "original_images/affiche.jpg",
        # A WebP becomes a JPEG: only its extension changes, and the row follows.
        ("image", old.wagtail_webp.pk): "original_images/ancienne.jpg",
        ("image", old.clean_wagtail.pk): "original_images/propre.png",
    }
    # Both journal photos have a clean thumbnail, the one that had none too.
    for photo in ("journal/2019/05/atelier.jpg", "journal/2019/05/schema.png"):
        assert_only_pixels(read(thumbnail_name(photo)))
    # No copy is left behind, the WebP is gone, and the rest is as it was.
    after = every_file()
    assert set(after) - {name for name in after if name.startswith("images/")} == (
        set(before) - {name for name in before if name.startswith("images/")} - {"original_images/ancienne.webp"}
    ) | {"original_images/ancienne.jpg", "journal/2019/05/schema-vignette.png"}
    for untouched in ("journal/2019/05/notes.pdf", "sessions/2019/05/abimee.jpg", "original_images/propre.png"):
        assert after[untouched] == before[untouched]
    assert f"cleaned: cases.Attachment #{old.journal_jpeg.pk} journal/2019/05/atelier.jpg" in output
    assert "Total: 9 checked, 7 cleaned, 0 already clean, 2 left alone" in output


def test_a_cleaned_wagtail_image_is_described_anew_and_its_renditions_rebuilt_from_it():
    old = OldDatabase()

    clean_stored_images()

    image = WagtailImage.objects.get(pk=old.wagtail.pk)
    content = read(image.file.name)
    assert (image.width, image.height, image.file_size) == (640, 480, len(content))
    assert image.get_file_hash() == hashlib.sha1(content).hexdigest()
    assert (image.focal_point_x, image.focal_point_y) == (320, 240)
    # The renditions of the old pixels are gone, rows and files; the new ones hold only pixels.
    Rendition = WagtailImage.get_rendition_model()
    for old_rendition in (old.old_rendition, old.stale_rendition):
        assert not Rendition.objects.filter(pk=old_rendition.pk).exists()
    assert {name for name in every_file() if name.startswith("images/")} == set()
    for rebuilt in (image, WagtailImage.objects.get(pk=old.clean_wagtail.pk)):
        rendition = rebuilt.get_rendition("width-40")
        assert_only_pixels(read(rendition.file.name))


def test_a_wagtail_image_over_the_side_limit_is_scaled_down_with_its_focal_point():
    image = wagtail_image("original_images/affiche-geante.jpg", jpeg_with_comment((2400, 1800)), (2400, 1800))
    WagtailImage.objects.filter(pk=image.pk).update(
        focal_point_x=1200, focal_point_y=900, focal_point_width=240, focal_point_height=180
    )

    clean_stored_images()

    image.refresh_from_db()
    assert (image.width, image.height) == (2000, 1500)
    assert (image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height) == (1000, 750, 200, 150)
    with Image.open(io.BytesIO(read(image.file.name))) as stored:
        assert stored.size == (2000, 1500)


def test_the_open_data_bundle_is_built_again_from_the_clean_originals():
    image = make_image()
    published("Avec photo", body=[image_block(image)])
    dirty = store("original_images/ancienne-photo.jpg", jpeg_with_comment((40, 30)))
    WagtailImage.objects.filter(pk=image.pk).update(file=dirty, file_size=default_storage.size(dirty))
    write_bundle()
    image.refresh_from_db()
    with open_bundle() as handle, zipfile.ZipFile(handle) as bundle:
        assert metadata_in(bundle.read(image_entry_name(image))) == ["COM"]

    clean_stored_images()

    with open_bundle() as handle, zipfile.ZipFile(handle) as bundle:
        assert_only_pixels(bundle.read(image_entry_name(image)))


def test_journal_photos_and_thumbnails_are_served_clean(client):
    old = OldDatabase()
    case = old.journal_jpeg.entry.case

    clean_stored_images()

    for attachment in (old.journal_jpeg, old.journal_png):
        for view in ("attachment", "attachment_thumbnail"):
            response = client.get(reverse(f"cases:{view}", args=[case.lab.slug, case.slug, attachment.pk]))
            assert response.status_code == 200
            assert_only_pixels(b"".join(response.streaming_content))


def test_a_file_that_cannot_be_read_is_reported_and_left_alone():
    old = OldDatabase()

    output = clean_stored_images()

    assert f"session photos #{old.unreadable.pk} sessions/2019/05/abimee.jpg: « abimee.jpg » n'est pas une image lisible" in output
    assert f"session photos #{old.missing.pk} sessions/2019/05/disparue.jpg: missing file" in output
    assert read("sessions/2019/05/abimee.jpg") == NOT_AN_IMAGE
    assert SessionPhoto.objects.get(pk=old.unreadable.pk).image.name == "sessions/2019/05/abimee.jpg"


def test_a_second_run_changes_nothing_and_says_so():
    OldDatabase()
    clean_stored_images()
    files = every_file()

    output = clean_stored_images()

    assert every_file() == files
    assert "Total: 9 checked, 0 cleaned, 7 already clean, 2 left alone" in output
    assert "Nothing to clean" in output


def test_a_dry_run_writes_nothing_and_says_what_a_run_would_do():
    old = OldDatabase()
    files = every_file()
    rows = [(row.pk, getattr(row, field).name) for row, field in old.rows()]

    output = clean_stored_images("--dry-run")

    assert every_file() == files
    assert [(row.pk, getattr(row, field).name) for row, field in old.rows()] == rows
    assert "Total: 9 checked, 7 to clean, 0 already clean, 2 left alone" in output
    assert "7 image(s) would be cleaned." in output


class Crash(BaseException):
    """The process dying at a given moment (nothing catches a BaseException on the way)."""


def test_a_run_stopped_at_any_write_leaves_no_row_without_its_file_and_the_next_run_finishes(monkeypatch, settings, tmp_path):
    writes = {"count": 0, "crash_at": None}
    save, delete = FileSystemStorage.save, FileSystemStorage.delete

    def counted(method):
        def write(self, *args, **kwargs):
            writes["count"] += 1
            if writes["count"] == writes["crash_at"]:
                raise Crash
            return method(self, *args, **kwargs)

        return write

    monkeypatch.setattr(FileSystemStorage, "save", counted(save))
    monkeypatch.setattr(FileSystemStorage, "delete", counted(delete))

    def small_old_database():
        entry = make_entry()
        photo = store("journal/2019/05/atelier.jpg", jpeg_with_comment())
        store(thumbnail_name(photo), jpeg_with_comment((32, 24)))
        Attachment.objects.create(entry=entry, kind="photo", file=photo)
        dirty_rendition(wagtail_image("original_images/affiche.jpg", jpeg_with_comment((640, 480)), (640, 480)))

    def rows_point_to_files():
        named = [attachment.file.name for attachment in Attachment.objects.all()]
        named += [image.file.name for image in WagtailImage.objects.all()]
        named += [rendition.file.name for rendition in WagtailImage.get_rendition_model().objects.all()]
        return all(default_storage.exists(name) for name in named)

    crash_at = 1
    while True:
        settings.MEDIA_ROOT = str(tmp_path / f"run-{crash_at}")
        Attachment.objects.all().delete()
        WagtailImage.objects.all().delete()
        small_old_database()
        writes.update(count=0, crash_at=crash_at)
        try:
            clean_stored_images()
        except Crash:
            pass
        else:
            break  # past the last write: every moment has been tried
        assert rows_point_to_files(), f"stopped at write {crash_at}"
        writes["crash_at"] = None
        assert "0 left alone" in clean_stored_images()
        assert rows_point_to_files()
        for attachment in Attachment.objects.all():
            assert_only_pixels(read(attachment.file.name))
            assert_only_pixels(read(thumbnail_name(attachment.file.name)))
        for image in WagtailImage.objects.all():
            assert_only_pixels(read(image.file.name))
            assert_only_pixels(read(image.get_rendition("width-40").file.name))
        crash_at += 1
    assert crash_at > 10  # each step of both replacements was interrupted once


def test_ctrl_c_lets_the_file_at_hand_finish_and_stops_the_walk(monkeypatch):
    old = OldDatabase()
    save, handler = FileSystemStorage.save, signal.getsignal(signal.SIGINT)

    def save_then_interrupt(self, *args, **kwargs):
        monkeypatch.setattr(FileSystemStorage, "save", save)
        name = save(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return name

    monkeypatch.setattr(FileSystemStorage, "save", save_then_interrupt)

    output = clean_stored_images()

    assert "Interrupted: run the command again to finish." in output
    assert "Total: 1 checked, 1 cleaned" in output
    journal = Attachment.objects.get(pk=old.journal_jpeg.pk)
    assert journal.file.name == "journal/2019/05/atelier.jpg"
    assert_only_pixels(read(journal.file.name))
    assert metadata_in(read(SessionPhoto.objects.get(pk=old.session_photo.pk).image.name)) == ["COM"]
    assert signal.getsignal(signal.SIGINT) is handler
