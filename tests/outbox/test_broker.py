"""Against the real Redis: a queued mail travels through the broker to a worker and goes out once."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from outbox.models import OutgoingMail
from outbox.services import queue_mail
from transfo.celery import app as celery_app

from ..celery_config import celery_configured

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def real_broker():
    """Celery as in production: not eager, the machine's Redis as broker, a worker in a thread."""
    with celery_configured(task_always_eager=False, broker_url=settings.REDIS_URL):
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield


def test_mail_queued_through_redis_is_sent_by_a_worker(real_broker):
    queued = queue_mail(to="camille@ville.example", subject="Invitation", body_text="Bienvenue")

    for _ in range(100):
        queued.refresh_from_db()
        if queued.status == OutgoingMail.Status.SENT:
            break
        time.sleep(0.1)

    assert queued.status == OutgoingMail.Status.SENT
    assert [message.subject for message in mail.outbox] == ["Invitation"]
