"""Pages in every state the public must or must not see, for the open-data tests."""
import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from docs.models import ArticlePage, DocumentationIndexPage
from programmes.models import Licence


def documentation_index():
    return DocumentationIndexPage.objects.get()


def make_image(title="Photo de session"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 80, 40)).save(buffer, format="PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="photo.png"))


def article(title, *, lab=None, tags=(), licence=Licence.CC_BY_SA_4, authors="L'équipe de la Transfo",
            intro="Ce que la session a appris.", body=(), slug=None, cover_image=None):
    """An article under the documentation index, saved as a draft (never published)."""
    page = ArticlePage(
        title=title, slug=slug or "", intro=intro, lab=lab, licence=licence, authors=authors, body=list(body), live=False,
        cover_image=cover_image,
    )
    page.tags.add(*tags)
    documentation_index().add_child(instance=page)
    page.save_revision()
    return page


def published(title, **kwargs):
    page = article(title, **kwargs)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def private(title, **kwargs):
    """Published, but only for logged-in people."""
    page = published(title, **kwargs)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


def unpublished(title, **kwargs):
    page = published(title, **kwargs)
    page.unpublish()
    return page


def image_block(image):
    return {"type": "image", "value": {"image": image.pk, "alt_text": "Une salle de réunion", "caption": ""}}
