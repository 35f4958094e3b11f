"""Copy the uploads of the local disk (MEDIA_ROOT) into the bucket, checking every checksum.

Run once when a platform moves to object storage, with the S3 settings given: every file keeps
its name (the rows name files by it), an object already there with the same content is left
alone, one with other content is a conflict reported and never overwritten. Every object is
read back from the bucket and its SHA-256 compared with the file's. The local files are kept:
remove them once the site runs on the bucket.
"""
import hashlib

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from common.storage import BucketStorage, walk

CHUNK = 1024 * 1024


def sha256(storage, name) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    @property
    def help(self):
        return gettext(
            "Copie les fichiers déposés du disque local (MEDIA_ROOT) dans le bucket S3 configuré, "
            "en vérifiant l'empreinte SHA-256 de chacun. Les fichiers locaux sont gardés."
        )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", metavar="DOSSIER",
                            help=gettext("dossier des médias à copier (par défaut MEDIA_ROOT)"))

    def handle(self, *args, **options):
        if not isinstance(default_storage, BucketStorage):
            raise CommandError(gettext("Aucun bucket configuré : donnez STORAGE_URL ou les variables S3_*."))
        local = FileSystemStorage(location=options["source"] or settings.MEDIA_ROOT)
        copied, already, conflicts, mismatches = 0, 0, [], []
        for name in walk(local):
            expected = sha256(local, name)
            if default_storage.exists(name):
                if sha256(default_storage, name) == expected:
                    already += 1
                else:
                    conflicts.append(name)
                continue
            with local.open(name, "rb") as handle:
                default_storage.replace(name, handle)
            if sha256(default_storage, name) != expected:
                mismatches.append(name)
                continue
            copied += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"  {name}")
        self.stdout.write(
            gettext("%(copied)s fichiers copiés et vérifiés, %(already)s déjà dans le bucket à l'identique.")
            % {"copied": copied, "already": already}
        )
        if conflicts or mismatches:
            raise CommandError(
                gettext("Fichiers non copiés : déjà présents avec un autre contenu %(conflicts)s ; "
                        "empreinte différente après copie %(mismatches)s.")
                % {"conflicts": ", ".join(conflicts) or "—", "mismatches": ", ".join(mismatches) or "—"}
            )
