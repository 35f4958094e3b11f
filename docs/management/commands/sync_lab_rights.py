"""Set up every Lab's place in Wagtail and bring everyone's Wagtail groups in line with their roles."""
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from docs.rights import sync_everything


class Command(BaseCommand):
    help = "Donne à chaque labo sa place dans la documentation et aligne les droits Wagtail sur les rôles."

    def handle(self, *args, **options):
        counts = sync_everything()
        self.stdout.write(
            _("%(labs)d labos en place, %(pages)d pages rangées, %(media)d médias classés, %(people)d personnes à jour.")
            % {"labs": counts["labs"], "pages": counts["pages_moved"], "media": counts["media_filed"], "people": counts["people"]}
        )
