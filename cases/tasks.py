"""Celery tasks of the cases: the hourly digest for those who run a Lab (see cases.digest)."""
import datetime

from celery import shared_task

from .digest import send_due_digests


@shared_task(name="cases.send_digests", ignore_result=True)
def send_digests_task(now: str | None = None) -> int:
    """Queue the digests due now (or at ``now``, an ISO date-time); the outbox sends them."""
    return send_due_digests(datetime.datetime.fromisoformat(now) if now else None)
