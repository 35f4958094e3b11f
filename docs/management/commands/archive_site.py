from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from docs.archive import archive_site


class Command(BaseCommand):
    @property
    def help(self):
        # argparse needs a real string, and translating at import time would be too early.
        return gettext(
            "Écrit le site public en HTML statique, avec ses feuilles de style, images et documents, "
            "dans un dossier (--output) ou un zip (--zip) lisible hors ligne. Seules les pages "
            "qu'un visiteur anonyme peut ouvrir y figurent."
        )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--output", metavar="DOSSIER", help=gettext("dossier où écrire le site"))
        target.add_argument("--zip", metavar="FICHIER", help=gettext("fichier zip où écrire le site"))
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help=gettext("adresse du site en ligne, pour les liens vers ce qui n'est pas archivé"),
        )

    def handle(self, *args, **options):
        result = archive_site(output_dir=options["output"], zip_path=options["zip"], base_url=options["base_url"])
        self.stdout.write(
            gettext("%(pages)s pages et %(files)s fichiers écrits ; %(online)s adresses laissées en ligne.")
            % {"pages": result.pages, "files": len(result.files), "online": len(result.online)}
        )
        if result.errors:
            raise CommandError(
                gettext("Ces adresses ont répondu par une erreur du serveur : %(urls)s")
                % {"urls": ", ".join(result.errors)}
            )
