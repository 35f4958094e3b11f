"""Backup and restore: `manage.py backup --output FILE` then `manage.py restore FILE`.

Promise: restoring into an empty database gives identical row counts per table and identical
media checksums. The backup is taken while people keep writing.
"""
import hashlib
import json
import tarfile
import threading
from pathlib import Path

from psycopg import sql

from . import scenario
from .client import Browser, Recorder, run_clients
from .stack import Database
from .test_postgres_restart import small_photo

PHOTOS = 6


def row_counts(database) -> dict:
    counts = {}
    for schema, table in database.rows(
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    ):
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[f"{schema}.{table}"] = database.scalar(query)
    return counts


def checksums(root: Path) -> dict:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_backup_restores_same_rows_and_files(make_app, database, cluster, seed, tmp_path):
    app = make_app()
    (port,) = app.start(workers=(), beat=False)
    site = scenario.Site(seed)
    recorder = Recorder()
    photo = [("files", "photo.png", small_photo(), "image/png")]
    writer = Browser(port)
    assert scenario.log_in(writer, site, recorder, 0, seed["emails"][0])
    for _ in range(PHOTOS):
        _text, _response, saved = scenario.write_entry(writer, site, recorder, 0, files=photo)
        assert saved

    # Someone keeps writing during the backup: the archive must still agree with itself.
    stop = threading.Event()
    threads = run_clients(1, lambda number, iteration: scenario.write_entry(writer, site, recorder, 0),
                          stop=stop, max_iterations=100)
    archive = tmp_path / "sauvegarde.tar.gz"
    backup = app.manage("backup", "--output", str(archive), check=False)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert backup.returncode == 0, backup.stderr
    during = len(recorder.select(action="entry post")) - PHOTOS

    # People kept writing: the source has moved on since the dump's snapshot. The manifest counts
    # rows inside that snapshot; the restore must match it table by table, and the source may
    # differ only by the rows written meanwhile.
    with tarfile.open(archive) as packed:
        manifest = json.load(packed.extractfile("manifest.json"))
    empty = cluster.create_database("faults_restored")
    restored_media = tmp_path / "restored-media"
    restore = app.manage("restore", str(archive), check=False,
                         env={"DATABASE_URL": empty, "DJANGO_MEDIA_ROOT": str(restored_media)})
    restored = Database(cluster, "faults_restored")
    again = app.manage("restore", str(archive), check=False,
                       env={"DATABASE_URL": empty, "DJANGO_MEDIA_ROOT": str(tmp_path / "other-media")})

    source_counts = {name.removeprefix("public."): count for name, count in row_counts(database).items()}
    restored_counts = {name.removeprefix("public."): count for name, count in row_counts(restored).items()}
    different_tables = {name: (manifest["tables"].get(name), restored_counts.get(name))
                        for name in set(manifest["tables"]) | set(restored_counts)
                        if manifest["tables"].get(name) != restored_counts.get(name)}
    source_files, restored_files = checksums(app.media), checksums(restored_media)
    written_after = {name: source_counts[name] - count for name, count in manifest["tables"].items()
                     if source_counts.get(name) != count}

    print(f"\n[backup] {PHOTOS} journal entries with a photo posted, then `manage.py backup --output "
          f"{archive.name}` while {during} more entries were posted; `manage.py restore` into an empty "
          f"database and an empty media folder.")
    print(f"[backup] archive {archive.stat().st_size // 1024} KiB; backup said: {backup.stdout.strip()}")
    print(f"[backup] restore said: {restore.stdout.strip() or restore.stderr.strip()[-500:]}")
    print(f"[backup] tables {len(restored_counts)}, rows {sum(restored_counts.values())}; tables whose rows "
          f"differ from the backup: {len(different_tables)}; rows written in the source after the snapshot: "
          f"{written_after or 'none'}")
    print(f"[backup] media files: source {len(source_files)}, restored {len(restored_files)}, same checksums: "
          f"{source_files == restored_files}")
    print(f"[backup] a second restore into the now full database was refused: {again.returncode != 0} "
          f"({again.stderr.strip().splitlines()[-1] if again.stderr.strip() else ''})")

    assert restore.returncode == 0, restore.stderr
    assert len(restored_counts) > 50 and restored_counts["cases_progressentry"] >= PHOTOS
    assert different_tables == {}
    assert set(written_after) <= {"cases_progressentry", "cases_attachment", "django_session"}
    assert len(source_files) >= 2 * PHOTOS and source_files == restored_files
    assert again.returncode != 0 and not (tmp_path / "other-media").exists()
