"""Celery tasks of the outbox: send one mail, and sweep what is still pending."""
from celery import shared_task

from .services import send_due_mail, send_queued_mail


@shared_task(name="outbox.send_mail", ignore_result=True)
def send_mail_task(mail_id: int) -> None:
    send_queued_mail(mail_id)


@shared_task(name="outbox.send_due_mail", ignore_result=True)
def send_due_mail_task() -> None:
    send_due_mail()
