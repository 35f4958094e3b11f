"""Cleaning the images stored before every upload went through common.images.

Those files may still hold a JPEG comment, EXIF, XMP, an ICC profile or PNG text, and they are
served: journal photos and their thumbnails, session photos, people's photos, Wagtail's originals
and their renditions. Each one is read through its storage (never a file-system path, so object
storage works too), checked by ``common.images.holds_only_pixels`` without decoding it, and, only when it
carries more than its pixels, re-cleaned by ``clean_image`` with the limits of its upload path.

A file is replaced so that no row ever points to a missing file, whenever the run stops: the clean
copy is saved first, then the row switched to it, then the old file deleted. Its name is kept: the
clean copy goes under a free name next to it, and once the old file is gone it is saved back under
the old name (a new extension when the format changes, a WebP becoming a JPEG). A file that cannot
be read, or is over the limits, is reported and left as it is.
"""
import hashlib
import io
import logging
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.images import get_image_model

from ambassadors.models import Ambassador
from cases.models import Attachment
from cases.uploads import thumbnail_name
from common.images import MAX_IMAGE_BYTES, PHOTO_SIDE, PORTRAIT_SIDE, THUMBNAIL_SIDE, clean_image, holds_only_pixels
from sessions.models import SessionPhoto

logger = logging.getLogger("transfo.stored_images")

# Rows read at a time: batches by primary key rather than one long cursor, because rows are
# updated while the walk goes on (SQLite gives a cursor no isolation from its own connection's writes).
BATCH_SIZE = 200
# A Wagtail focal point is scaled with its image, unless the image's proportions changed.
ASPECT_TOLERANCE = 0.02
FOCAL_POINT = ("focal_point_x", "focal_point_y", "focal_point_width", "focal_point_height")


class Unreadable(Exception):
    """A stored file that cannot be read, or is over the limits: it is reported and left alone."""


@dataclass(frozen=True)
class StoredImages:
    """The images of one model: which field, with the side its upload path scales them to."""

    label: str
    model: type
    field_name: str
    side: int
    filters: dict = field(default_factory=dict)
    # Journal photos: a thumbnail is stored next to each, named after it (cases.uploads).
    thumbnails: bool = False
    # Wagtail images: renditions are built from the original, and width, height, size, hash and
    # focal point describe it.
    renditions: bool = False

    @property
    def field(self):
        return self.model._meta.get_field(self.field_name)

    @property
    def storage(self):
        return self.field.storage

    def rows(self) -> Iterator[tuple[int, str]]:
        """(pk, stored name) of every row with a file, a batch at a time."""
        queryset = self.model.objects.filter(**self.filters).exclude(**{self.field_name: ""})
        last = None
        while True:
            batch = queryset.order_by("pk")
            if last is not None:
                batch = batch.filter(pk__gt=last)
            batch = list(batch.values_list("pk", self.field_name)[:BATCH_SIZE])
            yield from batch
            if len(batch) < BATCH_SIZE:
                return
            last = batch[-1][0]


def stored_images() -> list[StoredImages]:
    """Every kind of stored image that is served, with the limits its upload path uses today."""
    return [
        # cases.uploads: PHOTO_SIDE, and a THUMBNAIL_SIDE thumbnail.
        StoredImages("journal photos", Attachment, "file", PHOTO_SIDE, {"kind": Attachment.Kind.PHOTO}, thumbnails=True),
        # sessions.services.prepare_photo
        StoredImages("session photos", SessionPhoto, "image", PHOTO_SIDE),
        # accounts.services.clean_photo
        StoredImages("people's photos", Ambassador, "photo", PORTRAIT_SIDE),
        # docs.images (the admin's forms and the pre_save receiver)
        StoredImages("Wagtail images", get_image_model(), "file", PHOTO_SIDE, renditions=True),
    ]


@dataclass
class Report:
    """What a run found for one kind of image."""

    kind: StoredImages
    checked: int = 0
    cleaned: int = 0
    clean: int = 0
    # (pk, stored name, why) of each file left alone.
    left: list[tuple[int, str, str]] = field(default_factory=list)


class Cleaner:
    """Walks the stored images and cleans those that carry more than pixels.

    With ``dry_run`` nothing is written; every file is still read, and decoded when it would be
    cleaned, so that the report says which files a real run would leave alone.
    """

    def __init__(self, *, dry_run: bool = False, on_cleaned: Callable[[StoredImages, int, str], None] | None = None):
        self.dry_run = dry_run
        self.on_cleaned = on_cleaned

    def run(self, kind: StoredImages, should_stop: Callable[[], bool] = lambda: False) -> Report:
        report = Report(kind)
        for pk, name in kind.rows():
            if should_stop():
                break
            report.checked += 1
            try:
                cleaned = self.clean_one(kind, pk, name)
            except Unreadable as reason:
                report.left.append((pk, name, str(reason)))
                continue
            if cleaned:
                report.cleaned += 1
                if self.on_cleaned is not None:
                    self.on_cleaned(kind, pk, name)
            else:
                report.clean += 1
        return report

    def clean_one(self, kind: StoredImages, pk: int, name: str) -> bool:
        """Clean one row's file (and what is built from it); False when it held only pixels."""
        storage = kind.storage
        data = _read(storage, name)
        original_dirty = not holds_only_pixels(data)
        thumbnail_dirty = kind.thumbnails and not _stored_clean(storage, thumbnail_name(name))
        renditions = _dirty_renditions(kind, pk) if kind.renditions and not original_dirty else []
        if not (original_dirty or thumbnail_dirty or renditions):
            return False
        clean = None
        if original_dirty or thumbnail_dirty:
            try:
                clean = clean_image(
                    io.BytesIO(data),
                    name=posixpath.basename(name),
                    side=kind.side,
                    thumbnail_side=THUMBNAIL_SIDE if kind.thumbnails else None,
                )
            except ValidationError as error:
                raise Unreadable(" ".join(error.messages)) from None
        if self.dry_run:
            return True
        try:
            if original_dirty:
                _replace(kind, pk, name, clean)
                return True
            if thumbnail_dirty:
                _replace_thumbnail(storage, name, clean.thumbnail)
            if renditions:
                _delete_renditions(kind, renditions)
        except OSError as error:
            # A full disk, a storage that refuses: the steps done so far leave no row without its file.
            raise Unreadable(f"could not be written ({error.__class__.__name__}: {error})") from None
        return True


# --- Reading ---------------------------------------------------------------------------------


def _read(storage, name: str) -> bytes:
    try:
        size = storage.size(name)
        if size > MAX_IMAGE_BYTES:
            raise Unreadable(f"{size} bytes, over the limit of {MAX_IMAGE_BYTES}")
        with storage.open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise Unreadable("missing file") from None
    except (OSError, ValueError, SuspiciousFileOperation) as error:
        raise Unreadable(f"unreadable file ({error.__class__.__name__})") from None


def _stored_clean(storage, name: str) -> bool:
    """Whether a derived file (a thumbnail, a rendition) exists and holds only pixels."""
    try:
        return holds_only_pixels(_read(storage, name))
    except Unreadable:
        return False


def _dirty_renditions(kind: StoredImages, pk: int) -> list[tuple[int, str]]:
    renditions = kind.model.get_rendition_model().objects.filter(image_id=pk).values_list("pk", "file")
    return [(rendition, name) for rendition, name in renditions if not _stored_clean(kind.storage, name)]


# --- Writing: the clean copy first, then the row, then the old file goes ---------------------


def _replace(kind: StoredImages, pk: int, old: str, clean) -> None:
    storage = kind.storage
    stem, _extension = posixpath.splitext(old)
    wanted = f"{stem}.{clean.extension}"
    # The old file still holds ``wanted`` when the extension stays: the copy gets a free name.
    first = _store(kind, wanted, clean)
    if not _switch(kind, pk, old, first, _described(kind, pk, clean), drop_renditions=True):
        # The row changed or went while we worked: leave it, and remove only our copy.
        if first != old:
            _delete(kind, first)
        raise Unreadable("changed while being cleaned, left for the next run")
    if first == old:
        return  # a storage that overwrites in place (object storage) already replaced it
    _delete(kind, old)
    if first == wanted or storage.exists(wanted):
        return
    # The old name is free again: the clean copy goes back under it, the same way.
    final = _store(kind, wanted, clean)
    if final == wanted and _switch(kind, pk, first, final):
        _delete(kind, first)
    else:
        _delete(kind, final)


def _store(kind: StoredImages, name: str, clean) -> str:
    storage = kind.storage
    stored = storage.save(name, ContentFile(clean.content), max_length=kind.field.max_length)
    if kind.thumbnails:
        # No row points at ``stored`` yet: a thumbnail already under its name is a leftover.
        _replace_thumbnail(storage, stored, clean.thumbnail)
    return stored


def _replace_thumbnail(storage, photo: str, content: bytes) -> None:
    # While it is missing, the journal serves the photo itself (clean) in its place.
    name = thumbnail_name(photo)
    storage.delete(name)
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # taken meanwhile: the thumbnail would never be found under another name
        storage.delete(saved)


def _switch(kind: StoredImages, pk: int, old: str, new: str, described=None, *, drop_renditions=False) -> bool:
    """Point the row at ``new`` if it still points at ``old``, and commit.

    With ``drop_renditions``, the Wagtail renditions built from the old pixels go in the same
    transaction (their files once it is committed): Wagtail builds them again from the new file.
    The command runs in autocommit, so leaving the block commits.
    """
    renditions = []
    with transaction.atomic():
        updated = kind.model.objects.filter(pk=pk, **{kind.field_name: old}).update(
            **{kind.field_name: new}, **(described or {})
        )
        if updated and drop_renditions and kind.renditions:
            rows = kind.model.get_rendition_model().objects.filter(image_id=pk)
            renditions = list(rows.values_list("file", flat=True))
            rows.delete()
    for name in renditions:
        _delete_file(kind.storage, name)
    return bool(updated)


def _described(kind: StoredImages, pk: int, clean) -> dict:
    """The columns of a Wagtail image that describe its file, for the clean one."""
    if not kind.renditions:
        return {}
    image = kind.model.objects.only("width", "height", *FOCAL_POINT).get(pk=pk)
    described = {
        "width": clean.width,
        "height": clean.height,
        "file_size": len(clean.content),
        "file_hash": hashlib.sha1(clean.content).hexdigest(),
    }
    if image.focal_point_x is None:
        return described
    x_ratio, y_ratio = clean.width / (image.width or clean.width), clean.height / (image.height or clean.height)
    if abs(x_ratio - y_ratio) > ASPECT_TOLERANCE:
        described.update(dict.fromkeys(FOCAL_POINT))
    elif (x_ratio, y_ratio) != (1, 1):
        described.update(
            focal_point_x=round(image.focal_point_x * x_ratio),
            focal_point_y=round(image.focal_point_y * y_ratio),
            focal_point_width=round(image.focal_point_width * x_ratio),
            focal_point_height=round(image.focal_point_height * y_ratio),
        )
    return described


def _delete_renditions(kind: StoredImages, renditions: list[tuple[int, str]]) -> None:
    # Rows first: a rendition row never points at a missing file. Wagtail builds them again.
    kind.model.get_rendition_model().objects.filter(pk__in=[pk for pk, _name in renditions]).delete()
    for _pk, name in renditions:
        _delete_file(kind.storage, name)


def _delete(kind: StoredImages, name: str) -> None:
    _delete_file(kind.storage, name)
    if kind.thumbnails:
        _delete_file(kind.storage, thumbnail_name(name))


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete the stored file %s.", name)
