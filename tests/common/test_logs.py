"""Logs an operator can search (LOG_FORMAT=json) and errors reported without personal data (SENTRY_DSN)."""
import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from common.logs import JsonFormatter
from transfo.celery import app as celery_app

PROJECT = Path(__file__).resolve().parents[2]
EMAIL = "camille.durand@example.org"


@pytest.fixture
def json_lines():
    """What the project's loggers write during the test, as parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("transfo.requests", "transfo.audit", "transfo.tests")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, level in zip(loggers, levels):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.django_db
def test_a_request_line_carries_its_id_the_user_id_path_status_and_duration_and_no_email(client, json_lines):
    user = get_user_model().objects.create_user(username="camille", email=EMAIL, password="x-long-password-1")
    client.force_login(user)

    response = client.get("/compte/")

    request_line = [line for line in json_lines() if line["logger"] == "transfo.requests"][-1]
    assert request_line["request_id"] == response["X-Request-ID"]
    assert (request_line["user_id"], request_line["path"], request_line["status"]) == (
        user.pk,
        "/compte/",
        response.status_code,
    )
    assert request_line["duration_ms"] >= 0
    assert EMAIL not in json.dumps(json_lines())


@pytest.mark.django_db
def test_the_proxy_request_id_is_kept_and_a_forged_one_replaced(client):
    assert client.get("/sante/vie/").get("X-Request-ID") is None  # the probe answers before any of it
    kept = client.get("/", HTTP_X_REQUEST_ID="proxy-4f2a9c01")
    replaced = client.get("/", HTTP_X_REQUEST_ID="x\nforged line")

    assert kept["X-Request-ID"] == "proxy-4f2a9c01"
    assert len(replaced["X-Request-ID"]) == 32 and "\n" not in replaced["X-Request-ID"]


@pytest.mark.django_db
def test_an_audit_line_goes_out_without_the_email_and_with_the_login_only_hashed(client, json_lines):
    client.post("/accounts/login/", {"login": EMAIL, "password": "wrong"})

    audit = [line for line in json_lines() if line["logger"] == "transfo.audit"]
    assert [line["message"] for line in audit] == ["login_failed"]
    assert len(audit[0]["audit"]["login_hash"]) == 16
    assert EMAIL not in json.dumps(json_lines())


@celery_app.task(name="tests.logs.write_a_line")
def write_a_line():
    logging.getLogger("transfo.tests").info("inside the task")


def test_a_task_line_carries_the_task_id_and_name(json_lines):
    result = write_a_line.apply()

    line = [line for line in json_lines() if line["message"] == "inside the task"][0]
    assert (line["task_id"], line["task"]) == (result.id, "tests.logs.write_a_line")


def run_settings(env_extra, code="import django; django.setup()"):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "transfo.settings.test", **env_extra}
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)


def test_an_unknown_log_format_is_refused_at_start_with_a_clear_message():
    result = run_settings({"LOG_FORMAT": "xml"})

    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr


class _Collector(BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.bodies.append(body.decode())
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_an_error_report_names_the_release_and_carries_no_personal_data():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Collector.bodies = []
    code = (
        "import django; django.setup(); import sentry_sdk; "
        f"sentry_sdk.set_user({{'id': 7, 'email': '{EMAIL}', 'username': 'camille'}}); "
        "sentry_sdk.capture_message('probe'); sentry_sdk.flush(timeout=10)"
    )
    try:
        result = run_settings({"SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1"}, code)
    finally:
        server.shutdown()

    assert result.returncode == 0, result.stderr
    event = next(
        json.loads(part) for body in _Collector.bodies for part in body.splitlines() if '"message"' in part
    )
    assert event["release"].startswith("transfo@")
    assert event["user"] == {"id": 7}
    assert EMAIL not in "".join(_Collector.bodies) and "camille" not in "".join(_Collector.bodies)
