"""The site's public address (TRANSFO_PUBLIC_URL): the one origin every absolute link is built on.

The API's URLs, the feeds, the sitemap, the open data, the static archive and the links of the
mails all name this address, whatever host a request came through. Wagtail builds a page's full
URL from its Site: the default Site's hostname and port are kept equal to this address, after
every ``migrate`` and when the web process starts (``sync_default_site``).
"""
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import lazy

logger = logging.getLogger("transfo.public_url")

DEFAULT_PORTS = {"http": 80, "https": 443}


def public_base_url() -> str:
    """The public address without its final slash, e.g. ``https://transfo.example.org``."""
    return str(settings.TRANSFO_PUBLIC_URL).rstrip("/")


def public_url(path: str = "/") -> str:
    """``path`` (absolute, from the site's root) at the public address."""
    return public_base_url() + path


def lazystr_setting(name: str):
    """A setting's value read when used, for a setting that repeats another (settings files)."""
    return lazy(lambda: str(getattr(settings, name)), str)()


def site_address() -> tuple[str, int]:
    """(hostname, port) of the public address, as a Wagtail Site records them."""
    parts = urlsplit(public_base_url())
    return parts.hostname or "localhost", parts.port or DEFAULT_PORTS.get(parts.scheme, 80)


def sync_default_site() -> bool:
    """Give the default Site the public address; True when it changed. No Site yet: nothing to do."""
    from wagtail.models import Site

    hostname, port = site_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    if Site.objects.filter(hostname=hostname, port=port).exists():
        # Another Site holds this address (hostname and port are unique together): left to an admin.
        logger.warning("Default Site not moved to %s:%s: another Site has that address.", hostname, port)
        return False
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    logger.info("Default Site moved to %s:%s.", hostname, port)
    return True


def sync_at_startup():
    """At the start of a web process; a database not there yet is reported, not fatal.

    The connection it opened is closed again: gunicorn loads the application once and then forks
    its workers, and workers sharing one connection's socket read each other's answers.
    """
    from django.db import connections

    try:
        sync_default_site()
    except DatabaseError:
        logger.warning("Default Site not synced with TRANSFO_PUBLIC_URL: database unavailable.", exc_info=True)
    finally:
        connections.close_all()


def sync_after_migrate(sender, **kwargs):
    """After ``migrate`` (the migration creating the Site knows nothing of the address)."""
    sync_at_startup()


def resync_on_change(setting, **kwargs):
    # Tests change the address with override_settings: the Site follows, as at startup.
    if setting == "TRANSFO_PUBLIC_URL":
        sync_default_site()
