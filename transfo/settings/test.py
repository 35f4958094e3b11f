"""Settings for the test suite: the embedded default unless DATABASE_URL/REDIS_URL are set."""
from .base import *  # noqa: F401,F403
from .base import env

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default="/tmp/transfo-test-media")

# Serve static files straight from the app folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks run in the test's own thread, against the test database; the tests that prove the
# real broker works start a worker of their own (tests/outbox/test_broker.py).
CELERY_TASK_ALWAYS_EAGER = True
