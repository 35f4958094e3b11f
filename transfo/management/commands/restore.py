from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from transfo.management.backups import restore_backup, stored_backup


class Command(BaseCommand):
    @property
    def help(self):
        # argparse needs a real string, and translating at import time would be too early.
        return gettext(
            "Restaure une archive de « manage.py backup » dans une base de données vide et un dossier "
            "de médias vide, puis vérifie le nombre de lignes de chaque table et l'empreinte de chaque "
            "fichier. Ne lancez pas « migrate » avant : la sauvegarde contient déjà le schéma."
        )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="FICHIER", help=gettext("archive .tar.gz à restaurer"))
        parser.add_argument(
            "--from-storage",
            action="store_true",
            help=gettext("l'archive est dans le stockage des médias, sous backups/ (backup --to-storage)"),
        )

    def handle(self, *args, **options):
        if options["from_storage"]:
            with stored_backup(options["archive"]) as archive:
                summary = restore_backup(archive)
        else:
            summary = restore_backup(Path(options["archive"]))
        self.stdout.write(
            gettext(
                "Restauration vérifiée : %(tables)s tables et %(rows)s lignes comme dans la sauvegarde, "
                "%(files)s fichiers aux mêmes empreintes."
            )
            % {"tables": len(summary.tables), "rows": summary.rows, "files": len(summary.media)}
        )
