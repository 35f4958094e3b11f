"""Whole-page cache of the public documentation for anonymous visitors.

A Wagtail page costs tens of queries and most of its time in templates (STACK.md); the same page
from the cache costs two cache reads. Only responses a documentation page marks as cacheable
(``mark_cacheable``: live, public, served to an anonymous GET) are stored, keyed by host, language
and full path. A request with a session or pending messages is never served from, nor stored in,
the cache: what it sees may be personal.

Clearing is a new "generation" (a random value every key includes), so that every process sharing
the cache drops every page at once, even on a cache that cannot delete by pattern; old entries
simply expire. The CSRF token of the header's forms is personal: it is stored as a placeholder and
each visitor gets their own when the page is served from the cache.
"""
import hashlib
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CACHE_TIMEOUT = 10 * 60
GENERATION_KEY = "docs:pages:generation"
TOKEN_PLACEHOLDER = "__csrf_token_placeholder__"
_TOKEN_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_KEPT_HEADERS = ("Content-Type", "Content-Language")


def mark_cacheable(response):
    """Let the middleware keep this response for the next anonymous visitors."""
    response.docs_cacheable = True
    return response


def clear_page_cache(**_kwargs):
    """Forget every cached page (publication, unpublication, deletion, a change of what they show)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A lost generation (eviction, restart) starts a new one, never an old one again.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def page_cache_key(request, generation):
    address = f"{request.get_host()}|{get_language()}|{request.get_full_path()}"
    return f"docs:page:{generation}:{hashlib.sha256(address.encode()).hexdigest()}"


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
        generation = _generation()
        if generation is None:
            # The cache is unreachable (Redis down): serve without it.
            return self.get_response(request)
        key = page_cache_key(request, generation)
        stored = cache.get(key)
        if stored is not None:
            return self._replay(request, stored)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            getattr(response, "docs_cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not (user is not None and user.is_authenticated)
        ):
            cache.set(key, self._freeze(response), CACHE_TIMEOUT)
        return response

    @staticmethod
    def _freeze(response):
        content = response.content.decode(response.charset)
        return {
            "content": _TOKEN_VALUE.sub(rf"\g<1>{TOKEN_PLACEHOLDER}\g<2>", content),
            "headers": {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
        }

    @staticmethod
    def _replay(request, stored):
        content = stored["content"]
        if TOKEN_PLACEHOLDER in content:
            content = content.replace(TOKEN_PLACEHOLDER, get_token(request))
        response = HttpResponse(content)
        for name, value in stored["headers"].items():
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
