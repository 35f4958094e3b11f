"""Images for the upload tests, written by hand where Pillow would not write them: comments,
text chunks, decompression bombs, a phone photo on its side; and the check that a served file
holds pixels and nothing else."""
import functools
import io
import struct
import zlib

from PIL import ExifTags, Image, PngImagePlugin

from common.images import metadata_in

# Written in every comment and text chunk: it must never come back in a served file.
MARKER = b"GPS 47.7508N 7.3359E chez Camille"


def _jpeg(image, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, format="JPEG", **options)
    return output.getvalue()


def with_jpeg_comment(jpeg: bytes, text: bytes = MARKER) -> bytes:
    """The JPEG with a COM segment inserted right after its SOI marker."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]


def jpeg_with_comment(size=(64, 48)) -> bytes:
    return with_jpeg_comment(_jpeg(Image.new("RGB", size, (200, 80, 40))))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_text(size=(50, 40), mode="RGB") -> bytes:
    """A PNG with a tEXt chunk written by hand after IHDR, and iTXt and zTXt ones from Pillow."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", MARKER.decode())
    info.add_text("Author", MARKER.decode(), zip=True)
    output = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 255)[: len(mode)]).save(output, format="PNG", pnginfo=info)
    data = output.getvalue()
    end_of_ihdr = 8 + 4 + 4 + 13 + 4
    return data[:end_of_ihdr] + _chunk(b"tEXt", b"Comment\x00" + MARKER) + data[end_of_ihdr:]


@functools.cache
def huge_png(width=7700, height=7700) -> bytes:
    """A real, decodable PNG of one colour: 59 megapixels (by default) in a few KiB."""
    output = io.BytesIO()
    Image.new("1", (width, height)).save(output, format="PNG")
    return output.getvalue()


@functools.cache
def phone_photo() -> bytes:
    """A 12-MP JPEG as a phone stores a portrait: landscape pixels, EXIF orientation 6.

    Its left half is red and its right half blue: stood upright, red is on top.
    """
    image = Image.new("RGB", (4000, 3000), (220, 20, 20))
    image.paste((20, 20, 220), (2000, 0, 4000, 3000))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Téléphone"
    return _jpeg(image, exif=exif, quality=90)


def assert_upright_portrait(data: bytes, side: int) -> None:
    """The phone photo, stood upright: portrait, red on top, blue below."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        assert image.size == (side * 3 // 4, side)
        top, bottom = image.getpixel((image.width // 2, 5)), image.getpixel((image.width // 2, image.height - 5))
    assert top[0] > 150 > top[2]
    assert bottom[2] > 150 > bottom[0]


def assert_only_pixels(data: bytes) -> None:
    """A served image: no comment, no EXIF, XMP, ICC, IPTC, no PNG text; the marker nowhere.

    ``metadata_in`` is the check ``manage.py clean_stored_images`` relies on; decoding the file
    with Pillow as well makes sure that check misses nothing Pillow would find.
    """
    assert MARKER not in data
    assert metadata_in(data) == []
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert "comment" not in image.info
        assert dict(image.getexif()) == {}
