"""Every image that enters the platform goes through here, and only its pixels come out.

Profile photos, session photos, journal photos, Wagtail images and the photos a draft copies all
call ``clean_image``: one set of limits, one way of reading. The content decides, never the name
or the declared type. The header is read first (format and dimensions, nothing decoded), so a
decompression bomb or a batch too heavy to process is refused in milliseconds. Then the pixels
are decoded, scaled down, turned upright as the camera recorded, brought to sRGB, and written
into a brand-new JPEG or PNG: no EXIF (so no GPS position), no XMP, IPTC, ICC profile, JPEG
comment, PNG text chunk or GIF comment can survive, since nothing but the pixels is copied.
"""
import io
import logging
import math
import re
import struct
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy
from PIL import Image, UnidentifiedImageError

try:  # Phones' HEIC photos, when the Pillow plugin is installed.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover
    pass
else:
    register_heif_opener()

logger = logging.getLogger("transfo.images")

# --- The limits, the only ones -------------------------------------------------------------
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# A phone photo is 12 MP, 48–50 MP in its "full resolution" mode: 50 MP lets all of them
# through. Anything larger is a scan, a poster or a decompression bomb (59 MP of one colour fit
# in a few KiB of PNG and take seconds of CPU and 180 MB of memory to decode).
MAX_IMAGE_PIXELS = 50_000_000
# The pixels one request may decode, all its images together. Decoding and scaling cost about
# 26 ms of CPU per million pixels (five 59-MP PNGs took 7.7 s): 120 MP is ~3 s, far from the
# worker's 30 s timeout. JPEG photos are decoded at a reduced scale (below), so twenty 12-MP phone photos
# cost 60 MP and pass in one journal entry; three 50-MP PNGs do not.
MAX_REQUEST_PIXELS = 120_000_000
# What is stored: photos are shown on pages, not printed on posters. 2000 is also half a phone
# photo's width (4000 × 3000 at 12 MP, a quarter at 48 MP), which a JPEG decoder reaches for free.
PHOTO_SIDE = 2000
PORTRAIT_SIDE = 1200
THUMBNAIL_SIDE = 480
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "HEIF"}
# For a file input's ``accept``: what the picker offers first (the content decides anyway).
ACCEPT = "image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif"
# JPEG decoders scale by 1/2, 1/4 or 1/8 while decoding: a fraction of the work for a photo
# that is scaled down anyway.
SCALED_DECODING = {"JPEG", "MPO"}
# A lossless source stays lossless (diagrams, screenshots); a photo becomes a JPEG.
LOSSLESS_SOURCES = {"PNG", "GIF"}
# The transposition that stands a photo upright, by EXIF orientation (as ImageOps.exif_transpose).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ImageHeader:
    """What an image's header says, read without decoding it; ``cost`` is the pixels decoding takes."""

    name: str
    format: str
    width: int
    height: int
    cost: int


class CleanImageFile(ContentFile):
    """A file made by ``clean_image``: pixels only, ready to store as it is."""


@dataclass(frozen=True)
class CleanImage:
    """The re-encoded image (and its thumbnail when one was asked for)."""

    content: bytes
    extension: str
    width: int
    height: int
    thumbnail: bytes | None = None

    def file(self, stem: str | None = None) -> CleanImageFile:
        """The image as a file to store, under a random name unless ``stem`` is given."""
        return CleanImageFile(self.content, name=f"{stem or uuid.uuid4().hex}.{self.extension}")


def _help_text(formats) -> str:
    return gettext(
        "%(formats)s, %(bytes)s Mo et %(pixels)s millions de pixels au plus. Seuls ses pixels sont "
        "gardés : sa position GPS, son commentaire et ses autres métadonnées sont retirés."
    ) % {"formats": formats, "bytes": MAX_IMAGE_BYTES // (1024 * 1024), "pixels": MAX_IMAGE_PIXELS // 1_000_000}


help_text = lazy(_help_text, str)
# The help text of every photo input, in the language of the request.
PHOTO_HELP_TEXT = help_text(gettext_lazy("JPEG, PNG, WebP, GIF ou HEIC"))


def display_name(upload) -> str:
    """The file's name as the person knows it, for messages only (always escaped when shown)."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200] or gettext("fichier sans nom")


def _unreadable(name: str) -> ValidationError:
    return ValidationError(
        gettext("« %(name)s » n'est pas une image lisible : envoyez une photo JPEG, PNG, WebP, GIF ou HEIC.")
        % {"name": name},
        code="not_an_image",
    )


def _too_heavy(name: str, size: int) -> ValidationError:
    return ValidationError(
        gettext("« %(name)s » pèse %(size)s Mo : %(max)s Mo au plus par image.")
        % {"name": name, "size": round(size / 1024 / 1024, 1), "max": MAX_IMAGE_BYTES // (1024 * 1024)},
        code="too_heavy",
    )


def _too_many_pixels(name: str, width: int | None = None, height: int | None = None) -> ValidationError:
    if width is None or height is None:
        message = gettext("« %(name)s » est une image bien trop grande : %(max)s millions de pixels au plus par image.")
    else:
        message = gettext(
            "« %(name)s » est une image trop grande (%(width)s × %(height)s pixels) : "
            "%(max)s millions de pixels au plus par image."
        )
    return ValidationError(
        message % {"name": name, "width": width, "height": height, "max": MAX_IMAGE_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _size_of(upload) -> int | None:
    size = getattr(upload, "size", None)
    return size if isinstance(size, int) else None


def _open(upload, name: str):
    """The image, opened (header only); None when the content is no image at all."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Between Pillow's two bomb thresholds it only warns; our own limit, far lower, decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(upload)
    except Image.DecompressionBombError:
        # Past twice Pillow's limit (180 MP) it refuses to even say the dimensions.
        raise _too_many_pixels(name) from None
    except UnidentifiedImageError:
        return None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise _unreadable(name) from None


def _checked_header(image, name: str, side: int) -> ImageHeader:
    if image.format not in FORMATS:
        raise _unreadable(name)
    width, height = image.size
    if width < 1 or height < 1:
        raise _unreadable(name)
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(name, width, height)
    if image.format in SCALED_DECODING and max(width, height) > side:
        # Asks the decoder for the smallest scale that still covers ``side``; decodes nothing.
        ratio = side / max(width, height)
        image.draft(None, (max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))))
    decoded_width, decoded_height = image.size
    return ImageHeader(name=name, format=image.format, width=width, height=height, cost=decoded_width * decoded_height)


def read_header(upload, *, name: str | None = None, side: int = PHOTO_SIDE) -> ImageHeader | None:
    """Check an upload's size, format and dimensions without decoding it.

    Returns None when the content is no image at all (the caller may accept it as something
    else); raises a ValidationError naming the file when it is an image that is refused.
    """
    name = name or display_name(upload)
    size = _size_of(upload)
    if size is not None and size > MAX_IMAGE_BYTES:
        raise _too_heavy(name, size)
    image = _open(upload, name)
    if image is None:
        return None
    with image:
        return _checked_header(image, name, side)


class PixelBudget:
    """The pixels one request may decode, shared by all its images (``MAX_REQUEST_PIXELS``)."""

    def __init__(self, limit: int = MAX_REQUEST_PIXELS):
        self.limit = limit
        self.spent = 0

    def spend(self, header: ImageHeader) -> None:
        """Count an image in, or refuse it naming the file, before anything is decoded."""
        if self.spent + header.cost > self.limit:
            raise ValidationError(
                gettext(
                    "« %(name)s » n'a pas été traitée : avec les images envoyées avant elle, cet envoi "
                    "dépasse %(max)s millions de pixels. Envoyez les autres images en une autre fois."
                )
                % {"name": header.name, "max": self.limit // 1_000_000},
                code="too_many_pixels_in_request",
            )
        self.spent += header.cost


def _pixels_only(image) -> Image.Image:
    """A fresh image made of ``image``'s pixels and nothing else (no info, no palette, no EXIF)."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _normal_mode(image, mode: str):
    """The image in a mode that resizes well (a palette only resizes by nearest neighbour)."""
    if image.mode in ("RGB", "RGBA", "L", "CMYK") and (image.mode == mode or mode == "RGB"):
        return image
    return image.convert(mode)


def _to_srgb(image, icc_profile: bytes | None, mode: str):
    """The image in ``mode`` (RGB or RGBA), its colours brought to sRGB when it had a profile.

    The profile itself is not kept (its text names the camera or the software), so its colours
    are applied to the pixels instead; a profile that cannot be read is simply dropped.
    """
    if icc_profile:
        try:
            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            output_mode = "L" if image.mode == "L" else mode
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
            )
            if converted is not None:
                image = converted
        except Exception:  # noqa: BLE001 — a broken profile only costs the colours' accuracy
            logger.info("An image's colour profile could not be applied.", exc_info=True)
    return image if image.mode == mode else image.convert(mode)


def _encode(image, *, side: int, lossless: bool) -> tuple[bytes, str]:
    if max(image.size) > side:
        image = image.copy()
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    if lossless or image.mode == "RGBA":
        _pixels_only(image).save(output, format="PNG", compress_level=6)
        return output.getvalue(), "png"
    _pixels_only(image).save(output, format="JPEG", quality=85, optimize=True)
    return output.getvalue(), "jpg"


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _upright_pixels(image, *, side: int):
    """The decoded image scaled to ``side``, in sRGB, stood upright; metadata left behind."""
    orientation = image.getexif().get(EXIF_ORIENTATION)
    icc_profile = image.info.get("icc_profile")
    mode = "RGBA" if _has_alpha(image) else "RGB"
    image.load()
    pixels = _normal_mode(image, mode)
    # Scale first: every later step then works on the smaller image.
    pixels.thumbnail((side, side), Image.Resampling.LANCZOS)
    pixels = _to_srgb(pixels, icc_profile, mode)
    if orientation in UPRIGHT:
        pixels = pixels.transpose(UPRIGHT[orientation])
    return pixels


def clean_image(
    upload,
    *,
    name: str | None = None,
    side: int = PHOTO_SIDE,
    thumbnail_side: int | None = None,
) -> CleanImage:
    """Check an uploaded image and return its pixels, re-encoded, and nothing else.

    ``upload`` is any file object (an upload, a stored file, a BytesIO); ``name`` is how the
    person knows it, for the messages (the upload's own name by default). The image is scaled
    down to ``side`` pixels at most (and to ``thumbnail_side`` for a thumbnail), turned upright,
    and written as a JPEG, or a PNG when it has transparency or was lossless. Raises a
    ValidationError naming the file when it is no image, a format not accepted, too heavy or
    too large. A request with several images checks their total with ``read_header`` and a
    ``PixelBudget`` first, so that a refusal comes before anything is decoded.
    """
    name = name or display_name(upload)
    size = _size_of(upload)
    if size is not None and size > MAX_IMAGE_BYTES:
        raise _too_heavy(name, size)
    image = _open(upload, name)
    if image is None:
        raise _unreadable(name)
    with image:
        header = _checked_header(image, name, side)
        try:
            pixels = _upright_pixels(image, side=side)
            lossless = header.format in LOSSLESS_SOURCES
            content, extension = _encode(pixels, side=side, lossless=lossless)
            thumbnail = None
            if thumbnail_side is not None:
                thumbnail, _extension = _encode(pixels, side=thumbnail_side, lossless=lossless)
            width, height = pixels.size
        except ValidationError:
            raise
        except MemoryError:
            raise _too_many_pixels(name, header.width, header.height) from None
        except Exception:  # noqa: BLE001 — Pillow's decoders raise many kinds of error on crafted files
            logger.info("An image could not be decoded.", exc_info=True)
            raise _unreadable(name) from None
    return CleanImage(content=content, extension=extension, width=width, height=height, thumbnail=thumbnail)



# --- What a stored file carries besides its pixels ------------------------------------------
# An allow-list, not a deny-list: whatever a marker or chunk not listed here holds (a comment,
# EXIF, XMP, an ICC profile, IPTC, a maker's notes, a JFIF thumbnail), it is not pixels.
JPEG_PIXEL_SEGMENTS = {
    0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF,  # frames (SOFn)
    0xC4, 0xCC, 0xDB, 0xDD, 0xDC, 0xDA,  # tables (DHT, DAC, DQT), restart interval, lines, scan
}
JPEG_NAMED_SEGMENTS = {0xE1: "APP1", 0xE2: "APP2", 0xED: "APP13", 0xFE: "COM"}
# JFIF's own header, as every encoder writes it, without a thumbnail (length 16).
JFIF_HEADER_LENGTH = 16
PNG_PIXEL_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# In a JPEG's compressed data, 0xFF is followed by 0x00 (a stuffed byte), a restart marker or
# more 0xFF (fill): the next one followed by anything else is the next segment's marker.
_NEXT_JPEG_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


def _segment_name(marker: int) -> str:
    if marker in JPEG_NAMED_SEGMENTS:
        return JPEG_NAMED_SEGMENTS[marker]
    return f"APP{marker - 0xE0}" if 0xE0 <= marker <= 0xEF else f"0x{marker:02X}"


def _jpeg_metadata(data: bytes) -> list[str]:
    found, position, end = [], 2, len(data)
    while position + 2 <= end:
        if data[position] != 0xFF:
            return [*found, "damaged"]
        while position + 1 < end and data[position + 1] == 0xFF:  # fill bytes before a marker
            position += 1
        marker = data[position + 1] if position + 1 < end else None
        if marker == 0xD9:  # end of image
            if position + 2 != end:
                found.append("data after the end")
            return found
        if marker is None or marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            position += 2
            continue
        if position + 4 > end:
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        body = data[position + 4 : position + 2 + length]
        if marker == 0xE0:
            if not (body.startswith(b"JFIF\x00") and length == JFIF_HEADER_LENGTH):
                found.append("APP0")
        elif marker not in JPEG_PIXEL_SEGMENTS:
            found.append(_segment_name(marker))
        position += 2 + length
        if marker == 0xDA:  # compressed data follows, up to the next marker
            following = _NEXT_JPEG_MARKER.search(data, position)
            if following is None:
                break
            position = following.start()
    return [*found, "no end"]


def _png_metadata(data: bytes) -> list[str]:
    found, position, end = [], len(PNG_SIGNATURE), len(data)
    while position + 8 <= end:
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind not in PNG_PIXEL_CHUNKS:
            found.append(kind.decode("latin-1"))
        position += 12 + length
        if kind == b"IEND":
            if position != end:
                found.append("data after the end")
            return found
    return [*found, "no end"]


def metadata_in(data: bytes) -> list[str]:
    """What a stored image carries besides its pixels: the names of those segments or chunks.

    Empty for a JPEG or PNG as ``clean_image`` writes it (pixels, and the tables to decode them);
    anything else is named: "COM", "APP1" (EXIF, XMP), "APP2" (ICC), "tEXt", "iTXt", data after the
    end of the image, or "not a JPEG or PNG". Reads the bytes only, decodes nothing: cheap enough
    to check every stored file.
    """
    if data[:2] == b"\xff\xd8":
        return _jpeg_metadata(data)
    if data[:8] == PNG_SIGNATURE:
        return _png_metadata(data)
    return ["not a JPEG or PNG"]


def holds_only_pixels(data: bytes) -> bool:
    """Whether a stored image is a JPEG or PNG with nothing but its pixels (see ``metadata_in``)."""
    return not metadata_in(data)
