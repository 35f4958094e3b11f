"""`manage.py backup` and `manage.py restore` on the database the suite runs on (SQLite or PostgreSQL).

The restore runs in a process of its own against a new, empty database and media folder, as it
would on a new machine. `make faults` does the same on PostgreSQL while people keep writing.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ..factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]


def checksums(root: Path) -> dict:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def counts_here() -> dict:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        result = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def empty_database(tmp_path):
    """A DATABASE_URL for a new, empty database of the same engine as the suite's."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
        return
    import psycopg

    name = f"restore_{uuid.uuid4().hex[:12]}"
    params = connection.get_connection_params()
    admin = {key: value for key, value in params.items() if key in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    settings_dict = connection.settings_dict
    credentials = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    yield f"postgres://{credentials}@{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/{name}", name
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_elsewhere(archive, database_url, media_root):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "transfo.settings.test", "DATABASE_URL": database_url,
                "DJANGO_MEDIA_ROOT": str(media_root)})
    return subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def restored_counts(database_url, name) -> dict:
    if name is None:
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as restored:
            tables = restored.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            return {table: restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for (table,) in tables}
    import psycopg

    params = connection.get_connection_params()
    admin = {key: value for key, value in params.items() if key in ("host", "port", "user", "password")}
    with psycopg.connect(dbname=name, **admin) as restored:
        tables = restored.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        return {table: restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for (table,) in tables}


def test_restore_into_an_empty_database_gives_the_same_rows_and_files(settings, tmp_path, empty_database):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    (media / "journal" / "2026").mkdir(parents=True)
    (media / "journal" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8" + os.urandom(2048))
    (media / "images" / "affiche.png").parent.mkdir()
    (media / "images" / "affiche.png").write_bytes(os.urandom(512))
    for number in range(3):
        make_entry(done=f"Entrée {number}")
    archive = tmp_path / "sauvegarde.tar.gz"

    call_command("backup", output=str(archive))
    database_url, name = empty_database
    result = restore_elsewhere(archive, database_url, tmp_path / "restored-media")

    assert result.returncode == 0, result.stderr
    source = counts_here()
    assert source["cases_progressentry"] == 3
    assert restored_counts(database_url, name) == source
    assert checksums(tmp_path / "restored-media") == checksums(media)


def test_restore_refuses_a_database_that_is_not_empty(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_entry()
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", output=str(archive))

    with pytest.raises(CommandError, match="n'est pas vide"):
        call_command("restore", str(archive))

    assert counts_here()["cases_progressentry"] == 1


def test_backup_manifest_lists_rows_and_checksums(settings, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "plan.pdf").write_bytes(b"%PDF-1.4 plan")
    settings.MEDIA_ROOT = str(media)
    make_entry()
    archive = tmp_path / "sauvegarde.tar.gz"

    call_command("backup", output=str(archive))

    with tarfile.open(archive) as packed:
        manifest = json.load(packed.extractfile("manifest.json"))
        names = packed.getnames()
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["cases_progressentry"] == 1
    assert manifest["media"] == {"plan.pdf": hashlib.sha256(b"%PDF-1.4 plan").hexdigest()}
    assert "media/plan.pdf" in names
    assert not archive.with_name(archive.name + ".partial").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "photo.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as packed:
        packed.add(__file__, arcname="photo.jpg")

    with pytest.raises(CommandError, match="pas une sauvegarde"):
        call_command("restore", str(not_a_backup))
