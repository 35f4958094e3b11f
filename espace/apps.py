from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EspaceConfig(AppConfig):
    """« Mon espace »: the first page after login, what each person has to act on."""

    name = "espace"
    verbose_name = _("Mon espace")

    def ready(self):
        from . import receivers  # noqa: F401 — keeps the stage proposals the cases app announces
