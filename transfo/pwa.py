"""The site as an installable app: its web app manifest and its service worker.

The service worker (templates/pwa/service-worker.js) is served from the root so that its scope is
the whole site. Its text names a version, a hash of every static file: a deploy that changes any
of them changes the worker, and the browser replaces the old one and its caches.
"""
import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

# The site's accent colour (static/css/transfo.css, --accent), the bar of the installed app.
THEME_COLOUR = "#8a2c0d"
BACKGROUND_COLOUR = "#ffffff"
ICONS = [
    ("icons/transfo-192.png", "192x192", "any"),
    ("icons/transfo-512.png", "512x512", "any"),
    ("icons/transfo-maskable-192.png", "192x192", "maskable"),
    ("icons/transfo-maskable-512.png", "512x512", "maskable"),
]
# What the worker keeps from its installation: the look and the scripts of the pages read offline.
OFFLINE_ASSETS = [
    "css/transfo.css",
    "css/cases.css",
    "css/sessions.css",
    "js/offline.js",
    "js/journal-queue.js",
    "icons/transfo-192.png",
]


@functools.lru_cache(maxsize=1)
def static_version() -> str:
    """A short hash of every static file of ours and of the worker itself, computed once a process."""
    digest = hashlib.sha256()
    template = Path(settings.BASE_DIR) / "templates" / "pwa" / "service-worker.js"
    roots = [Path(folder) for folder in settings.STATICFILES_DIRS]
    for path in sorted(file for root in roots for file in root.rglob("*") if file.is_file()) + [template]:
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@require_safe
def manifest(request):
    """Permission: anyone. The app's names in the reader's language, its icons, My cases as its start."""
    data = {
        "name": gettext("Transfo : journal des cas"),
        "short_name": "Transfo",
        "description": gettext("Le journal de bord des cas pratiques, même sans réseau."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("my_cases:my_cases"),
        "scope": "/",
        "id": "/mes-cas/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": static(name), "sizes": sizes, "type": "image/png", "purpose": purpose} for name, sizes, purpose in ICONS],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
def service_worker(request):
    """Permission: anyone. The worker's script: it names no one (who is who is decided per page,
    common.offline), so it is the same for every visitor and always asked afresh."""
    context = {
        "version": static_version(),
        "assets": json.dumps([static(name) for name in OFFLINE_ASSETS]),
        "queue_script": json.dumps(static("js/journal-queue.js")),
    }
    response = HttpResponse(render_to_string("pwa/service-worker.js", context), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
