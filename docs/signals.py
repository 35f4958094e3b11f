"""Signal receivers for concerns decoupled from the domain: the public page cache, image metadata.

The public pages show more than their own fields: a Lab page shows its team (with their consent),
a fiche names the sessions and cases it cites when they are public. A change to any of these may
change what a page may show, so it empties the page cache like a publication does.
"""
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from ambassadors.models import Ambassador
from cases.models import Case
from common.page_cache import clear_page_cache
from programmes.models import Lab, LabMembership, Programme
from sessions.models import Session

from .images import clean_uploaded_image

# A view restriction too: a cached copy would otherwise outlive the page becoming private.
SHOWN_ON_PUBLIC_PAGES = (Programme, Lab, LabMembership, Ambassador, Session, Case, PageViewRestriction)


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        clear_page_cache()


def _user_changed(sender, instance, update_fields=None, **kwargs):
    # A login only stamps last_login: nothing a public page shows.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    clear_page_cache()


def connect():
    page_published.connect(clear_page_cache, dispatch_uid="docs_cache_published")
    page_unpublished.connect(clear_page_cache, dispatch_uid="docs_cache_unpublished")
    post_page_move.connect(clear_page_cache, dispatch_uid="docs_cache_moved")
    post_delete.connect(_page_deleted, dispatch_uid="docs_cache_page_deleted")
    for model in SHOWN_ON_PUBLIC_PAGES:
        post_save.connect(clear_page_cache, sender=model, dispatch_uid=f"docs_cache_saved_{model._meta.label}")
        post_delete.connect(clear_page_cache, sender=model, dispatch_uid=f"docs_cache_deleted_{model._meta.label}")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="docs_cache_user")
    pre_save.connect(clean_uploaded_image, sender=get_image_model(), dispatch_uid="docs_clean_image")
