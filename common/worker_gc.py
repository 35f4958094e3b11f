"""Keep the garbage collector's full passes short in a web worker.

A worker holds a few hundred thousand long-lived objects (Django, Wagtail, the URL patterns,
the compiled templates, the translation catalogues). Every so often Python's collector walks
all of them at once: a pause of a quarter of a second that falls on whichever request is being
served, many times that request's own cost. Once the worker has served its first requests (the
lazy imports and caches are filled), ``gc.freeze()`` moves what is alive out of the collector's
reach: its later passes walk only what requests create.

What becomes garbage after being frozen is never collected, so the worker freezes only a few
times over its life, further and further apart, after a full collection each time.
"""
import gc

# Freeze after this many requests, then after ten times as many, and so on, up to the last.
FIRST_FREEZE = 20
FREEZE_FACTOR = 10
LAST_FREEZE = 20_000


class FreezeLongLivedObjects:
    """WSGI middleware: after the response of the requests at which it is due, collect and freeze.

    The work runs when the server closes the response, after the body was sent: the request
    that triggers it does not wait for it.
    """

    def __init__(self, application, *, first=FIRST_FREEZE, factor=FREEZE_FACTOR, last=LAST_FREEZE):
        self.application = application
        self.served = 0
        self.next_freeze = first
        self.factor, self.last = factor, last

    def __call__(self, environ, start_response):
        response = self.application(environ, start_response)
        self.served += 1
        if self.next_freeze is None or self.served < self.next_freeze:
            return response
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(response, file_wrapper):
            # A file the server sends by itself (sendfile): left as it is, the next request freezes.
            return response
        self.next_freeze = self.next_freeze * self.factor
        if self.next_freeze > self.last:
            self.next_freeze = None
        return _ThenFreeze(response)


class _ThenFreeze:
    """The response as it was, and a collection and freeze when the server closes it."""

    def __init__(self, response):
        self.response = response

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            freeze_long_lived()


def freeze_long_lived():
    """Collect what is garbage now, then keep what is left out of the collector's way."""
    gc.collect()
    gc.freeze()
