"""The configuration promises: environment only, production refuses to start without its secrets."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "transfo.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "transfo.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args, env):
    clean_env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_prints_no_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "short"})

    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_models_and_migrations_agree():
    result = run_manage("makemigrations", "--check", "--dry-run", env={"DJANGO_SETTINGS_MODULE": "transfo.settings.test"})

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_keeps_sessions_in_the_database_and_times_out_redis():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'], s.CACHES['default']['OPTIONS']['socket_timeout'], "
        "s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "s.DATABASES['default']['OPTIONS']['connect_timeout'], s.EMAIL_TIMEOUT, s.CELERY_TASK_ALWAYS_EAGER)",
        env=PRODUCTION_ENV,
    )

    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.contrib.sessions.backends.cached_db",
        "common.redis_cache.ResilientRedisCache",
        "2",
        "60",
        "True",
        "5",
        "10",
        "False",
    ], result.stderr


def read_trusted_proxies(env):
    result = run_manage(
        "shell", "-c",
        "from django.conf import settings as s; print(s.TRUSTED_PROXIES, getattr(s, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0))",
        env=env,
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr


def test_production_reads_no_forwarded_address_unless_its_proxies_are_named():
    assert read_trusted_proxies(PRODUCTION_ENV) == "[] 0"
    assert read_trusted_proxies({**PRODUCTION_ENV, "DJANGO_TRUSTED_PROXIES": "10.217.0.0/24,192.0.2.10"}) == (
        "['10.217.0.0/24', '192.0.2.10'] 0"
    )


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("DJANGO_TRUSTED_PROXIES", "10.217.0.0/24,proxy.example", "DJANGO_TRUSTED_PROXIES"),
        ("DJANGO_TRUSTED_PROXY_COUNT", "1", "replaced by DJANGO_TRUSTED_PROXIES"),
    ],
)
def test_production_refuses_a_proxy_setting_it_cannot_trust(variable, value, message):
    result = run_manage("check", env={**PRODUCTION_ENV, variable: value})

    assert result.returncode != 0
    assert message in result.stderr
