"""The Celery application: tasks of every app, configured from Django's settings."""
import os

from celery import Celery
from celery.signals import setup_logging

from common.logs import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transfo.settings.dev")

app = Celery("transfo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_celery_signals()


@setup_logging.connect(weak=False)
def keep_django_logging(**_kwargs):
    """The worker and beat log through Django's LOGGING (text or JSON lines, common.logs), not Celery's own."""
