from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from transfo.demo import load_demo


class Command(BaseCommand):
    @property
    def help(self):
        # argparse needs a real string, and translating at import time would be too early.
        return gettext(
            "Charge les données de démonstration du programme La Transfo 2016–2020 (personnes fictives) "
            "et affiche les comptes de démonstration. Peut être relancée sans rien dupliquer."
        )

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
