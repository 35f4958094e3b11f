"""The calendar feeds are cached (common.page_cache, group "calendar"): what empties them.

Connected when the app is ready, in every process (web, worker, shell), by model label: a change
made anywhere empties the feeds at once. A person's save clears them unless it only stamps a
login: deactivating someone must refuse their token at once.
"""
from django.conf import settings
from django.db.models.signals import post_delete, post_save

from common.page_cache import clear_calendar_cache

CALENDAR_SOURCES = (
    "lab_sessions.Session",
    "lab_sessions.AgendaItem",
    "lab_sessions.Gathering",
    "lab_sessions.CalendarFeedToken",
    "programmes.Programme",
    "programmes.Lab",
    "programmes.LabMembership",
    "programmes.Coordination",
    "ambassadors.Ambassador",
)


def _person_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    clear_calendar_cache()


def connect():
    for label in CALENDAR_SOURCES:
        post_save.connect(clear_calendar_cache, sender=label, dispatch_uid=f"calendar_cache_saved_{label}")
        post_delete.connect(clear_calendar_cache, sender=label, dispatch_uid=f"calendar_cache_deleted_{label}")
    post_save.connect(_person_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="calendar_cache_person")
