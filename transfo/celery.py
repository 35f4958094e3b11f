"""The Celery application: tasks of every app, configured from Django's settings."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transfo.settings.dev")

app = Celery("transfo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
