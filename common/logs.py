"""Logs an operator can search: one JSON object a line when LOG_FORMAT=json, plain text otherwise.

Every line written while a request or a task runs carries its id (``request_id``, or ``task_id``
and ``task``) and the id of the person logged in (``user_id``) — never an e-mail address or a name:
an audit line's fields go out without the e-mail, and the login someone typed only as a hash, so
that attempts on one login can still be told apart. One ``request`` line per request gives the
method, path, status and duration.

The request id is the proxy's ``X-Request-ID`` when it looks like one (so that the proxy's lines
and ours match), a new one otherwise; the answer carries it back.
"""
import hashlib
import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.functional import empty

_context: ContextVar = ContextVar("transfo_log_context", default=None)

request_logger = logging.getLogger("transfo.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Fields a line may carry besides its own; anything else given in `extra` stays out.
_KEPT_FIELDS = ("method", "path", "status", "duration_ms")
_PERSONAL_AUDIT_FIELDS = ("email", "login")


def current_context():
    return _context.get() or {}


class RequestLogMiddleware:
    """Gives the request its id, and writes its one ``request`` line when the answer is ready."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = _context.set({"request_id": request_id})
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            # Only a user some part of the request already read: reading it here would cost the
            # session's and the user's queries on pages that need neither.
            user = getattr(getattr(request, "user", None), "_wrapped", getattr(request, "user", None))
            if user is not None and user is not empty and user.is_authenticated:
                _context.set({"request_id": request_id, "user_id": user.pk})
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _context.reset(token)


def task_started(task_id=None, task=None, **_kwargs):
    """Celery's task_prerun: the lines the task writes carry its id and name."""
    _context.set({"task_id": task_id, "task": getattr(task, "name", None)})


def task_finished(**_kwargs):
    _context.set(None)


def connect_celery_signals():
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(task_started, weak=False, dispatch_uid="logs_task_started")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="logs_task_finished")


def _login_hash(value):
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request's or task's ids, and the
    fields a line was given among those kept; an audit line's fields without personal data."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        line.update(current_context())
        audit = getattr(record, "audit", None)
        if audit is not None:
            fields = {key: value for key, value in audit.items() if key not in _PERSONAL_AUDIT_FIELDS}
            if audit.get("login") and audit["login"] != "-":
                fields["login_hash"] = _login_hash(audit["login"])
            line["message"] = fields.get("event", "audit")
            line["audit"] = fields
        else:
            line["message"] = record.getMessage()
        line.update({key: getattr(record, key) for key in _KEPT_FIELDS if hasattr(record, key)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_settings(log_format, *, root_level="WARNING", audit_format="{asctime} {name} {message}"):
    """Django's LOGGING for ``log_format`` ("json" or "text"), the same loggers in both."""
    json_lines = log_format == "json"
    formatter = {"()": "common.logs.JsonFormatter"} if json_lines else {"format": audit_format, "style": "{"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # The audit line's time is the "when" of the event.
        "formatters": {"lines": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "lines"}},
        "root": {"handlers": ["console"], "level": root_level},
        "loggers": {
            "transfo": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # One line per login, failure, lockout, refused access and role change (accounts.audit).
            "transfo.audit": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # gunicorn writes its access log in text; in JSON the request lines take its place.
            "transfo.requests": {"handlers": ["console"], "level": "INFO" if json_lines else "WARNING", "propagate": False},
            # In JSON the worker and beat log through these settings (transfo.celery); in text
            # Celery sets up its own logging, and a handler of ours on its loggers would write
            # into the stderr it redirects to them, where the lines are lost.
            **({"celery": {"handlers": ["console"], "level": "INFO", "propagate": False}} if json_lines else {}),
        },
    }
