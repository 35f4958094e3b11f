"""Health checks for the operator's probes: `/sante/vie/` (alive) and `/sante/` (ready to serve).

Answered by a middleware placed first, before anything reads the Host header or redirects to
https: a container's probe asks `http://127.0.0.1:8000/sante/` with whatever Host it has, and
must neither get a 400 (DisallowedHost) nor a 301. Both answers are JSON, never cached, not behind
a login, and say only which check failed and how long each took — never an address, a password or
an error text that could hold one.

- alive: the process answers; it touches nothing (a database outage must not get it restarted).
- ready: the database answers and no migration is pending, the cache keeps a value, the broker
  accepts a connection (skipped when tasks run in the request: no broker), the storage answers.
  503 when one fails, so that a load balancer sends no traffic to this process.
"""
import json
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse

logger = logging.getLogger("transfo.health")

ALIVE_PATH = "/sante/vie/"
READY_PATH = "/sante/"
# Once every migration is applied it stays so for the life of the process (a deploy restarts it):
# reading the migration graph at every probe would cost more than the rest of the checks.
_migrations_applied = False


def check_database():
    global _migrations_applied
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise RuntimeError("migrations pending")
        _migrations_applied = True


def check_cache():
    # The Redis cache answers "miss" instead of failing while Redis is away (common.redis_cache):
    # a value that does not come back is the sign.
    key, value = "health:probe", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("cache did not keep a value")


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "skipped"
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return None


def check_storage():
    default_storage.exists("health-probe")


READINESS_CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def readiness():
    """(all passed, {check: {"status": "ok" | "skipped" | "fail", "ms": …}})."""
    results, healthy = {}, True
    for name, check in READINESS_CHECKS.items():
        started = time.perf_counter()
        try:
            status = check() or "ok"
        except Exception as error:  # noqa: BLE001 — any failure is "not ready", whatever it is
            # The kind of error only: its text may hold an address or a password.
            logger.warning("health check %s failed: %s", name, type(error).__name__)
            status, healthy = "fail", False
        results[name] = {"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return healthy, results


def _json(body, status):
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers the two probe addresses before any other middleware sees the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.path == ALIVE_PATH:
                return _json({"status": "ok"}, 200)
            if request.path == READY_PATH:
                healthy, checks = readiness()
                return _json({"status": "ok" if healthy else "fail", "checks": checks}, 200 if healthy else 503)
        return self.get_response(request)
