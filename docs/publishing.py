"""What follows a change of what the public may read: the open-data bundle is rebuilt.

These are signal receivers on purpose (STYLE.md §7): the bundle is a derived copy, like a cache,
and every way a page becomes public or stops being public must refresh it — publishing,
unpublishing, deleting or moving a page, adding or removing a view restriction — whether it
happens in Wagtail's admin, in a service or in the demo loader.

The rebuild is queued after commit: the worker must see the committed pages, and a rolled-back
publication must not be exported. Publishing a tree of pages queues one rebuild per page; all but
the first find the bundle up to date and stop before writing anything (docs.opendata).
"""
import logging

from celery.exceptions import CeleryError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from kombu.exceptions import KombuError
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

logger = logging.getLogger("transfo.opendata")


def enqueue_bundle_rebuild() -> None:
    """Hand the rebuild to a worker; with the broker down, the periodic rebuild catches up."""
    from .tasks import write_opendata_bundle_task

    try:
        write_opendata_bundle_task.delay()
    except (CeleryError, KombuError, OSError) as error:
        logger.warning("Open data bundle not rebuilt now: the broker is unreachable (%s).", error)


def schedule_bundle_rebuild(**kwargs) -> None:
    """Queue a rebuild after the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(enqueue_bundle_rebuild, robust=True)


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        schedule_bundle_rebuild()


def connect() -> None:
    """Called once from the app's ready()."""
    uid = "docs.publishing"
    page_published.connect(schedule_bundle_rebuild, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(schedule_bundle_rebuild, dispatch_uid=f"{uid}.unpublished")
    post_page_move.connect(schedule_bundle_rebuild, dispatch_uid=f"{uid}.moved")
    post_delete.connect(_page_deleted, dispatch_uid=f"{uid}.deleted")
    post_save.connect(schedule_bundle_rebuild, sender=PageViewRestriction, dispatch_uid=f"{uid}.restricted")
    post_delete.connect(schedule_bundle_rebuild, sender=PageViewRestriction, dispatch_uid=f"{uid}.unrestricted")
