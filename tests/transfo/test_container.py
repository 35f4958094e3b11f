"""The Docker stack as written: the image and the compose file start in order and say when they are healthy.

Docker itself does not run here; what it would read is checked instead: the compose file (with its
merge keys resolved as Docker resolves them), the Dockerfile's stages, user, command and health
check, and the build context that .dockerignore leaves. The health check commands themselves run
against gunicorn with the production settings in `make faults` (faults/test_probes.py).
"""
import fnmatch
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


def compose_services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def dockerfile_instructions():
    lines, current = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            lines.append(current.strip())
            current = ""
    return [(line.split(" ", 1)[0].upper(), line.split(" ", 1)[1] if " " in line else "") for line in lines]


def test_web_worker_and_beat_wait_for_a_one_shot_migrate():
    services = compose_services()

    assert services["migrate"]["command"] == "python manage.py migrate --no-input"
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in str(services[name].get("command", ""))


def test_every_long_running_service_has_a_health_check_that_can_fail():
    services = compose_services()

    assert "http://127.0.0.1:8000/sante/" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"]["test"][-1].startswith("celery -A transfo inspect ping")
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "python", "manage.py", "check_beat"]
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]


def test_postgresql_and_redis_keep_their_data_in_volumes():
    services = compose_services()

    assert services["postgres"]["volumes"] == ["postgres:/var/lib/postgresql/data"]
    assert services["redis"]["volumes"] == ["redis:/data"]
    assert "--appendonly yes" in services["redis"]["command"]


def test_the_image_is_built_in_stages_and_runs_as_a_user_with_a_command_and_a_health_check():
    instructions = dockerfile_instructions()
    stages = [index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    final = instructions[stages[-1]:]
    keywords = [keyword for keyword, _ in final]

    assert len(stages) == 2
    assert "COPY" in keywords and any(arguments.startswith("--from=build") for keyword, arguments in final)
    assert ("USER", "transfo") in final
    assert keywords.index("USER") < keywords.index("CMD")
    assert keywords.count("CMD") == 1 and keywords.count("HEALTHCHECK") == 1
    assert "gunicorn" in dict(final)["CMD"]
    assert "http://127.0.0.1:8000/sante/" in dict(final)["HEALTHCHECK"]


def test_the_build_context_leaves_out_history_environments_data_and_secrets():
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = [".git", ".venv", "var", ".env", "var/transfo.sqlite3", "deploy/certs", "tests"]
    sent = [name for name in names if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)]

    assert sent == []
    kept = ["manage.py", "pyproject.toml", "transfo", "common", "templates", "static", "locale"]
    assert [name for name in kept if any(fnmatch.fnmatch(name, pattern) for pattern in patterns)] == []
