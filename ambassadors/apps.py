from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"
    verbose_name = _("Ambassadeur·rices")

    def ready(self):
        from programmes import contributions

        from . import rules  # noqa: F401 — registers the permissions its views declare
        from .lab_members import ACTIVE_AMBASSADORS

        contributions.add_lab_members(ACTIVE_AMBASSADORS)
