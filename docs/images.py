"""Wagtail images keep their pixels and nothing else, like every image of the platform.

Willow copies the original's metadata into every rendition (STACK.md): a photo taken on a phone
would publish where and when it was taken, and with what. So the original is cleaned once, at
upload, by common.images: in the admin's forms (add, multiple upload, chooser, file replacement)
through ``PixelsOnlyImageForm``, which refuses a bad file with a message, and for every other path (code,
the second step of a multiple upload) by ``clean_uploaded_image`` before the image is saved.
"""
import hashlib
import os

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from common import images

# No HEIC here: Wagtail accepts only WAGTAILIMAGES_EXTENSIONS.
IMAGE_HELP_TEXT = images.help_text(_("JPEG, PNG, WebP ou GIF"))


class PixelsOnlyImageField(WagtailImageField):
    """Wagtail's image field with the platform's limits and messages (common.images)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Also what the multiple upload's page checks in the browser before sending.
        self.max_upload_size = images.MAX_IMAGE_BYTES
        self.max_image_pixels = images.MAX_IMAGE_PIXELS
        self.max_upload_size_text = filesizeformat(self.max_upload_size)
        self.help_text = IMAGE_HELP_TEXT

    def _check_header(self, f):
        images.read_header(f, name=images.display_name(f))

    # The platform's own checks, from the header, instead of Wagtail's: one set of limits, and a
    # message naming the file (Wagtail counts every frame of a GIF; only the first is kept here).
    check_image_file_size = _check_header
    check_image_pixel_size = _check_header


class PixelsOnlyImageForm(BaseImageForm):
    """Wagtail's image form with the platform's checks; the base of ``docs.media_forms.ImageForm``,
    which WAGTAILIMAGES_IMAGE_FORM_BASE names."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Swapped here, not declared: a declared field would be added to the forms that leave
        # the file out (the details of each image of a multiple upload).
        field = self.fields.get("file")
        if field is not None:
            self.fields["file"] = PixelsOnlyImageField(label=field.label, required=field.required, widget=field.widget)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or "file" not in self.changed_data:
            return upload
        name = images.display_name(upload)
        clean = images.clean_image(upload, name=name)
        return clean.file(stem=os.path.splitext(name)[0] or None)


def clean_uploaded_image(sender, instance, **kwargs):
    """pre_save of the image model: clean a new original that ``ImageForm`` did not clean."""
    field_file = instance.file
    if not field_file:
        return
    pending = getattr(field_file, "_file", None)
    if isinstance(pending, images.CleanImageFile):
        return
    committed = getattr(field_file, "_committed", True)
    if committed and not instance._state.adding:
        # The file of an image already saved, unchanged (its title was edited, for instance).
        return
    # New content, or a new image whose file was written before (a multiple upload's second step).
    with field_file.open("rb") as handle:
        clean = images.clean_image(handle, name=os.path.basename(field_file.name))
    raw_name, storage = field_file.name, field_file.storage
    instance.file = clean.file(stem=os.path.splitext(os.path.basename(field_file.name))[0] or None)
    instance.width, instance.height = clean.width, clean.height
    instance.file_size = len(clean.content)
    instance.file_hash = hashlib.sha1(clean.content).hexdigest()
    if committed:
        # The raw original is already stored: it goes once the clean copy is saved.
        transaction.on_commit(lambda: storage.delete(raw_name), robust=True)
