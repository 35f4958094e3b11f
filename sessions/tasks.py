"""Celery tasks of the sessions: the hourly reminders of sessions and InterTransfo (see sessions.reminders)."""
from celery import shared_task

from .reminders import send_due_reminders


@shared_task(name="sessions.send_reminders", ignore_result=True)
def send_reminders_task() -> int:
    """Queue the reminders due today; the outbox sends them (and retries those that fail)."""
    return send_due_reminders()
