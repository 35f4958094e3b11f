"""Checking the photos and files attached to a journal entry, by their content.

Nothing here trusts a file's name or the content type the browser declared: a photo is what
common.images reads as one (and it keeps only its pixels), a document is a PDF by its magic bytes
or an office document by the manifest inside its ZIP. The original of a photo is never kept.
Stored names are random, so the user's file name never reaches the file system.
"""
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext

from common.images import THUMBNAIL_SIDE, PixelBudget, clean_image, display_name, read_header

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 20

# The manifest entries that say what an office document is (ODF `mimetype`, OOXML content types).
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "jpg": "image/jpeg",
    "png": "image/png",
}


@dataclass
class CheckedFile:
    """A file that passed the checks, ready to store: ``kind`` is "photo" or "file"."""

    kind: str
    content: ContentFile
    original_name: str
    thumbnail: ContentFile | None = None


def content_type_for(name: str) -> str:
    """The content type to serve a stored attachment with (its name was chosen by us)."""
    extension = name.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")


def thumbnail_name(name: str) -> str:
    """Where a photo's thumbnail is stored, next to it."""
    stem, _dot, extension = name.rpartition(".")
    return f"{stem}-vignette.{extension}"


def _read_head(upload, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _office_extension(upload) -> str | None:
    """docx/xlsx/pptx/odt/ods/odp when the ZIP's own manifest says so, else None."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                return ODF_TYPES.get(archive.read("mimetype").decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names and archive.getinfo("[Content_Types].xml").file_size < 1_000_000:
                manifest = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                for content_type, extension in OOXML_TYPES.items():
                    if f'ContentType="{content_type}"' in manifest:
                        return extension
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError, RuntimeError, NotImplementedError):
        return None
    finally:
        upload.seek(0)
    return None


def _check_size(upload, display_name: str) -> None:
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            gettext("« %(name)s » pèse %(size)s Mo : 10 Mo au plus par fichier.")
            % {"name": display_name, "size": round(upload.size / 1024 / 1024, 1)}
        )
    if upload.size == 0:
        raise ValidationError(gettext("« %(name)s » est vide.") % {"name": display_name})


def _as_document(upload, display_name: str) -> CheckedFile:
    extension = "pdf" if _read_head(upload, 5) == b"%PDF-" else _office_extension(upload)
    if extension is None:
        raise ValidationError(
            gettext(
                "« %(name)s » n'est pas accepté : seuls les photos, les PDF et les documents "
                "bureautiques (Word, Excel, PowerPoint, OpenDocument) le sont."
            )
            % {"name": display_name}
        )
    upload.seek(0)
    return CheckedFile(
        kind="file",
        content=ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.{extension}"),
        original_name=display_name,
    )


def _as_photo(upload, display_name: str) -> CheckedFile:
    clean = clean_image(upload, name=display_name, thumbnail_side=THUMBNAIL_SIDE)
    content = clean.file()
    return CheckedFile(
        kind="photo",
        content=content,
        original_name=display_name,
        thumbnail=ContentFile(clean.thumbnail, name=thumbnail_name(content.name)),
    )


def check_upload(upload) -> CheckedFile:
    """Accept one uploaded file by its content, or raise a ValidationError naming it."""
    return check_uploads([upload])[0]


def check_uploads(uploads) -> list[CheckedFile]:
    """Check every file; if any is refused, raise one ValidationError listing each refusal.

    Every file is judged by its header first and the photos counted against the pixels one
    request may decode (common.images), so that a refusal comes before any photo is decoded.
    """
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise ValidationError(gettext("%(count)s fichiers au plus par entrée.") % {"count": MAX_FILES})
    budget, over_budget = PixelBudget(), False
    # A CheckedFile for each document; (upload, name) for each photo, decoded once all passed.
    checked, errors = [], []
    for upload in uploads:
        name = display_name(upload)
        try:
            _check_size(upload, name)
            header = read_header(upload, name=name)
            if header is None:
                checked.append(_as_document(upload, name))
                continue
            checked.append((upload, name))
            if not over_budget:
                budget.spend(header)
        except ValidationError as error:
            over_budget = over_budget or getattr(error, "code", None) == "too_many_pixels_in_request"
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    # Only now, every file accepted by its header, are the photos decoded.
    for position, item in enumerate(checked):
        if isinstance(item, tuple):
            try:
                checked[position] = _as_photo(*item)
            except ValidationError as error:
                errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked
