"""The admin forms of images and documents: a file shown on a published page is not replaced in place.

Replacing the file of an image used by a live page changes that page at once, with no revision
and no moderation. So whoever does not manage the site's media as a whole (Wagtail's editors,
with rights on the root collection) is refused, with a message saying how to do it: upload the
new picture, put it in the page and send the page to moderation. Every admin path that edits an
image or a document builds its form from these bases (WAGTAILIMAGES_IMAGE_FORM_BASE and
WAGTAILDOCS_DOCUMENT_FORM_BASE).
"""
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from .images import PixelsOnlyImageForm
from .rights import has_site_wide_media_rights, is_used_by_live_page


class LiveMediaGuard:
    """Refuses a change of the guarded fields of a file used by a live page (see the module)."""

    guarded_fields = ("file",)
    refusal = ""

    def __init__(self, *args, **kwargs):
        self.editing_user = kwargs.get("user")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        changed = [name for name in self.guarded_fields if name in self.changed_data]
        if not changed or self.instance.pk is None or self.editing_user is None:
            return cleaned_data
        if has_site_wide_media_rights(self.editing_user, type(self.instance)):
            return cleaned_data
        if is_used_by_live_page(type(self.instance).objects.get(pk=self.instance.pk)):
            self.add_error(changed[0] if changed[0] in self.fields else None, self.refusal)
        return cleaned_data


class ImageForm(LiveMediaGuard, PixelsOnlyImageForm):
    """Checked and cleaned like every image (docs.images), and guarded while a live page shows it."""

    # The focal point decides how every rendition of the page is cropped.
    guarded_fields = ("file", "focal_point_x", "focal_point_y", "focal_point_width", "focal_point_height")
    refusal = _(
        "Cette image est montrée par une page publiée : la remplacer changerait la page sans relecture. "
        "Ajoutez la nouvelle image, choisissez-la dans la page, puis envoyez la page en relecture."
    )


class DocumentForm(LiveMediaGuard, BaseDocumentForm):
    refusal = _(
        "Ce document est proposé par une page publiée : le remplacer changerait la page sans relecture. "
        "Ajoutez le nouveau document, choisissez-le dans la page, puis envoyez la page en relecture."
    )
