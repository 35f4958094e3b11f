"""Celery tasks of the documentation: the open-data bundle (see docs.opendata)."""
from celery import shared_task

from .opendata import write_bundle


@shared_task(name="docs.write_opendata_bundle", ignore_result=True)
def write_opendata_bundle_task() -> bool:
    """Rebuild the open-data bundle from what is published now; True when its content changed."""
    return write_bundle()
