"""Checking the photos and files attached to a journal entry, by their content.

Nothing here trusts a file's name or the content type the browser declared: a photo is what
Pillow can decode whole, a document is a PDF by its magic bytes or an office document by the
manifest inside its ZIP. Photos are re-encoded, turned upright, scaled down and stripped of every
metadata (EXIF, so the GPS position too); the original is never kept. Stored names are random, so
the user's file name never reaches the file system.
"""
import io
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE = 2000
THUMBNAIL_SIDE = 480
# Well under Pillow's own bomb threshold: a phone photo is 12–50 Mpx, nothing honest is bigger.
MAX_PHOTO_PIXELS = 60_000_000
MAX_FILES = 20
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO", "HEIF"}

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


def _display_name(upload) -> str:
    # Shown back to the user only, always escaped; keep the last path part of what the browser sent.
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200] or gettext("fichier sans nom")


def _read_head(upload, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _encode(image, side: int) -> tuple[bytes, str]:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    has_alpha = copy.mode in ("RGBA", "LA") or (copy.mode == "P" and "transparency" in copy.info)
    output = io.BytesIO()
    # A fresh save without exif=/pnginfo= writes no metadata: no EXIF, no GPS, no comments.
    if has_alpha:
        copy.convert("RGBA").save(output, format="PNG", optimize=True)
        return output.getvalue(), "png"
    copy.convert("RGB").save(output, format="JPEG", quality=85, optimize=True)
    return output.getvalue(), "jpg"


def _as_photo(upload, display_name: str) -> CheckedFile | None:
    """The cleaned photo, None if the content is no image at all; ValidationError if it is a bad one."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    refused = ValidationError(
        gettext("« %(name)s » n'est pas une photo lisible (JPEG, PNG, WebP ou GIF).") % {"name": display_name}
    )
    bomb = ValidationError(
        gettext("« %(name)s » est une image trop grande (plus de %(mpx)s mégapixels).")
        % {"name": display_name, "mpx": MAX_PHOTO_PIXELS // 1_000_000}
    )
    with warnings.catch_warnings():
        # Pillow only warns below twice its limit: a warning is a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            upload.seek(0)
            with Image.open(upload) as probe:
                if probe.format not in PHOTO_FORMATS:
                    raise refused
                width, height = probe.size
                if width * height > MAX_PHOTO_PIXELS:
                    raise bomb
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it for real.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                photo, extension = _encode(upright, MAX_PHOTO_SIDE)
                thumbnail, _extension = _encode(upright, THUMBNAIL_SIDE)
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise bomb from None
        except UnidentifiedImageError:
            return None
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
            raise refused from None
    name = f"{uuid.uuid4().hex}.{extension}"
    return CheckedFile(
        kind="photo",
        content=ContentFile(photo, name=name),
        original_name=display_name,
        thumbnail=ContentFile(thumbnail, name=thumbnail_name(name)),
    )


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


def check_upload(upload) -> CheckedFile:
    """Accept one uploaded file by its content, or raise a ValidationError naming it."""
    display_name = _display_name(upload)
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            gettext("« %(name)s » pèse %(size)s Mo : 10 Mo au plus par fichier.")
            % {"name": display_name, "size": round(upload.size / 1024 / 1024, 1)}
        )
    if upload.size == 0:
        raise ValidationError(gettext("« %(name)s » est vide.") % {"name": display_name})
    photo = _as_photo(upload, display_name)
    if photo is not None:
        return photo
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


def check_uploads(uploads) -> list[CheckedFile]:
    """Check every file; if any is refused, raise one ValidationError listing each refusal."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise ValidationError(gettext("%(count)s fichiers au plus par entrée.") % {"count": MAX_FILES})
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked
