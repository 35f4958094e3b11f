"""Fixtures of the fault tests: throwaway services, the app as deployed, and a way to read the database.

One PostgreSQL cluster serves the whole run: the schema is migrated and seeded once into a
template database, and each test works on a copy of it. Redis, the mail server and the app's
processes are new for each test.
"""
import json
import os
import signal
import subprocess
import sys

import pytest

from .smtp import SmtpSink
from .stack import ROOT, App, Database, PostgresCluster, RedisServer

TEMPLATE = "transfo_template"


def _setup_env(database_url):
    """The embedded settings pointed at the cluster: fast hashing, eager tasks, mail kept in memory."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL", "EMAIL_URL")}
    return {**env, "DJANGO_SETTINGS_MODULE": "transfo.settings.test", "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}


def _run(args, env):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args[1:3])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


@pytest.fixture(scope="session")
def cluster():
    cluster = PostgresCluster().init().start()
    try:
        url = cluster.create_database(TEMPLATE)
        env = _setup_env(url)
        # System checks are `make test`'s job; here they would only cost time.
        _run([sys.executable, "manage.py", "migrate", "--no-input", "--skip-checks"], env)
        cluster.seed = json.loads(_run([sys.executable, "-m", "faults.seed"], env).splitlines()[0])
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def seed(cluster):
    return cluster.seed


@pytest.fixture
def database(cluster, request):
    name = "faults_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    cluster.create_database(name, template=TEMPLATE)
    return Database(cluster, name)


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def make_app(tmp_path, database, redis, smtp, request):
    """Build the app on this test's database, Redis and mail server; stop all of it afterwards.

    On failure the end of every process's log is printed, so the cause is in the CI output.
    """
    apps = []

    def build(**extra_env):
        app = App(tmp_path / f"app{len(apps)}", database_url=database.url, redis_url=redis.url,
                  smtp_port=smtp.port, extra_env=extra_env)
        apps.append(app)
        return app

    yield build
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for app in apps:
        # Nothing to keep: no graceful shutdown, which would cost seconds per process.
        app.stop(sig=signal.SIGKILL)
        if failed:
            for name in app.spawned:
                print(f"\n--- end of {name}.log ---\n{app.log(name)[-4000:]}")
