"""Production settings, with only the clocks and costs a fault test cannot wait for shortened.

What is under test (caches, sessions, broker timeouts, database connections, the outbox) is
production's own; what changes here is said line by line.
"""
from transfo.settings.production import *  # noqa: F401,F403
from transfo.settings.production import CELERY_BEAT_SCHEDULE, CELERY_BROKER_TRANSPORT_OPTIONS, MEDIA_BUCKET, env

# No collectstatic before each run: static files are served from the apps, uncompressed.
STORAGES = {
    "default": MEDIA_BUCKET or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Logins are exercised for availability, not for the cost of hashing (seconds of CPU each).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The sweep of pending mail runs every few seconds instead of every minute.
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "send-due-mail": {**CELERY_BEAT_SCHEDULE["send-due-mail"], "schedule": env.float("FAULTS_SWEEP_SECONDS", default=3.0)},
}
# A message taken by a worker that died comes back after this many seconds instead of hours,
# and workers look for such messages every 2 s instead of every 100 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("FAULTS_VISIBILITY_TIMEOUT", default=CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]),
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
