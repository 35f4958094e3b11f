"""The operator's probes: alive and ready, answered whatever the Host and before the https redirect."""
import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from common import health

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://:s3cret-password@127.0.0.1:1/0"
PRODUCTION_LIKE = {"ALLOWED_HOSTS": ["transfo.example.org"], "SECURE_SSL_REDIRECT": True}


@pytest.fixture(autouse=True)
def migrations_read_again(monkeypatch):
    # Each test reads the migration state anew instead of the process's remembered answer.
    monkeypatch.setattr(health, "_migrations_applied", False)


def body(response):
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


@override_settings(**PRODUCTION_LIKE)
def test_alive_answers_a_container_probe_with_any_host_over_plain_http(client):
    response = client.get("/sante/vie/", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert body(response) == {"status": "ok"}


@override_settings(**PRODUCTION_LIKE)
def test_ready_answers_ok_with_each_check_when_everything_answers(client):
    response = client.get("/sante/", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    payload = body(response)
    assert payload["status"] == "ok"
    assert set(payload["checks"]) == {"database", "cache", "broker", "storage"}
    assert {check["status"] for check in payload["checks"].values()} <= {"ok", "skipped"}


@override_settings(
    **PRODUCTION_LIKE,
    CACHES={"default": {"BACKEND": "common.redis_cache.ResilientRedisCache", "LOCATION": UNREACHABLE_REDIS}},
)
def test_ready_answers_503_naming_the_cache_when_redis_is_away_and_tells_no_secret(client):
    response = client.get("/sante/", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 503
    payload = body(response)
    assert (payload["status"], payload["checks"]["cache"]["status"]) == ("fail", "fail")
    assert payload["checks"]["database"]["status"] == "ok"
    assert "s3cret" not in response.content.decode() and "127.0.0.1:1" not in response.content.decode()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNREACHABLE_REDIS)
def test_ready_answers_503_when_the_broker_is_away(client):
    response = client.get("/sante/")

    assert response.status_code == 503
    assert body(response)["checks"]["broker"]["status"] == "fail"
    assert "s3cret" not in response.content.decode()


def test_ready_answers_503_while_a_migration_is_pending(client):
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="outbox").order_by("-id").first()
    latest.delete()  # as if the new code had arrived before `migrate` ran (rolled back after the test)

    response = client.get("/sante/")

    assert response.status_code == 503
    assert body(response)["checks"]["database"]["status"] == "fail"


@pytest.mark.services
@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_ready_reaches_the_real_broker_and_cache(client, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    response = client.get("/sante/")

    assert response.status_code == 200
    checks = body(response)["checks"]
    assert (checks["broker"]["status"], checks["cache"]["status"]) == ("ok", "ok")


def test_a_post_to_the_probe_address_is_not_answered_as_a_probe(client):
    response = client.post("/sante/")

    assert response.status_code == 404
