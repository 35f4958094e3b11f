"""Settings shared by every environment.

Everything that differs between machines comes from the environment (DATABASE_URL,
REDIS_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, mail settings). Without them the
platform runs on its embedded default: SQLite, tasks run eagerly, mail to the console.
"""
import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.errors import start_error_reporting
from common.public_url import lazystr_setting
from common.logs import logging_settings
from common.storage import public_origin, storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Project apps first so their templates override the libraries'.
    "transfo",
    "common",
    "programmes",
    "ambassadors",
    "sessions.apps.LabSessionsConfig",
    "cases",
    "docs",
    "dashboards",
    "outbox",
    "accounts",
    "espace",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.api.v2",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    # Jobs
    "django_celery_beat",
    "django_htmx",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: the probes get their answer before the Host check and the https redirect.
    "common.health.HealthCheckMiddleware",
    # Every later line of the request carries its id (common.logs).
    "common.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: every answer gets the header, a page served from the cache too.
    "common.csp.PlatformCSPMiddleware",
    # The read-only API may be read from any web page (docs.cors); a cached answer too.
    "docs.cors.PublicAPICorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A file that cannot be read or written (bucket unreachable) gets a 503 page saying nothing was saved.
    "common.storage_errors.StorageUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Before any view or cache reads the address: PostgreSQL cannot compare a NUL character.
    "common.hostile_input.RefuseNullCharactersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After CSRF (a page served from the cache still gets its visitor's token) and locale.
    "common.page_cache.AnonymousPageCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "common.audit.AuditMiddleware",
    # Last, as axes requires: it turns a lockout flagged during login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "transfo.urls"
WSGI_APPLICATION = "transfo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite file by default; DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'transfo.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections are the biggest single speed lever (STACK.md); health
    # checks drop a connection that died with a PostgreSQL restart instead of failing
    # the request that reuses it.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    # PostgreSQL compiles a query it estimates costly (JIT): our pages' queries with correlated
    # subqueries over 700 Labs are estimated so and spent 80 ms compiling to run in 4. Off for
    # this connection; a pooler that refuses the startup option can turn this off.
    if env.bool("DATABASE_DISABLE_JIT", default=True):
        DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and caches ---------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
REDIS_TIMEOUT_SECONDS = 2

if REDIS_URL:
    # A cache that answers "miss" when Redis is down, so pages, login and rate
    # limits keep working during an outage (Django's own RedisCache raises).
    CACHES = {
        "default": {
            "BACKEND": "common.redis_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "transfo",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database; the cache in front only spares a query and a
# Redis outage falls back to the database (see common.redis_cache).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without a broker, tasks run in the request, so the embedded default needs nothing.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# No result backend: with one, .delay() blocks ~19 s when Redis is down (STACK.md).
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "max_retries": 1,
    # Longer than any countdown we use, or a delayed task would run twice.
    "visibility_timeout": 6 * 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TASK_ACKS_LATE = True
# A task whose process was killed (out of memory, say) is handed out again instead of being
# acknowledged as done; our tasks are safe to run twice (the outbox locks and checks its row).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Mail that could not be handed to a worker, or that failed, goes out here.
    "send-due-mail": {"task": "outbox.send_due_mail", "schedule": 60.0},
    # Reminders a week and a day before each announced session; each goes out once (sessions.reminders).
    "session-reminders": {"task": "sessions.send_reminders", "schedule": 3600.0},
    # The open-data bundle is rebuilt on each publication; this catches one the broker missed.
    "opendata-bundle": {"task": "docs.write_opendata_bundle", "schedule": 3600.0},
    # The daily or weekly digest of the cases for those who run a Lab; each goes out once (cases.digest).
    "case-digests": {"task": "cases.send_digests", "schedule": 3600.0},
}
CELERY_TIMEZONE = "Europe/Paris"

# --- Mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A mail server that never answers must not hang a worker (STACK.md).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Transfo <noreply@transfo.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out (address, login) pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then: refuses the password alone for a login guessed at from many addresses (accounts.lockout).
    "accounts.lockout.AccountLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "espace:espace"  # Mon espace, unless ``next`` says otherwise
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
# Accounts come by invitation: nobody signs up on their own.
ACCOUNT_ADAPTER = "accounts.adapter.InvitationOnlyAccountAdapter"
# One login path: Wagtail's admin sends people to the allauth login too.
WAGTAILADMIN_LOGIN_URL = "account_login"
# Wagtail's own password reset would be a second, unlimited way in that mails outside the outbox.
WAGTAIL_PASSWORD_RESET_ENABLED = False
ACCOUNT_LOGOUT_ON_GET = False
# None: the "remember me" box decides between SESSION_COOKIE_AGE and a browser session.
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords are axes' job, per (address, login), so that an attacker cannot lock
    # the rightful owner out from every address. allauth keeps a per-address ceiling
    # (one address trying many logins) and a loose per-login one, which also caps the
    # second-factor codes tried against one account (allauth counts them here too).
    "login_failed": "30/5m/ip,100/h/key",
    "login": "30/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Transfo] "
# A wrong login code three times voids it; a new code must be asked for.
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Second factor: optional for everyone, an authenticator app plus recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Its login form counts wrong codes per account in the database (accounts.lockout).
MFA_FORMS = {"authenticate": "accounts.lockout.LimitedAuthenticateForm"}
MFA_TOTP_ISSUER = "Transfo"
# One 30-second step either side: a phone whose clock drifts a little still works.
MFA_TOTP_TOLERANCE = 1

# Sessions: in the database (SESSION_ENGINE above), two weeks with "remember me".
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Brute force: failures counted in the database per (address, login), refused with 429; and per
# account across addresses (accounts.lockout), so that a stranger locks out only themself.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with email=..., not with the form field's name: read both, lower-cased.
AXES_USERNAME_CALLABLE = "accounts.security.attempted_login"
# REMOTE_ADDR, or X-Forwarded-For when the connection comes from one of TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "common.addresses.client_ip"
# A page in the site layout, in French, answered with the 429 status.
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Every wrong password also has its row: accounts.lockout counts them per login across addresses.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Per account, across addresses (each counting at most AXES_FAILURE_LIMIT): past this many wrong
# passwords within the window, the password alone no longer opens it; a code by mail, or the
# password and the second factor, still do. Wrong second-factor codes have their own limit.
LOGIN_FAILURES_PER_ACCOUNT = 20
SECOND_FACTOR_FAILURES_PER_ACCOUNT = 10
LOGIN_FAILURES_WINDOW = timedelta(hours=24)
# Login codes and tokens never reach axes' stored request data.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "token", "key", "csrfmiddlewaretoken"]

# Our reverse proxies (addresses or CIDR networks): only a connection from one of them has its
# X-Forwarded-For read (common.addresses.client_ip). None by default: a header anyone can type
# must not choose whose failures count (the compose file names its proxy's network).
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
try:
    _trusted_proxy_networks = [ipaddress.ip_network(entry, strict=False) for entry in TRUSTED_PROXIES]
except ValueError as error:
    raise ImproperlyConfigured(
        f"DJANGO_TRUSTED_PROXIES : adresse ou réseau invalide / invalid address or network ({error})."
    ) from error

# --- Languages ------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploads in an S3-compatible bucket with STORAGE_URL or S3_* (common.storage), else under MEDIA_ROOT.
MEDIA_BUCKET = storage_settings(env)
STORAGES = {
    "default": MEDIA_BUCKET or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Benchmark -----------------------------------------------------------
# Only `make bench` sets it: adds a bare "ok" view and a login-only one, the yardsticks
# every page's throughput is compared with (bench/run.py).
BENCHMARK_VIEWS = env.bool("TRANSFO_BENCHMARK_VIEWS", default=False)
if BENCHMARK_VIEWS:
    ROOT_URLCONF = "bench.urls"

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = "Transfo"
# The site's public address: every absolute link (API, feeds, sitemap, open data, archive, mails)
# is built on it, and the default Wagtail Site follows it (common.public_url).
TRANSFO_PUBLIC_URL = env("TRANSFO_PUBLIC_URL", default="http://localhost:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=TRANSFO_PUBLIC_URL)
# Read when a request asks for it, so that a test's override of the address reaches the API too.
WAGTAILAPI_BASE_URL = lazystr_setting("TRANSFO_PUBLIC_URL")
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
    }
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's full text with French stemming: a plural finds its singular (SQLite has none).
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "french"
# No Gravatar: it would hand a hash of every editor's address to a third party (and the CSP
# loads images from our own origin only); Wagtail shows its default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No SVG: an SVG image can carry script (STACK.md).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odp", "ods", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
# Documents always go through Wagtail's view, which answers with "nosniff" and a CSP forbidding
# scripts, and always as a download: a file shown inline could run in the site's origin.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
# Every image form of the admin checks and cleans its file with the platform's own limits
# (docs.images), and the file of an image or a document shown on a published page is changed
# only through the page's moderation (docs.media_forms).
WAGTAILIMAGES_IMAGE_FORM_BASE = "docs.media_forms.ImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "docs.media_forms.DocumentForm"
# Tags are shared by every Lab of a programme: « Accueil » typed in one Lab is « accueil » of another.
TAGGIT_CASE_INSENSITIVE = True

# --- Content-Security-Policy (django-csp) ---------------------------------
# Scripts and styles come only from our own files (static/js, static/css, htmx from django-htmx):
# no inline <script>, no style attribute, no eval, so text that slips into a page unescaped cannot
# run. Wagtail's admin (/cms/) gets 'unsafe-inline' on top, and only it (common.csp says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the second factor's QR code (allauth draws it as a data URI); blob: for the
        # photos of a journal entry waiting on the phone to be sent (static/js/offline.js).
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The service worker (/sw.js) and the web app manifest, both ours (transfo.pwa).
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        # Wagtail's editor shows its live preview in a frame of our own.
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
if MEDIA_BUCKET:
    # Public images (renditions, originals, logos) are read from the bucket or its CDN.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(public_origin(MEDIA_BUCKET["OPTIONS"]))

# --- Logging --------------------------------------------------------------
# Plain text lines, or one JSON object a line for a log collector (common.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT doit valoir text ou json / LOG_FORMAT must be text or json.")
LOGGING = logging_settings(LOG_FORMAT)

# Errors reported to Sentry (or a compatible service) when a DSN is given; no personal data sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    start_error_reporting(SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))
