"""An agenda block that changes changes its day in the calendars: its event takes it up.

A day's event in a calendar runs from its first block to its last and lists them all: a block
added, removed or moved makes the event's ``updated_at`` (the feeds' LAST-MODIFIED) true again,
and raises its ``sequence`` when the hours may have changed. Connected as signals, so that a
block removed in bulk (``filter().delete()``), from the admin or by its event's deletion counts too.
"""
from django.db.models import F
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from .models import AgendaItem, Gathering, Session

TIME_FIELDS = ("day", "start_time", "end_time")


def _loaded_times(sender, instance, **kwargs):
    instance._times_loaded = tuple(instance.__dict__.get(name) for name in TIME_FIELDS)


def _touch_event(item, *, times_changed: bool) -> None:
    if item.session_id:
        events = Session.objects.filter(pk=item.session_id)
    elif item.gathering_id:
        events = Gathering.objects.filter(pk=item.gathering_id)
    else:
        return
    changes = {"updated_at": timezone.now()}
    if times_changed:
        changes["sequence"] = F("sequence") + 1
    events.update(**changes)


def _item_saved(sender, instance, created, **kwargs):
    times = tuple(instance.__dict__.get(name) for name in TIME_FIELDS)
    _touch_event(instance, times_changed=created or times != getattr(instance, "_times_loaded", None))
    instance._times_loaded = times


def _item_deleted(sender, instance, **kwargs):
    _touch_event(instance, times_changed=True)


def connect():
    post_init.connect(_loaded_times, sender=AgendaItem, dispatch_uid="agenda_item_times_loaded")
    post_save.connect(_item_saved, sender=AgendaItem, dispatch_uid="agenda_item_changes_its_event")
    post_delete.connect(_item_deleted, sender=AgendaItem, dispatch_uid="agenda_item_removed_from_its_event")
