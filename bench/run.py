"""The benchmark harness behind `make bench`: real server, real database, ratios to a floor.

For each scale S it loads a PostgreSQL database of its own (``transfo_bench_s1``…; generated
once, kept while a marker row says the same generator and migrations loaded it), starts
gunicorn with 2 sync workers and the production settings on a free loopback port, logs each
role in through the real login form, and has wrk load every page: a warm-up, then rounds that
interleave all pages with the floor (a bare view answering "ok"), so that each page's
throughput is read as a ratio to the floor measured minutes apart, not as a figure that only
means something on this machine. Each round then reads every page's latency with one
connection per worker, so that its percentiles are the page's own and not the time spent
waiting behind other requests. Queries per page are counted apart (bench.pages), and each
worker's peak memory is read from /proc, and what the ambassador's phone pages weigh on the wire
(bench.weights).

    python -m bench.run --scales 1,100            (what `make bench` runs)

Prints a table per scale and writes var/bench/<time>-<commit>.json and var/bench/latest.json.
"""
import argparse
import datetime
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
LUA_REPORT = BENCH_DIR / "report.lua"
PYTHON = sys.executable
HOST = "127.0.0.1"

DEFAULTS = {
    "scales": "1,100",
    "duration": 5,
    "warmup": 2,
    "rounds": 3,
    "connections": 8,
    "threads": 2,
    # Latency is read apart, one connection per worker: with 8 connections on 2 workers a request
    # mostly waits its turn, and its percentiles measure that queue, not the page.
    "latency_connections": 2,
    "latency_duration": 3,
    "database_url": "postgres://postgres@127.0.0.1:5432/postgres",
    "redis_url": "redis://127.0.0.1:6379/14",
    "output": str(BASE_DIR / "var" / "bench"),
}


# --- Parsing (pure functions, tested) -------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def to_ms(text: str) -> float:
    """A wrk duration ("812.00us", "3.23ms", "1.02s") in milliseconds."""
    match = re.fullmatch(r"\s*([\d.]+)\s*(us|ms|s|m|h)\s*", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(output: str) -> dict:
    """What one wrk run measured, from its report and the line bench/report.lua appends.

    Latencies in milliseconds. ``non_2xx`` counts answers outside 2xx/3xx and ``socket_errors``
    failed connections, reads, writes and timeouts: either makes the throughput meaningless.
    """
    result = {"non_2xx": 0, "socket_errors": 0}
    match = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if match is None:
        raise ValueError("no Requests/sec in wrk's output")
    result["requests_per_second"] = float(match[1])
    match = re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", output, re.M)
    if match:
        result["requests"] = int(match[1])
        result["seconds"] = to_ms(match[2]) / 1000
    for percentile in (50, 75, 90, 99):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+\w+)\s*$", output, re.M)
        if match:
            result[f"p{percentile}_ms"] = to_ms(match[1])
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if match:
        result["non_2xx"] = int(match[1])
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        result["socket_errors"] = sum(int(value) for value in match.groups())
    match = re.search(r"^BENCH (.*)$", output, re.M)
    if match:
        values = dict(pair.split("=", 1) for pair in match[1].split())
        for percentile in (50, 75, 90, 95, 99):
            result[f"p{percentile}_ms"] = int(values[f"p{percentile}_us"]) / 1000
        result["mean_ms"] = float(values["mean_us"]) / 1000
        result["max_ms"] = int(values["max_us"]) / 1000
        result["requests"] = int(values["requests"])
        result["seconds"] = int(values["duration_us"]) / 1e6
        result["non_2xx"] = int(values["status_errors"])
        result["socket_errors"] = sum(
            int(values[name]) for name in ("connect_errors", "read_errors", "write_errors", "timeouts")
        )
    return result


def parse_vm_hwm(status_text: str) -> int | None:
    """Peak resident memory (VmHWM) in kB from a /proc/<pid>/status text."""
    match = re.search(r"^VmHWM:\s+(\d+) kB", status_text, re.M)
    return int(match[1]) if match else None


def database_name(scale: float) -> str:
    """transfo_bench_s1, transfo_bench_s100, transfo_bench_s0_1 for S=0.1."""
    return "transfo_bench_s" + f"{scale:g}".replace(".", "_")


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def combine(runs: list[dict]) -> dict:
    """Two or more wrk runs of the same page read as one: each figure is their mean."""
    keys = set.intersection(*(set(run) for run in runs))
    return {key: sum(run[key] for run in runs) / len(runs) for key in sorted(keys)}


def summarise(rounds: list[dict], floors: list[dict], latencies: list[dict] | None = None) -> dict:
    """One page's figures over the rounds: medians, and its ratio to the floor of each round.

    Throughput comes from ``rounds`` (the workers saturated); the latency percentiles from
    ``latencies`` when given (one connection per worker, no queue), else from ``rounds``.
    """
    ratios = [page["requests_per_second"] / floor["requests_per_second"] for page, floor in zip(rounds, floors)]
    summary = {
        "requests_per_second": round(statistics.median(r["requests_per_second"] for r in rounds), 1),
        "ratio": round(statistics.median(ratios), 4),
        "ratios": [round(ratio, 4) for ratio in ratios],
    }
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        summary[key] = round(statistics.median(r[key] for r in (latencies or rounds)), 2)
    summary["p99_over_p50"] = round(summary["p99_ms"] / summary["p50_ms"], 2) if summary["p50_ms"] else None
    summary["non_2xx"] = sum(r["non_2xx"] for r in rounds)
    summary["socket_errors"] = sum(r["socket_errors"] for r in rounds)
    return summary


def check_targets(report: dict) -> list[dict]:
    """Every target of the issue a page misses, with by how much: ``[{scale, page, target, value, limit}]``."""
    from bench.pages import MAX_P99_OVER_P50, MAX_QUERIES, RATIO_TARGETS

    misses = []
    scales = report["scales"]
    for scale, data in scales.items():
        for key, page in data["pages"].items():
            if page.get("status") != 200:
                misses.append({"scale": scale, "page": key, "target": "status 200", "value": page.get("status")})
                continue
            limit = RATIO_TARGETS.get(page["group"])
            measured = page.get("measured")
            if limit and measured and measured["ratio"] < limit:
                misses.append({
                    "scale": scale, "page": key, "target": f"ratio ≥ {limit:.0%}",
                    "value": f"{measured['ratio']:.1%}", "short_by": f"×{limit / measured['ratio']:.1f}",
                })
            if page.get("queries") is not None and page["queries"] > MAX_QUERIES:
                misses.append({
                    "scale": scale, "page": key, "target": f"≤ {MAX_QUERIES} requêtes", "value": page["queries"],
                })
            # The floor is the yardstick, not a page: its tail only says how busy the machine was.
            if key != "floor" and measured and measured["p99_over_p50"] and measured["p99_over_p50"] > MAX_P99_OVER_P50:
                misses.append({
                    "scale": scale, "page": key, "target": f"p99 ≤ {MAX_P99_OVER_P50} × p50",
                    "value": f"{measured['p99_over_p50']} × p50",
                })
    from bench.weights import weight_misses

    for scale, data in scales.items():
        if data.get("weights"):
            misses += weight_misses(scale, data["weights"])
    # The same number of queries whatever the scale.
    keys = sorted({key for data in scales.values() for key in data["pages"]})
    for key in keys:
        counts = {scale: data["pages"].get(key, {}).get("queries") for scale, data in scales.items()}
        known = {count for count in counts.values() if count is not None}
        if len(known) > 1:
            misses.append({
                "scale": "*", "page": key, "target": "mêmes requêtes à toutes les échelles",
                "value": ", ".join(f"S={scale}: {count}" for scale, count in counts.items()),
            })
    return misses


def format_table(scale: str, data: dict) -> str:
    """The printed table of one scale."""
    floor = data["pages"].get("floor", {}).get("measured") or {}
    counts = data.get("counts", {})
    lines = [
        f"S={scale} — {counts.get('programmes.Lab', '?')} labos, {counts.get('lab_sessions.Session', '?')} sessions, "
        f"{counts.get('cases.Case', '?')} cas, {counts.get('cases.ProgressEntry', '?')} entrées, "
        f"{counts.get('wagtailcore.Page', '?')} pages — plancher {floor.get('requests_per_second', 0):,.0f} req/s",
        f"{'page':<34} {'rôle':<11} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'/plancher':>9} {'requêtes':>8}",
    ]
    for key, page in data["pages"].items():
        measured = page.get("measured")
        role = page.get("role") or "anonyme"
        if not measured:
            lines.append(f"{key:<34} {role:<11} {str(page.get('status')):>8}")
            continue
        lines.append(
            f"{key:<34} {role:<11} {measured['requests_per_second']:>8,.0f} {measured['p50_ms']:>7.1f} "
            f"{measured['p95_ms']:>7.1f} {measured['p99_ms']:>7.1f} {measured['ratio']:>9.1%} "
            f"{page.get('queries', '?'):>8}"
        )
    memory = data.get("memory_kb") or {}
    if memory:
        lines.append("mémoire max par worker : " + ", ".join(f"{kb / 1024:.0f} Mo" for kb in memory.values()))
    if data.get("weights"):
        from bench.weights import format_weights

        lines.append(format_weights(data["weights"]))
    return "\n".join(lines)


def format_markdown(report: dict) -> str:
    """The README's Performance section: the figures, the command, the targets missed."""
    meta = report["meta"]
    lines = [
        f"Measured on {meta['date']} at commit `{meta['commit']}` ({meta['cpus']} CPUs, load {meta['load']}) "
        f"with `{meta['command']}`: gunicorn, 2 sync workers, PostgreSQL and Redis, production settings; wrk "
        f"{meta['threads']} threads, {meta['connections']} connections, {meta['rounds']} interleaved rounds of "
        f"{meta['duration']} s. Ratio: the page's requests/s over a bare view's in the same round. Latency "
        f"(p50/p95/p99): {meta.get('latency_connections', meta['connections'])} connections, one per worker, "
        f"{meta.get('latency_duration', meta['duration'])} s a round.",
        "",
    ]
    for scale, data in report["scales"].items():
        lines += [
            f"**S={scale}**", "",
            "| Page | Role | req/s | p50 ms | p95 ms | p99 ms | ratio | queries |", "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for key, page in data["pages"].items():
            measured = page.get("measured")
            if measured:
                lines.append(
                    f"| {key} | {page.get('role') or 'anonymous'} | {measured['requests_per_second']:,.0f} | "
                    f"{measured['p50_ms']:.1f} | {measured['p95_ms']:.1f} | {measured['p99_ms']:.1f} | "
                    f"{measured['ratio']:.1%} | {page.get('queries', '')} |"
                )
            else:
                lines.append(f"| {key} | {page.get('role') or 'anonymous'} | {page.get('status')} | | | | | |")
        memory = data.get("memory_kb") or {}
        if memory:
            lines += ["", "Peak memory per worker: " + ", ".join(f"{kb / 1024:.0f} MB" for kb in memory.values())]
        if data.get("weights"):
            from bench.weights import format_weights_markdown

            lines += [""] + format_weights_markdown(data["weights"])
        lines.append("")
    if report["misses"]:
        lines += ["Targets missed:", ""]
        lines += [
            f"- S={miss['scale']} {miss['page']}: {miss['target']} — {miss['value']}"
            + (f" (short by {miss['short_by']})" if miss.get("short_by") else "")
            for miss in report["misses"]
        ]
    return "\n".join(lines) + "\n"


# --- Database, server, login ------------------------------------------------------------


def marker_value(scale: float) -> str:
    """What the marker row must say for a database to be reused: generator, its version, migrations."""
    from bench.generate import GENERATOR_VERSION

    digest = hashlib.sha256((BENCH_DIR / "generate.py").read_bytes())
    for path in sorted(BASE_DIR.glob("*/migrations/0*.py")):
        digest.update(str(path.relative_to(BASE_DIR)).encode())
    return json.dumps({"scale": scale, "version": GENERATOR_VERSION, "source": digest.hexdigest()[:16]}, sort_keys=True)


def read_marker(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
            row = connection.execute(
                "SELECT value FROM bench_marker WHERE key = 'data'"
            ).fetchone()
            return row[0] if row else None
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None


def write_marker(url: str, value: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS bench_marker (key text PRIMARY KEY, value text NOT NULL)")
        connection.execute(
            "INSERT INTO bench_marker (key, value) VALUES ('data', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (value,),
        )


def analyse_database(url: str) -> None:
    """Fresh planner statistics: right after a bulk load they are missing, and plans go astray."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def bench_environment(*, database_url: str, redis_url: str, secret_key: str) -> dict:
    """The production settings' environment, for plain http on loopback only."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "transfo.settings.production",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # No TLS proxy in front on loopback: no redirect to https, and no forwarded address is
        # read (DJANGO_TRUSTED_PROXIES is left empty, production's default).
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "TRANSFO_BENCHMARK_VIEWS": "true",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def run_step(command: list[str], env: dict, what: str, log=None) -> None:
    """Run one step in a child process; with ``log`` (an open file), its stderr goes there."""
    started = time.monotonic()
    print(f"  {what}…", flush=True)
    subprocess.run(command, env=env, cwd=BASE_DIR, check=True, stderr=log)
    print(f"  {what} : {time.monotonic() - started:.0f} s", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the production settings, 2 sync workers, on a free loopback port."""

    def __init__(self, env: dict, log_path: Path, workers: int = 2):
        self.port = free_port()
        self.log = open(log_path, "ab")
        gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
        self.process = subprocess.Popen(
            [gunicorn, "transfo.wsgi:application", "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"{HOST}:{self.port}", "--log-level", "warning"],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped (code {self.process.returncode}); see {self.log.name}")
            try:
                if fetch(self.port, "/bench/floor/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent pid is the 2nd field after the command name, which is in parentheses.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def peak_memory_kb(self) -> dict:
        peaks = {}
        for pid in self.worker_pids():
            try:
                peaks[str(pid)] = parse_vm_hwm(Path(f"/proc/{pid}/status").read_text())
            except OSError:
                continue
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def fetch(port: int, path: str, *, method="GET", headers=None, body=None):
    """One request without following redirects: (status, headers, body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def login(port: int, email: str, password: str) -> str:
    """Log in through the real login form; return the Cookie header the session needs."""
    status, headers, body = fetch(port, "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"login page answered {status}")
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if token is None or "csrftoken" not in cookies:
        raise RuntimeError("no CSRF token on the login page")
    form = urllib.parse.urlencode({
        "login": email, "password": password, "csrfmiddlewaretoken": token[1].decode(),
    })
    status, headers, _body = fetch(port, "/accounts/login/", method="POST", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
    })
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login of {email} failed (status {status})")
    return f"sessionid={cookies['sessionid'].value}; csrftoken={cookies['csrftoken'].value}"


def wrk(port: int, url: str, *, cookie: str | None, duration: int, connections: int, threads: int) -> dict:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
        "-s", str(LUA_REPORT), f"http://{HOST}:{port}{url}",
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(completed.stdout)


# --- One scale ---------------------------------------------------------------------------


def run_scale(scale: float, options, secret_key: str) -> dict:
    from bench.generate import PASSWORD, persona_emails

    name = database_name(scale)
    url = with_database(options.database_url, name)
    env = bench_environment(database_url=url, redis_url=options.redis_url, secret_key=secret_key)
    output = Path(options.output)
    print(f"\n== S={scale:g} : base {name} ==", flush=True)
    wanted = marker_value(scale)
    generated = None
    if read_marker(url) != wanted:
        recreate_database(options.database_url, name)
        run_step([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env, "migrations")
        started = time.monotonic()
        run_step([PYTHON, "-m", "bench.generate", "--scale", f"{scale:g}"], env, f"génération S={scale:g}")
        generated = round(time.monotonic() - started, 1)
        write_marker(url, wanted)
    else:
        print("  données déjà chargées (marqueur à jour)", flush=True)
        run_step([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env, "migrations")
    analyse_database(url)
    # A cache left by another scale's database would answer with that database's pages.
    import redis

    redis.Redis.from_url(options.redis_url).flushdb()

    with tempfile.NamedTemporaryFile(suffix=".json") as pages_file, open(output / f"pages-s{scale:g}.log", "wb") as log:
        run_step([PYTHON, "-m", "bench.pages", "--output", pages_file.name], env, "requêtes par page", log=log)
        found = json.loads(Path(pages_file.name).read_text())
    pages = found["pages"]
    counts = json.loads(subprocess.run(
        [PYTHON, "-c", "import django, json; django.setup(); from bench.generate import count_rows; print(json.dumps(count_rows()))"],
        env=env, cwd=BASE_DIR, capture_output=True, text=True, check=True,
    ).stdout)

    server = Server(env, output / f"gunicorn-s{scale:g}.log")
    try:
        server.wait_ready()
        emails = persona_emails()
        cookies = {role: login(server.port, email, PASSWORD) for role, email in emails.items()}
        measurable = []
        for key, page in pages.items():
            if page["status"] in ("absent", "error"):
                continue
            cookie = cookies.get(page["role"])
            status = fetch(server.port, page["url"], headers={"Cookie": cookie} if cookie else {})[0]
            page["status"] = status
            if status == 200:
                measurable.append(key)
            else:
                print(f"  {key} : statut {status} par le serveur, non mesurée", flush=True)
        if "floor" not in measurable:
            raise RuntimeError("the floor view does not answer 200: is TRANSFO_BENCHMARK_VIEWS read?")
        # What a phone downloads for the ambassador's pages (HTML + CSS + JS, compressed).
        from bench.weights import measure_weights

        weights = measure_weights(
            lambda path, headers: fetch(server.port, path, headers=headers), found["weight_urls"], cookies["ambassador"],
        )

        def measure(key, duration, connections=options.connections):
            page = pages[key]
            return wrk(
                server.port, page["url"], cookie=cookies.get(page["role"]), duration=duration,
                connections=connections, threads=min(options.threads, connections),
            )

        print(f"  échauffement ({len(measurable)} pages × {options.warmup} s)…", flush=True)
        for key in measurable:
            measure(key, options.warmup)
        rounds = {key: [] for key in measurable}
        latencies = {key: [] for key in measurable}
        pages_only = [key for key in measurable if key != "floor"]
        for number in range(options.rounds):
            print(f"  tour {number + 1}/{options.rounds}…", flush=True)
            # The floor opens and closes each round; every page of the round is compared with
            # their mean, so a machine that slows down during a round weighs on both sides.
            opening = measure("floor", options.duration)
            for key in pages_only:
                rounds[key].append(measure(key, options.duration))
            rounds["floor"].append(combine([opening, measure("floor", options.duration)]))
            for key in measurable:
                latencies[key].append(measure(key, options.latency_duration, options.latency_connections))
        memory = server.peak_memory_kb()
    finally:
        server.stop()

    for key in measurable:
        pages[key]["measured"] = summarise(rounds[key], rounds["floor"], latencies[key])
        pages[key]["rounds"] = rounds[key]
        pages[key]["latency_rounds"] = latencies[key]
    return {
        "database": name, "generation_seconds": generated, "counts": counts, "targets": found["targets"],
        "pages": pages, "memory_kb": memory, "weights": weights,
    }


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=BASE_DIR, capture_output=True, text=True).stdout
        return commit + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai : débit et latence des pages principales, par échelle.")
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", DEFAULTS["scales"]),
                        help="échelles séparées par des virgules (1 = une Transfo, 100 = un programme national)")
    parser.add_argument("--duration", type=int, default=DEFAULTS["duration"], help="secondes par mesure")
    parser.add_argument("--warmup", type=int, default=DEFAULTS["warmup"], help="secondes d'échauffement par page")
    parser.add_argument("--rounds", type=int, default=DEFAULTS["rounds"])
    parser.add_argument("--connections", type=int, default=DEFAULTS["connections"])
    parser.add_argument("--latency-connections", type=int, default=DEFAULTS["latency_connections"],
                        help="connexions de la mesure de latence (une par worker)")
    parser.add_argument("--latency-duration", type=int, default=DEFAULTS["latency_duration"],
                        help="secondes par mesure de latence")
    parser.add_argument("--threads", type=int, default=DEFAULTS["threads"])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULTS["database_url"]),
                        help="connexion d'administration PostgreSQL (les bases du banc sont créées à côté)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULTS["redis_url"]),
                        help="une base Redis réservée au banc : elle est vidée à chaque échelle")
    parser.add_argument("--output", default=DEFAULTS["output"])
    options = parser.parse_args(argv)
    scales = [float(value) for value in re.split(r"[,\s]+", options.scales.strip()) if value]

    if shutil.which("wrk") is None:
        print("wrk est introuvable : apt-get install wrk", file=sys.stderr)
        return 2
    output = Path(options.output)
    output.mkdir(parents=True, exist_ok=True)
    secret_key = secrets.token_urlsafe(50)
    # Production serves static files from the manifest collectstatic writes.
    env = bench_environment(
        database_url=with_database(options.database_url, database_name(scales[0])),
        redis_url=options.redis_url, secret_key=secret_key,
    )
    run_step([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env, "fichiers statiques")

    started = datetime.datetime.now(datetime.timezone.utc)
    report = {
        "meta": {
            "date": started.strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_commit(),
            "command": "make bench" + (f" BENCH_SCALES={options.scales}" if options.scales != DEFAULTS["scales"] else ""),
            "cpus": os.cpu_count(),
            "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
            "duration": options.duration, "warmup": options.warmup, "rounds": options.rounds,
            "connections": options.connections, "threads": options.threads, "workers": 2,
            "latency_connections": options.latency_connections, "latency_duration": options.latency_duration,
            "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[0:1],
        },
        "scales": {},
    }
    for scale in scales:
        report["scales"][f"{scale:g}"] = run_scale(scale, options, secret_key)
    report["meta"]["load_after"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    report["misses"] = check_targets(report)

    print()
    for scale, data in report["scales"].items():
        print(format_table(scale, data) + "\n")
    if report["misses"]:
        print("Objectifs manqués :")
        for miss in report["misses"]:
            extra = f" (manque {miss['short_by']})" if miss.get("short_by") else ""
            print(f"  S={miss['scale']} {miss['page']} : {miss['target']} — mesuré {miss['value']}{extra}")
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (output / f"{stamp}-{report['meta']['commit']}.json").write_text(text, encoding="utf-8")
    (output / "latest.json").write_text(text, encoding="utf-8")
    (output / "latest.md").write_text(format_markdown(report), encoding="utf-8")
    print(f"\nRésultats : {output / 'latest.json'} (et {output / 'latest.md'} pour le README)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
