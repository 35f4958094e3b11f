"""Lighthouse on the ambassador's phone pages, logged in: `make lighthouse`.

Google's Lighthouse (the npm package, installed once into var/lighthouse/) audits My cases, a
case page and the journal entry form as a phone would load them — mobile emulation, slow 4G and
a 4× slower CPU, simulated — and the scores are printed next to the issue's targets. The pages
are served as in production, the way `make bench` does: gunicorn with the production settings
(compressed static files), PostgreSQL and Redis, here on the demo (``manage.py load_demo``,
loaded once and refreshed each run). The demo ambassador logs in through the real login form;
Lighthouse gets the session as a Cookie header (``--extra-headers``). Each page's HTML + CSS +
JS weight is printed too (bench.weights), and the costliest audits of any score under its target.
Each page is audited 3 times (``--runs``) and the run of median performance is kept.

    python -m bench.lighthouse --database-url postgres://…/transfo_lighthouse --redis-url redis://…/13

Reports: var/lighthouse/<page>.json (the median run; <page>-<n>.json each run), and
var/lighthouse/latest.json for the scores.
"""
import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from bench.run import (
    BASE_DIR,
    PYTHON,
    Server,
    bench_environment,
    fetch,
    git_commit,
    login,
    run_step,
)
from bench.weights import MAX_PAGE_BYTES, page_weight

LIGHTHOUSE_DIR = BASE_DIR / "var" / "lighthouse"
LIGHTHOUSE_VERSION = "12"  # 13 needs Node 22; 12 runs on Debian's Node 18 and 20
DEMO_AMBASSADOR = "samuel.etienne@demo.transfo.example"
DEMO_PASSWORD = "transfo-demo-2016"
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 0.95}


def lighthouse_binary() -> Path:
    """The local Lighthouse, installed with npm on first use (var/ is not committed)."""
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if shutil.which("npm") is None:
            raise SystemExit("npm est introuvable : apt-get install npm")
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        print(f"  installation de lighthouse@{LIGHTHOUSE_VERSION} dans {LIGHTHOUSE_DIR}…", flush=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
        )
    return binary


def phone_pages(port: int, cookie: str) -> dict:
    """My cases, the first case it lists, and that case's entry form: ``{key: path}``."""
    status, _headers, body = fetch(port, "/mes-cas/", headers={"Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"/mes-cas/ answered {status}")
    # A case page is /labs/<lab>/cas/<slug>/; « nouveau » is the creation form, not a case.
    cases = [path for path in re.findall(r'href="(/labs/[^/"]+/cas/[^/"]+/)"', body.decode()) if not path.endswith("/nouveau/")]
    if not cases:
        raise RuntimeError("the demo ambassador's My cases lists no case: is the demo loaded?")
    return {"my_cases": "/mes-cas/", "case": cases[0], "entry_form": cases[0] + "journal/nouveau/"}


def run_lighthouse(binary: Path, url: str, cookie: str, output: Path) -> dict:
    """One Lighthouse run (mobile, simulated slow 4G and 4× CPU); its JSON report."""
    command = [
        str(binary), url, "--form-factor=mobile", "--throttling-method=simulate",
        "--only-categories=" + ",".join(CATEGORIES), "--output=json", f"--output-path={output}", "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage",
        "--extra-headers", json.dumps({"Cookie": cookie}),
    ]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, cwd=BASE_DIR)
    return json.loads(output.read_text())


def scores_of(report: dict) -> dict:
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def median_report(reports: list[dict]) -> dict:
    """The run whose performance score is the median (the lower middle one of an even count)."""
    ordered = sorted(reports, key=lambda report: report["categories"]["performance"]["score"] or 0)
    return ordered[(len(ordered) - 1) // 2]


def costliest_audits(report: dict, category: str, limit: int = 5) -> list[str]:
    """The audits that cost the category most (weight × what was missed), with Lighthouse's figure."""
    costs = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit.get("score") is None or audit["score"] >= 1:
            continue
        cost = ref["weight"] * (1 - audit["score"])
        if cost > 0 or (category == "performance" and audit.get("details", {}).get("type") == "opportunity"):
            costs.append((cost, f"{ref['id']} ({audit['score']:.2f}) {audit.get('displayValue', '')}".strip()))
    return [text for _cost, text in sorted(costs, reverse=True)[:limit]]


def format_scores(results: dict) -> str:
    lines = [
        f"{'page':<12} " + " ".join(f"{name:>22}" for name in CATEGORIES) + f" {'HTML+CSS+JS':>16}",
    ]
    for key, result in results.items():
        cells = []
        for name in CATEGORIES:
            score, target = result["scores"][name], TARGETS[name]
            mark = "ok" if score is not None and score >= target else "MANQUÉ"
            shown = f"{score:.2f}" if score is not None else "?"
            cells.append(f"{shown:>4} (≥ {target:.2f}) {mark:>6}")
        weight = result["weight"]["total"]
        cells.append(f"{weight / 1000:>6.1f} ko (≤ {MAX_PAGE_BYTES / 1000:.0f})")
        lines.append(f"{key:<12} " + " ".join(f"{cell:>22}" for cell in cells))
        for name in CATEGORIES:
            for text in result["missed"].get(name, []):
                lines.append(f"    {name} : {text}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Lighthouse (mobile, 4G lente, CPU ×4) sur les pages de l'ambassadeur·rice.")
    parser.add_argument("--database-url", default=os.environ.get(
        "LIGHTHOUSE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/transfo_lighthouse"),
        help="une base PostgreSQL réservée : la démo y est chargée")
    parser.add_argument("--redis-url", default=os.environ.get("LIGHTHOUSE_REDIS_URL", "redis://127.0.0.1:6379/13"),
                        help="une base Redis réservée : elle est vidée avant la mesure")
    parser.add_argument("--runs", type=int, default=3, help="passages par page ; la médiane est retenue")
    options = parser.parse_args(argv)

    binary = lighthouse_binary()
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    env = bench_environment(database_url=options.database_url, redis_url=options.redis_url,
                            secret_key=secrets.token_urlsafe(50))
    _create_database(options.database_url)
    run_step([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env, "fichiers statiques")
    run_step([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env, "migrations")
    # The demo prints its logins: kept in a file, not on the screen.
    with open(LIGHTHOUSE_DIR / "load_demo.log", "wb") as log:
        print("  démo…", flush=True)
        subprocess.run([PYTHON, "manage.py", "load_demo"], env=env, cwd=BASE_DIR, check=True, stdout=log, stderr=log)
    import redis

    redis.Redis.from_url(options.redis_url).flushdb()

    server = Server(env, LIGHTHOUSE_DIR / "gunicorn.log")
    results = {}
    try:
        server.wait_ready()
        cookie = login(server.port, DEMO_AMBASSADOR, DEMO_PASSWORD)
        for key, path in phone_pages(server.port, cookie).items():
            url = f"http://127.0.0.1:{server.port}{path}"
            print(f"  lighthouse {path}…", flush=True)
            # Once unmeasured: the first load fills the caches a phone's next visit finds warm.
            fetch(server.port, path, headers={"Cookie": cookie})
            # Lighthouse reads the main thread's tasks on this machine and multiplies them by 4: a
            # busy core makes one run slow. Its authors advise the median of several runs.
            reports = [
                run_lighthouse(binary, url, cookie, LIGHTHOUSE_DIR / f"{key}-{number}.json")
                for number in range(1, options.runs + 1)
            ]
            report = median_report(reports)
            (LIGHTHOUSE_DIR / f"{key}.json").write_text(json.dumps(report), encoding="utf-8")
            scores = scores_of(report)
            results[key] = {
                "path": path,
                "scores": scores,
                "runs": [scores_of(each) for each in reports],
                "missed": {name: costliest_audits(report, name) for name in CATEGORIES
                           if scores[name] is None or scores[name] < TARGETS[name]},
                "weight": page_weight(lambda p, h: fetch(server.port, p, headers=h), path, cookie),
                "lighthouse": report.get("lighthouseVersion"),
            }
    finally:
        server.stop()

    print()
    print(f"Lighthouse, médiane de {options.runs} passages par page (mobile, 4G lente, CPU ×4, simulés) :")
    print(format_scores(results))
    summary = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(), "cpus": os.cpu_count(), "targets": TARGETS, "pages": results,
    }
    (LIGHTHOUSE_DIR / "latest.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nRapports : {LIGHTHOUSE_DIR}/<page>.json ; scores : {LIGHTHOUSE_DIR / 'latest.json'}")
    missed = any(
        score is None or score < TARGETS[name] for result in results.values() for name, score in result["scores"].items()
    )
    return 1 if missed else 0


def _create_database(url: str) -> None:
    """The database named in ``url``, created when missing (the demo is loaded into it)."""
    import urllib.parse

    import psycopg
    from psycopg import sql

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    sys.exit(main())
