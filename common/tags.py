"""A slug for every tag, even one made only of punctuation or emoji.

taggit slugifies a tag's name, and « ?! » or « 🚀 » slugify to nothing: such a tag would link to
``/documentation/tag//`` (no page) and be the "every tag" choice of the filters. Documentation
pages and cases share taggit's one Tag model, so the fallback lives on the ground floor, for both.
"""
import hashlib

from django.db.models.signals import pre_save
from taggit.models import Tag

FALLBACK_PREFIX = "mot-cle-"


def fallback_slug(name: str) -> str:
    """A stable slug for a name that slugifies to nothing (same name, same slug)."""
    return FALLBACK_PREFIX + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def give_every_tag_a_slug(sender, instance, **kwargs):
    # taggit has set the slug from the name just before saving; only an empty one is replaced.
    if not instance.slug:
        instance.slug = fallback_slug(instance.name)


def connect():
    pre_save.connect(give_every_tag_a_slug, sender=Tag, dispatch_uid="common.tags.give_every_tag_a_slug")
