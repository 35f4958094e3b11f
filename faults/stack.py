"""Throwaway services for the fault tests: a PostgreSQL cluster, Redis, a mail server, the app.

Everything listens on a free loopback port and lives in a temporary folder, so a fault test can
stop, restart or hang any of them without touching the services anything else on the machine uses.
Every process started here is a child of the test run and is stopped by the same object that
started it.
"""
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_process(process: subprocess.Popen, *, grace: float = 10.0, sig=signal.SIGTERM) -> None:
    """Stop a process started here (and its own children, started in its own session)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (read from /proc: no extra package)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return found


class PostgresCluster:
    """A PostgreSQL cluster of our own, run by the ``postgres`` user when we are root."""

    def __init__(self):
        # A folder of its own directly in the temp dir: the postgres user must be able to reach it.
        self.folder = Path(tempfile.mkdtemp(prefix="transfo-faults-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.log = self.folder / "postgresql.log"
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("the PostgreSQL server is not installed (apt-get install postgresql)")
        self.bin = Path(found[-1]).parent
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args, check=True):
        result = subprocess.run([*self.as_postgres, *args], capture_output=True, text=True, cwd=self.folder)
        if check and result.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def init(self):
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.folder}'\n"
                # Throwaway data: durability costs time and buys nothing here.
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 60\nshared_buffers = 32MB\n"
            )
        return self

    def pg_ctl(self, action, *extra):
        return self._run(
            str(self.bin / "pg_ctl"), action, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", *extra
        )

    def start(self):
        self.pg_ctl("start")
        return self

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "fast")

    def remove(self):
        # Immediate: the data is thrown away, a shutdown checkpoint would only cost time.
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self):
        """A fast restart: open connections are cut, as when the server is restarted for an upgrade."""
        self.pg_ctl("restart", "-m", "fast")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", **kwargs):
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database, **kwargs)

    def create_database(self, name: str, template: str | None = None):
        with self.connect(autocommit=True) as connection:
            clause = f" TEMPLATE {template}" if template else ""
            connection.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)


class Database:
    """Reads one database of the cluster with a fresh connection each time (it may have restarted)."""

    def __init__(self, cluster: PostgresCluster, name: str):
        self.cluster = cluster
        self.name = name
        self.url = cluster.url(name)

    def rows(self, sql, params=None):
        with self.cluster.connect(self.name) as connection:
            return connection.execute(sql, params).fetchall()

    def scalar(self, sql, params=None):
        return self.rows(sql, params)[0][0]

    def mails(self):
        """(recipient, subject, status) of every queued mail."""
        return self.rows('SELECT "to", subject, status FROM outbox_outgoingmail ORDER BY id')


class RedisServer:
    """A Redis without persistence: stopping it loses everything, as a crashed Redis would."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.folder.mkdir(parents=True, exist_ok=True)
        log = open(self.folder / "redis.log", "a")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: port_answers(self.port), timeout=10, what="redis")
        return self

    def stop(self):
        if self.process is not None:
            stop_process(self.process)
            self.process = None


class App:
    """The platform as deployed: gunicorn, Celery workers and beat, with production settings."""

    def __init__(self, folder: Path, *, database_url: str, redis_url: str, smtp_port: int, extra_env=None):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.media = folder / "media"
        self.media.mkdir(exist_ok=True)
        self.processes = {}
        self.spawned = []
        self.ports = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "faults.settings",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DJANGO_MEDIA_ROOT": str(self.media),
            # The test clients stand where the reverse proxy would: on loopback, each telling its
            # simulated visitor's own address in X-Forwarded-For (faults.client.Browser).
            "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }

    def _spawn(self, name, args, env=None):
        log = open(self.folder / f"{name}.log", "a")
        process = subprocess.Popen(
            args, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        self.spawned.append(name)
        return process

    def log(self, name) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def spawn_web(self, name="web", workers=2, env=None):
        """A gunicorn; ``env`` adds to the app's environment for this process only (its own disk…)."""
        self.ports[name] = free_port()
        self._spawn(
            name,
            [str(VENV_BIN / "gunicorn"), "transfo.wsgi:application", "--bind", f"127.0.0.1:{self.ports[name]}",
             "--workers", str(workers), "--worker-class", "sync", "--timeout", "60", "--preload",
             # Its default control socket is one path per user, shared with any other gunicorn.
             "--no-control-socket",
             # The worker's pid on each line: failures are counted per worker.
             "--access-logfile", "-", "--access-logformat", 'access pid=%(p)s status=%(s)s "%(r)s"'],
            env=env,
        )

    def spawn_worker(self, name="worker", concurrency=1):
        self._spawn(
            name,
            [str(VENV_BIN / "celery"), "-A", "transfo", "worker", "--loglevel", "INFO", "--pool", "prefork",
             "--concurrency", str(concurrency), "--hostname", f"{name}@faults", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
        )

    def spawn_beat(self, name="beat"):
        self._spawn(
            name,
            [str(VENV_BIN / "celery"), "-A", "transfo", "beat", "--loglevel", "INFO",
             "--schedule", str(self.folder / f"{name}-schedule")],
        )

    def _ready(self, name) -> bool:
        if self.processes[name].poll() is not None:
            raise RuntimeError(f"{name} stopped:\n{self.log(name)[-3000:]}")
        if name in self.ports:
            return self._page_answers(self.ports[name])
        log = self.log(name)
        return " ready." in log or "beat: Starting" in log

    def wait_ready(self, *names, timeout=90):
        for name in names or list(self.processes):
            wait_for(lambda: self._ready(name), timeout=timeout, interval=0.3, what=name)

    def start(self, *, webs=("web",), workers=("worker",), beat=True):
        """Start the processes together (their imports overlap) and wait until each answers."""
        for name in webs:
            self.spawn_web(name)
        for name in workers:
            self.spawn_worker(name)
        if beat:
            self.spawn_beat()
        self.wait_ready()
        return [self.ports[name] for name in webs]

    @staticmethod
    def _page_answers(port):
        import http.client

        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            connection.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
            return connection.getresponse().status == 200
        except OSError:
            return False

    def worker_pool_pids(self, name="worker") -> list[int]:
        return children_of(self.processes[name].pid)

    def manage(self, *args, env=None, check=True):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})},
            capture_output=True, text=True, check=check,
        )

    def stop(self, name=None, sig=signal.SIGTERM):
        names = [name] if name else list(self.processes)
        for each in names:
            process = self.processes.pop(each, None)
            if process is not None:
                stop_process(process, sig=sig)
