"""Uploaded images lose their EXIF, XMP and GPS metadata before they are stored.

Willow copies the original's metadata into every rendition (STACK.md): a photo taken on a phone
would publish where and when it was taken, and with what. The original is cleaned once, at upload,
on every path (admin, multiple upload, code), so no rendition can carry it. The orientation the
camera recorded is applied to the pixels first, so the photo still stands the right way up.
"""
import hashlib
import io
import os

from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageOps

# Formats Pillow re-writes without any metadata; GIF carries none of the personal kind.
CLEANED_FORMATS = {"JPEG": {"quality": 90, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 90}}
# What may stay: how colours and transparency are read, not who, where or when.
KEPT_INFO = ("icc_profile", "transparency")
PERSONAL_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "gps")


def has_personal_metadata(image) -> bool:
    return bool(image.getexif()) or any(key in image.info for key in PERSONAL_INFO) or bool(
        getattr(image, "text", None)
    )


def strip_metadata(data: bytes):
    """The image re-encoded without its metadata, or None when it has none (or is not ours to clean)."""
    with PILImage.open(io.BytesIO(data)) as image:
        options = CLEANED_FORMATS.get(image.format)
        if options is None or not has_personal_metadata(image):
            return None
        image_format = image.format
        upright = ImageOps.exif_transpose(image)
        upright.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
        if image_format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        output = io.BytesIO()
        upright.save(output, format=image_format, **options)
        return output.getvalue()


def strip_uploaded_image(sender, instance, **kwargs):
    """pre_save of the image model: clean a newly uploaded original before it is written."""
    field_file = instance.file
    if not field_file or getattr(field_file, "_committed", True):
        return
    field_file.seek(0)
    data = field_file.read()
    field_file.seek(0)
    cleaned = strip_metadata(data)
    if cleaned is None:
        return
    instance.file = ContentFile(cleaned, name=os.path.basename(field_file.name))
    with PILImage.open(io.BytesIO(cleaned)) as image:
        instance.width, instance.height = image.size
    instance.file_size = len(cleaned)
    instance.file_hash = hashlib.sha1(cleaned).hexdigest()
