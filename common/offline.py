"""What a phone may keep of a page to read it offline (static/js/offline.js, the service worker).

A page of the reader's own work (My cases, a case of their team, a session of their Lab, the entry
form) says so with ``OFFLINE_HEADER``, whose value is the reader's offline key: the service worker
keeps only such pages, in a cache named after that key, and serves offline only the cache of the
key the last page it saw named (``<meta name="transfo-offline">``). The key is opaque (an HMAC of
the account): it tells nothing of the person, and another person's key never matches.
"""
from django.utils.crypto import salted_hmac

OFFLINE_HEADER = "X-Transfo-Offline"


def offline_key(user) -> str:
    """The reader's opaque offline key, "" for an anonymous visitor (nothing is kept for them)."""
    if user is None or not user.is_authenticated:
        return ""
    return salted_hmac("transfo.offline-key", str(user.pk)).hexdigest()[:24]


def keep_offline(response, user):
    """Mark ``response``, a page of ``user``'s own work, as one their phone may keep for offline."""
    key = offline_key(user)
    if key:
        response[OFFLINE_HEADER] = key
        # Private: a shared cache must not hand it to anyone else.
        response["Cache-Control"] = "private, no-cache"
    return response
