"""Back up and restore the whole platform: the database and the uploaded files (media).

An archive is one .tar.gz holding:

- ``manifest.json``: format, date, database engine, the rows of every table, a SHA-256 per file;
- ``database.dump`` (PostgreSQL, pg_dump's custom format) or ``database.sqlite3`` (SQLite);
- ``media/…``: every uploaded file, read through the media storage: the files under MEDIA_ROOT,
  or every object of the bucket when the uploads live in one (common.storage), except earlier
  archives kept there under ``backups/`` (``backup --to-storage``).

On PostgreSQL the rows are counted in the very snapshot pg_dump reads (an exported snapshot),
so a backup taken while people write is consistent and its counts are those of the dump. Media
are copied after the database: a file uploaded meanwhile is in the archive without its row,
which is harmless. A restore only goes into an empty database and an empty media storage (folder or bucket), runs
pg_restore as a single transaction (all or nothing), then checks every table's rows and every
file's checksum against the manifest.
"""
import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext

from common.storage import walk

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
# Archives kept in the media storage when asked (backup --to-storage); left out of the media backed up.
BACKUP_FOLDER = "backups/"


@dataclass
class Summary:
    tables: dict = field(default_factory=dict)
    media: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _engine() -> str:
    if connection.vendor not in DUMPS:
        raise CommandError(
            gettext("Base de données « %(vendor)s » non prise en charge : PostgreSQL ou SQLite seulement.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def _media_files() -> list[str]:
    return [name for name in walk(default_storage) if not name.startswith(BACKUP_FOLDER)]


def store_backup(archive: Path) -> str:
    """Copy a written archive into the media storage, under backups/: private, never in a later archive."""
    with open(archive, "rb") as handle:
        return default_storage.save(BACKUP_FOLDER + archive.name, File(handle, name=archive.name))


@contextlib.contextmanager
def stored_backup(name: str):
    """A local copy of an archive kept in the media storage (``backup --to-storage``), for the restore."""
    if not name.startswith(BACKUP_FOLDER):
        name = BACKUP_FOLDER + name
    with tempfile.TemporaryDirectory(prefix="transfo-restore-") as work:
        local = Path(work) / PurePosixPath(name).name
        try:
            with default_storage.open(name, "rb") as stored, open(local, "wb") as copy:
                shutil.copyfileobj(stored, copy, CHUNK)
        except FileNotFoundError:
            raise CommandError(gettext("Aucune sauvegarde « %(name)s » dans le stockage des médias.") % {"name": name}) from None
        yield local


def _storage_name() -> str:
    """The media storage as the operator knows it, for messages."""
    bucket = getattr(default_storage, "bucket_name", None)
    return f"s3://{bucket}" if bucket else str(settings.MEDIA_ROOT)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_env() -> dict:
    """Connection settings for pg_dump/pg_restore through the environment, never the command line."""
    database = connection.settings_dict
    env = dict(os.environ)
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
        "PGSSLMODE": database.get("OPTIONS", {}).get("sslmode"),
    }
    env.update({key: value for key, value in values.items() if value})
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            gettext("%(tool)s est introuvable : installez le client PostgreSQL (paquet postgresql-client).")
            % {"tool": name}
        )
    return path


def _run_tool(args: list[str]) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if result.returncode:
        raise CommandError(
            gettext("%(tool)s a échoué : %(error)s") % {"tool": Path(args[0]).name, "error": result.stderr.strip()}
        )


PG_TABLES = (
    "SELECT schemaname, tablename FROM pg_tables "
    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename"
)


def _pg_counts(cursor) -> dict:
    from psycopg import sql

    counts = {}
    for schema, table in cursor.execute(PG_TABLES).fetchall():
        name = table if schema == "public" else f"{schema}.{table}"
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[name] = cursor.execute(query).fetchone()[0]
    return counts


def _pg_connection():
    """A connection of our own, outside Django's transaction handling."""
    return connection.get_new_connection(connection.get_connection_params())


def _pg_dump(target: Path) -> dict:
    import psycopg

    dump = _pg_tool("pg_dump")
    # A repeatable-read transaction whose snapshot pg_dump reuses: counts and dump agree.
    raw = _pg_connection()
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.autocommit = False
        with raw.cursor() as cursor:
            snapshot = cursor.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts = _pg_counts(cursor)
            _run_tool([dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
        raw.rollback()
    finally:
        raw.close()
    return counts


def _pg_restore(source: Path) -> dict:
    restore = _pg_tool("pg_restore")
    _run_tool([restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
               f"--dbname={connection.settings_dict['NAME']}", str(source)])
    raw = _pg_connection()
    try:
        with raw.cursor() as cursor:
            return _pg_counts(cursor)
    finally:
        raw.close()


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_counts(database: sqlite3.Connection) -> dict:
    tables = database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return {name: database.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for (name,) in tables}


def _sqlite_dump(target: Path) -> dict:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # SQLite's online backup: a consistent copy even while the site writes.
        connection.connection.backup(copy)
        return _sqlite_counts(copy)
    finally:
        copy.close()


def _sqlite_restore(source: Path) -> dict:
    connection.ensure_connection()
    original = sqlite3.connect(source)
    try:
        original.backup(connection.connection)
    finally:
        original.close()
    return _sqlite_counts(connection.connection)


# --- Archive ----------------------------------------------------------------------------------


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _add_stored_file(archive: tarfile.TarFile, name: str, work: Path) -> str:
    """Copy one stored file into the archive (through a local copy: tar needs its size first)."""
    digest = hashlib.sha256()
    local = work / "media-file"
    with default_storage.open(name, "rb") as stored, open(local, "wb") as copy:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
            copy.write(chunk)
    info = archive.gettarinfo(local, arcname=f"media/{name}")
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o644, 0, 0, "", ""
    with open(local, "rb") as copy:
        archive.addfile(info, copy)
    local.unlink()
    return digest.hexdigest()


def create_backup(output: Path) -> Summary:
    """Write the archive to ``output`` (through a temporary name: never a half-written archive)."""
    engine = _engine()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    with tempfile.TemporaryDirectory(prefix="transfo-backup-") as work:
        dump = Path(work) / DUMPS[engine]
        summary.tables = _pg_dump(dump) if engine == "postgresql" else _sqlite_dump(dump)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=DUMPS[engine])
            for name in _media_files():
                summary.media[name] = _add_stored_file(archive, name, Path(work))
            manifest = {
                "format": FORMAT,
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                "engine": engine,
                "tables": summary.tables,
                "media": summary.media,
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        partial.replace(output)
    return summary


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError, AttributeError):
        raise CommandError(gettext("Ce fichier n'est pas une sauvegarde de Transfo (manifest.json absent ou illisible).")) from None
    if manifest.get("format") != FORMAT:
        raise CommandError(gettext("Format de sauvegarde inconnu : %(format)s.") % {"format": manifest.get("format")})
    return manifest


def _check_media_name(name: str) -> str:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise CommandError(gettext("Chemin refusé dans la sauvegarde : %(name)s") % {"name": name})
    return relative.as_posix()


def restore_backup(source: Path) -> Summary:
    """Restore an archive into an empty database and an empty media folder, then check both."""
    engine = _engine()
    try:
        archive = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise CommandError(gettext("Sauvegarde illisible : %(error)s") % {"error": error}) from None
    with archive:
        manifest = _read_manifest(archive)
        if manifest["engine"] != engine:
            raise CommandError(
                gettext("Cette sauvegarde vient de %(source)s et ne peut aller que dans %(source)s, pas dans %(target)s.")
                % {"source": manifest["engine"], "target": engine}
            )
        if connection.introspection.table_names():
            raise CommandError(gettext("La base de données n'est pas vide : restaurez dans une base neuve."))
        if _media_files():
            raise CommandError(
                gettext("Le dossier des médias %(folder)s n'est pas vide : restaurez dans un dossier vide.")
                % {"folder": _storage_name()}
            )
        with tempfile.TemporaryDirectory(prefix="transfo-restore-") as work:
            dump = Path(work) / DUMPS[engine]
            with archive.extractfile(DUMPS[engine]) as packed, open(dump, "wb") as unpacked:
                shutil.copyfileobj(packed, unpacked, CHUNK)
            summary = Summary()
            summary.tables = _pg_restore(dump) if engine == "postgresql" else _sqlite_restore(dump)
        for member in archive:
            if not member.isfile() or not member.name.startswith("media/"):
                continue
            name = _check_media_name(member.name.removeprefix("media/"))
            with archive.extractfile(member) as packed:
                stored = default_storage.save(name, File(packed, name=name))
            if stored != name:
                raise CommandError(gettext("Chemin refusé dans la sauvegarde : %(name)s") % {"name": name})
            summary.media[name] = _stored_sha256(name)
    _check(manifest, summary)
    return summary


def _stored_sha256(name: str) -> str:
    """Read back what the storage holds: a file cut on its way to the bucket shows here."""
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check(manifest: dict, summary: Summary) -> None:
    tables = {
        name: (count, summary.tables.get(name))
        for name, count in manifest["tables"].items()
        if summary.tables.get(name) != count
    }
    files = sorted(set(manifest["media"].items()) ^ set(summary.media.items()))
    if tables or files:
        raise CommandError(
            gettext("La restauration ne correspond pas à la sauvegarde : tables %(tables)s ; fichiers %(files)s.")
            % {"tables": tables or "—", "files": ", ".join(sorted({name for name, _digest in files})) or "—"}
        )
