import datetime
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from transfo.management.backups import create_backup, store_backup


class Command(BaseCommand):
    @property
    def help(self):
        # argparse needs a real string, and translating at import time would be too early.
        return gettext(
            "Sauvegarde la base de données et les fichiers déposés (médias) dans une seule archive "
            ".tar.gz, avec le nombre de lignes de chaque table et l'empreinte SHA-256 de chaque fichier. "
            "Se lance pendant que le site tourne."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FICHIER",
            help=gettext("archive à écrire (par défaut transfo-sauvegarde-AAAAMMJJ-HHMMSS.tar.gz ici)"),
        )
        parser.add_argument(
            "--to-storage",
            action="store_true",
            help=gettext("copier aussi l'archive dans le stockage des médias (le bucket), sous backups/"),
        )

    def handle(self, *args, **options):
        output = Path(
            options["output"] or datetime.datetime.now().strftime("transfo-sauvegarde-%Y%m%d-%H%M%S.tar.gz")
        )
        summary = create_backup(output)
        self.stdout.write(
            gettext("Sauvegarde écrite dans %(file)s : %(tables)s tables, %(rows)s lignes, %(files)s fichiers.")
            % {"file": output, "tables": len(summary.tables), "rows": summary.rows, "files": len(summary.media)}
        )
        if options["to_storage"]:
            name = store_backup(output)
            self.stdout.write(gettext("Archive copiée dans le stockage des médias : %(name)s") % {"name": name})
