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


def keep_django_logging(**_kwargs):
    """JSON lines: the worker and beat log through Django's LOGGING (common.logs), not Celery's own."""


# Read from the environment, as the setting is: Celery configures its logging before Django's
# settings are read in a worker.
if os.environ.get("LOG_FORMAT") == "json":
    setup_logging.connect(keep_django_logging, weak=False)
