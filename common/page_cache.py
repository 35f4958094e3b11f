"""Whole-response cache for anonymous readers: the public documentation, its feeds, the calendar feeds.

A Wagtail page costs tens of queries and most of its time in templates (STACK.md); the same page
from the cache costs one cache read. Only responses a view marks as cacheable (``mark_cacheable``:
live, public, served to an anonymous GET) are stored, keyed by host, language and full path. A
request with a session or pending messages is never served from, nor stored in, the cache: what
it sees may be personal. A calendar feed read with its secret token (no session) is cached under
its own address, which only the token's owner knows.

Each cached response belongs to a group, and each group has a "generation" (a random value stored
beside the response): clearing a group is giving it a new generation, so that every process
sharing the cache drops its responses at once, even on a cache that cannot delete by pattern; old
entries are overwritten or simply expire. The documentation and its RSS/Atom feeds ("docs") are
cleared on publication and on every change of what they show (docs.signals); the calendar feeds
("calendar") on every change of a session, its agenda, an InterTransfo, a team, a coordination,
a person or a feed token (sessions.cache). Each app connects the receivers of what it shows. The response and the generations are read together,
in one round trip.

The CSRF token of the header's forms is personal: it is cut out of the stored copy and each visitor
gets their own when the page is served from the cache. A response without one gets an ETag, and a
reader sending it back (If-None-Match) gets a 304 without the body.
"""
import hashlib
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language

DOCS, CALENDAR = "docs", "calendar"
GENERATION_KEYS = {DOCS: "docs:pages:generation", CALENDAR: "calendar:feeds:generation"}
# A calendar application asks again every few hours; the lifetime only bounds a change made
# without a signal (a bulk update), which then shows within it, as Cache-Control already allows.
CACHE_TIMEOUTS = {DOCS: 10 * 60, CALENDAR: 5 * 60}
CACHE_TIMEOUT = CACHE_TIMEOUTS[DOCS]
# Changed with the shape of what is stored, so that a copy stored by an older version is never read.
PAGE_KEY_PREFIX = "pages:2:"
# What is split out of a response: the value of each CSRF token field, kept around it.
_TOKEN_VALUE = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[^"]*(?=")')
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Cache-Control", "Last-Modified", "ETag")


def mark_cacheable(response, group=DOCS):
    """Let the middleware keep this response for the next anonymous readers, in ``group``."""
    response.page_cache_group = group
    return response


def _clear(group):
    cache.set(GENERATION_KEYS[group], uuid.uuid4().hex, timeout=None)


def clear_page_cache(**_kwargs):
    """Forget every cached page and feed of the documentation (publication, unpublication, deletion…)."""
    _clear(DOCS)


def clear_calendar_cache(**_kwargs):
    """Forget every cached calendar feed (a session, its agenda, a team, a token… changed)."""
    _clear(CALENDAR)


def _generations(found):
    """Each group's generation, from what ``get_many`` found; a lost one (eviction, restart)
    starts anew, never as an old one again. None when the cache is unreachable (Redis down)."""
    generations = {group: found.get(key) for group, key in GENERATION_KEYS.items()}
    for group, generation in generations.items():
        if generation is None:
            cache.add(GENERATION_KEYS[group], uuid.uuid4().hex, timeout=None)
            generation = generations[group] = cache.get(GENERATION_KEYS[group])
            if generation is None:
                return None
    return generations


def page_cache_key(request):
    address = f"{request.get_host()}|{get_language()}|{request.get_full_path()}"
    return f"{PAGE_KEY_PREFIX}{hashlib.sha256(address.encode()).hexdigest()}"


def may_use_cache(request):
    """Anonymous GETs without a session nor messages waiting, and not an htmx fragment."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_HX_REQUEST" not in request.META
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not may_use_cache(request):
            return self.get_response(request)
        key = page_cache_key(request)
        found = cache.get_many([key, *GENERATION_KEYS.values()])
        stored = found.get(key)
        if stored is not None and stored["generation"] == found.get(GENERATION_KEYS.get(stored["group"])):
            return self._replay(request, stored)
        # Read before the page is made: a change while it is made leaves it stored as outdated.
        generations = _generations(found)
        if generations is None:
            return self.get_response(request)
        response = self.get_response(request)
        group = getattr(response, "page_cache_group", None)
        user = getattr(request, "user", None)
        if (
            group in GENERATION_KEYS
            and response.status_code == 200
            and not response.streaming
            and not (user is not None and user.is_authenticated)
        ):
            frozen = self._freeze(response, group, generations[group])
            cache.set(key, frozen, CACHE_TIMEOUTS[group])
            if "ETag" in frozen["headers"]:
                response["ETag"] = frozen["headers"]["ETag"]
                return get_conditional_response(request, etag=response["ETag"], response=response)
        return response

    @staticmethod
    def _freeze(response, group, generation):
        headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
        # Kept as the bytes around each CSRF token, so that serving it again is a join.
        parts = _TOKEN_VALUE.split(response.content)
        if len(parts) == 1 and "ETag" not in headers:
            headers["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        return {"group": group, "generation": generation, "parts": parts, "headers": headers}

    @staticmethod
    def _replay(request, stored):
        parts = stored["parts"]
        content = parts[0] if len(parts) == 1 else get_token(request).encode().join(parts)
        response = HttpResponse(content, headers=stored["headers"])
        response["X-Page-Cache"] = "hit"
        headers = stored["headers"]
        if "ETag" in headers or "Last-Modified" in headers:
            # If-None-Match, or If-Modified-Since for a calendar application that only sends that.
            last_modified = parse_http_date_safe(headers["Last-Modified"]) if "Last-Modified" in headers else None
            return get_conditional_response(request, etag=headers.get("ETag"), last_modified=last_modified, response=response)
        return response
