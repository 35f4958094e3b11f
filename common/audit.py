"""The audit line and the refused-access log, which every app writes.

One line per event on the ``transfo.audit`` logger, as ``key=value`` pairs:
``event=login user_id=12 email=camille@example.org ip=203.0.113.7``. The record's own time
says when. What a line may carry is decided here and only here: never a password, a login code,
a token or a session key; secrets in a URL are masked. The events themselves (logins, role
changes) are listened to in accounts.audit; ``access_refused`` is written here, for a
PermissionDenied (the middleware) or a view calling ``log_refused_access``.
"""
import json
import logging
import re
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied

from .addresses import client_ip

logger = logging.getLogger("transfo.audit")

# Signals on models do not receive the request: the middleware lends it to them, so a role
# change says who made it and from where.
_current_request: ContextVar = ContextVar("transfo_audit_request", default=None)

_PLAIN = re.compile(r"^[\w.@+:/-]+$")
SECRET_URL_PARTS = ("token", "key", "code", "uid", "secret")


def _format(value):
    text = str(value)
    if _PLAIN.match(text):
        return text
    # Quoted and escaped: a typed login name cannot forge a second line or a fake field.
    return json.dumps(text[:200], ensure_ascii=False)


def record(event, *, request=None, user=None, login=None, **details):
    """Write one audit line: what happened, to whom (or which login was tried), from where."""
    request = request if request is not None else _current_request.get()
    fields = {"event": event}
    if user is not None:
        fields["user_id"] = user.pk
        fields["email"] = getattr(user, "email", "") or "-"
    elif login:
        fields["login"] = login
    else:
        fields["user_id"] = "-"
    fields["ip"] = client_ip(request) or "-"
    actor = getattr(request, "user", None) if request is not None else None
    if actor is not None and actor.is_authenticated and actor != user:
        fields["by"] = actor.pk
    fields.update({key: value for key, value in details.items() if value not in (None, "")})
    logger.info(" ".join(f"{key}={_format(value)}" for key, value in fields.items()), extra={"audit": fields})


def _path_without_secrets(request):
    # Invitation links, reset keys and the like carry a secret in the URL: masked.
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in (match.kwargs.items() if match else ()):
        if value and any(word in name for word in SECRET_URL_PARTS):
            path = path.replace(str(value), "***")
    return path


def log_refused_access(request, reason):
    """Record that ``request.user`` was refused something (a 403, or a 404 hiding a forbidden item).

    Views call it where a permission check fails, e.g.
    ``log_refused_access(request, "case_not_readable")`` before raising Http404.
    """
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    record("access_refused", request=request, user=user, path=_path_without_secrets(request), reason=reason)


class AuditMiddleware:
    """Lends the request to model signals, and records every PermissionDenied raised by a view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

    def process_exception(self, request, exception):
        # Only records: Django still answers the 403 itself.
        if isinstance(exception, PermissionDenied):
            log_refused_access(request, str(exception) or "permission_denied")
