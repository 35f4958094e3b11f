from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cas pratiques")

    def ready(self):
        from . import rules  # noqa: F401 — registers the permissions its views declare
