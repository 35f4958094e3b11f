import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from transfo.demo import load_demo


class Command(BaseCommand):
    @property
    def help(self):
        # argparse needs a real string, and translating at import time would be too early.
        return gettext(
            "Charge les données de démonstration du programme La Transfo 2016–2020 (personnes fictives) "
            "et d'un programme fictif en cours, et affiche les comptes de démonstration. Peut être relancée "
            "sans rien dupliquer."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", metavar="AAAA-MM-JJ",
            help=gettext("Jour du chargement, dont partent les dates du programme en cours (par défaut : aujourd'hui)."),
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    gettext("Date invalide : %(value)s (attendu : AAAA-MM-JJ).") % {"value": options["today"]}
                ) from None
        load_demo(stdout=self.stdout, today=today)
