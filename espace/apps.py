from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EspaceConfig(AppConfig):
    """« Mon espace »: the first page after login, what each person has to act on."""

    name = "espace"
    verbose_name = _("Mon espace")
