"""The bucket in the operator's commands and when it does not answer (against moto, tests/bucket.py).

- `manage.py move_media_to_bucket` copies the local uploads and checks every checksum;
- `manage.py backup` holds the bucket's objects and `restore` puts them in a new, empty bucket;
- an unreachable bucket: the upload is answered with a clear 503 page, nothing is saved, and
  the pages that touch no file keep working.
"""
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import uuid

import environ
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from cases.models import Attachment, ProgressEntry
from common.storage import storage_settings

from ..bucket import anonymous_get, bucket, moto_endpoint, new_bucket, objects, s3_client, storage_url  # noqa: F401 (fixtures)
from ..factories import make_ambassador, make_case, make_entry, make_lab, make_user
from .test_backup import ROOT, empty_database, restored_counts  # noqa: F401 (empty_database is a fixture)


def jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 200)).save(output, format="JPEG")
    return output.getvalue()


@pytest.mark.django_db
def test_local_uploads_move_to_the_bucket_with_every_checksum_checked(bucket, moto_endpoint, tmp_path):
    local = tmp_path / "old-media"
    files = {"journal/2026/03/photo.jpg": jpeg(), "images/affiche.png": os.urandom(700), "plan.pdf": b"%PDF-1.4"}
    for name, content in files.items():
        (local / name).parent.mkdir(parents=True, exist_ok=True)
        (local / name).write_bytes(content)
    s3_client(moto_endpoint).put_object(Bucket=bucket, Key="plan.pdf", Body=b"%PDF-1.4")  # already there, the same

    output = io.StringIO()
    call_command("move_media_to_bucket", "--from", str(local), stdout=output)

    assert objects(moto_endpoint, bucket) == sorted(files)
    for name, content in files.items():
        with default_storage.open(name, "rb") as stored:
            assert stored.read() == content
    assert "2 fichiers copiés et vérifiés, 1 déjà" in output.getvalue()
    assert (local / "plan.pdf").exists()  # the local files are kept

    (local / "plan.pdf").write_bytes(b"%PDF-1.4 autre")
    with pytest.raises(CommandError, match="plan.pdf"):
        call_command("move_media_to_bucket", "--from", str(local), stdout=io.StringIO())
    with default_storage.open("plan.pdf", "rb") as stored:
        assert stored.read() == b"%PDF-1.4"  # never overwritten


@pytest.mark.django_db
def test_moving_media_without_a_bucket_says_so(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(CommandError, match="Aucun bucket"):
        call_command("move_media_to_bucket")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_holds_the_bucket_s_objects_and_restore_puts_them_in_a_new_bucket(
    bucket, moto_endpoint, tmp_path, empty_database
):
    database_url, name = empty_database
    make_entry()
    stored = {
        default_storage.save("journal/2026/03/photo.jpg", ContentFile(jpeg())),
        default_storage.save("images/affiche.png", ContentFile(os.urandom(512))),
    }
    archive = tmp_path / "sauvegarde.tar.gz"

    call_command("backup", output=str(archive), stdout=io.StringIO())

    with tarfile.open(archive) as packed:
        manifest = json.load(packed.extractfile("manifest.json"))
    assert set(manifest["media"]) == stored
    assert not (tmp_path / "local-disk").exists()

    target = new_bucket(moto_endpoint)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "transfo.settings.test", "DATABASE_URL": database_url,
                "DJANGO_MEDIA_ROOT": str(tmp_path / "other-disk"), "STORAGE_URL": storage_url(moto_endpoint, target)})
    result = subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr[-2000:]
    assert objects(moto_endpoint, target) == sorted(stored)
    client = s3_client(moto_endpoint)
    for key in stored:
        body = client.get_object(Bucket=target, Key=key)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == manifest["media"][key]
    assert restored_counts(database_url, name)["cases_progressentry"] == 1
    assert not (tmp_path / "other-disk").exists()

    again = subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT,
                           env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}"},
                           capture_output=True, text=True, timeout=300)
    if name is None:  # the same engine: refused because the bucket is not empty
        assert again.returncode != 0 and f"s3://{target}" in again.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_an_unreachable_bucket_answers_uploads_with_a_clear_page_and_saves_nothing(client, settings, monkeypatch):
    monkeypatch.setenv("STORAGE_URL", f"s3+http://k:s@127.0.0.1:{closed_port()}/transfo-media")
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(environ.Env())}
    lab = make_lab()
    member = make_user()
    case = make_case(lab)
    case.team.add(make_ambassador(lab, user=member))
    client.force_login(member)
    client.raise_request_exception = False

    response = client.post(
        reverse("cases:entry_create", kwargs={"lab_slug": lab.slug, "slug": case.slug}),
        {"done": "Texte à ne pas perdre.", "entry_date": "2016-09-12", "token": str(uuid.uuid4()),
         "files": [SimpleUploadedFile("tableau.jpg", jpeg(), "image/jpeg")]},
    )
    page = client.get(case.get_absolute_url())

    assert response.status_code == 503
    assert "Le stockage des fichiers ne répond pas" in response.content.decode()
    assert "Rien n'a été enregistré" in response.content.decode()
    assert response["Retry-After"]
    assert ProgressEntry.objects.count() == Attachment.objects.count() == 0
    assert page.status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_asked_into_the_bucket_is_kept_there_privately_and_restored_from_it(
    bucket, moto_endpoint, tmp_path, empty_database
):
    database_url, name = empty_database
    make_entry()
    photo = default_storage.save("sessions/2026/03/atelier.jpg", ContentFile(jpeg()))

    call_command("backup", "--to-storage", output=str(tmp_path / "premiere.tar.gz"), stdout=io.StringIO())
    call_command("backup", "--to-storage", output=str(tmp_path / "seconde.tar.gz"), stdout=io.StringIO())

    assert objects(moto_endpoint, bucket) == ["backups/premiere.tar.gz", "backups/seconde.tar.gz", photo]
    with tarfile.open(tmp_path / "seconde.tar.gz") as packed:
        assert list(json.load(packed.extractfile("manifest.json"))["media"]) == [photo]  # not the first archive
    assert anonymous_get(f"{moto_endpoint}/{bucket}/backups/seconde.tar.gz")[0] == 403

    # A new machine: the database is lost, the bucket holds the photo and the archives.
    s3_client(moto_endpoint).delete_object(Bucket=bucket, Key=photo)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "transfo.settings.test", "DATABASE_URL": database_url,
                "STORAGE_URL": storage_url(moto_endpoint, bucket)})
    result = subprocess.run([sys.executable, "manage.py", "restore", "--from-storage", "seconde.tar.gz"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr[-2000:]
    assert photo in objects(moto_endpoint, bucket)
    assert restored_counts(database_url, name)["cases_progressentry"] == 1
