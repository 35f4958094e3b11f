from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """The ground floor every app builds on; it imports no app of the project."""

    name = "common"
    verbose_name = _("Outils communs")

    def ready(self):
        from . import hostile_input, tags

        tags.connect()
        hostile_input.guard_submitted_ids()
