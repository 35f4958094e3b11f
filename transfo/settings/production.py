"""Production: PostgreSQL, Redis, a Celery worker and beat, behind a TLS reverse proxy.

Refuses to start without its secrets.
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DATABASES, LOG_FORMAT, MEDIA_BUCKET, SECRET_KEY, env, logging_settings

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY doit être défini (au moins 50 caractères) / "
        "DJANGO_SECRET_KEY must be set (at least 50 characters)."
    )
for required in ("DATABASE_URL", "REDIS_URL"):
    if not env(required, default=""):
        raise ImproperlyConfigured(
            f"{required} doit être défini en production / {required} must be set in production."
        )
if not env("DJANGO_ALLOWED_HOSTS", default=""):
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS doit être défini / DJANGO_ALLOWED_HOSTS must be set."
    )

DEBUG = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # While PostgreSQL restarts, requests wait for it (up to this long) instead of failing:
    # only those whose query was cut fail, one per web worker at most (make faults).
    DATABASES["default"]["ENGINE"] = "transfo.postgresql"
    DATABASE_RESTART_WAIT_SECONDS = env.int("DATABASE_RESTART_WAIT_SECONDS", default=10)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address is read from X-Forwarded-For only when the connection comes from one of
# DJANGO_TRUSTED_PROXIES (base.py); a count of proxies would trust whoever reaches gunicorn.
if env("DJANGO_TRUSTED_PROXY_COUNT", default=""):
    raise ImproperlyConfigured(
        "DJANGO_TRUSTED_PROXY_COUNT est remplacé par DJANGO_TRUSTED_PROXIES (adresses de vos proxys) / "
        "DJANGO_TRUSTED_PROXY_COUNT is replaced by DJANGO_TRUSTED_PROXIES (your proxies' addresses)."
    )
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": MEDIA_BUCKET or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, hashed names, served by WhiteNoise with far-future headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The audit trail needs its "when" on every line; INFO from every logger (LOG_FORMAT: text or json).
LOGGING = logging_settings(LOG_FORMAT, root_level="INFO", audit_format="{asctime} {levelname} {name} {message}")

