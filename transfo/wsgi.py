"""WSGI entry point (gunicorn transfo.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

from common.public_url import sync_at_startup
from common.worker_gc import FreezeLongLivedObjects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transfo.settings.production")

# The collector's full passes kept short once the worker is warm (common.worker_gc).
application = FreezeLongLivedObjects(get_wsgi_application())
# The default Site takes the configured public address (TRANSFO_PUBLIC_URL), should it have changed.
sync_at_startup()
