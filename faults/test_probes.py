"""The operator's probes against the app as deployed (production settings, gunicorn, real Redis).

Promise: the web container's health check, exactly as docker-compose.yml writes it, passes on a
healthy process whatever Host it sends (no 400, no https redirect); `/sante/` answers 503 naming
the cache and the broker while Redis is away, and 200 again once it is back, while `/sante/vie/`
answers throughout. With LOG_FORMAT=json, the web and the worker write one JSON object a line,
the request's line carrying the proxy's request id.
"""
import http.client
import json
import subprocess
import sys

import yaml

from .stack import ROOT, wait_for


def probe(port, path, host="transfo-web:8000"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def compose_web_health_check(port):
    """The web service's health check command of docker-compose.yml, pointed at this process."""
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    return [sys.executable, *[part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in test[2:]]]


def test_probes_follow_the_services(make_app, redis):
    # With the logs as an operator's collector reads them: one JSON object a line, worker included.
    app = make_app(LOG_FORMAT="json")
    (port,) = app.start(workers=("worker",), beat=False)

    assert subprocess.run(compose_web_health_check(port), capture_output=True, timeout=30).returncode == 0
    status, body = probe(port, "/sante/")
    assert status == 200
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "cache": "ok", "broker": "ok", "storage": "ok",
    }

    redis.stop()
    status, body = wait_for(lambda: (lambda answer: answer if answer[0] == 503 else None)(probe(port, "/sante/")),
                            timeout=30, what="a 503 while Redis is away")
    assert (body["checks"]["cache"]["status"], body["checks"]["broker"]["status"]) == ("fail", "fail")
    assert probe(port, "/sante/vie/") == (200, {"status": "ok"})
    assert subprocess.run(compose_web_health_check(port), capture_output=True, timeout=30).returncode != 0

    redis.start()
    wait_for(lambda: probe(port, "/sante/")[0] == 200, timeout=30, what="ready again once Redis is back")

    worker_lines = [json.loads(line) for line in app.log("worker").splitlines() if line.startswith("{")]
    assert any(line["message"].endswith(" ready.") for line in worker_lines)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/", headers={"Host": "127.0.0.1", "X-Request-ID": "fault-probe-0001"})
    status = connection.getresponse().status
    connection.close()
    request_lines = wait_for(
        lambda: [json.loads(line) for line in app.log("web").splitlines()
                 if line.startswith("{") and '"fault-probe-0001"' in line],
        timeout=10, what="the request's JSON line",
    )
    assert (request_lines[0]["path"], request_lines[0]["status"]) == ("/", status)
