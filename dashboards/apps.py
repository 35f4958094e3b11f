from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Tableaux de bord")

    def ready(self):
        from . import freshness, rules  # noqa: F401 — rules registers the permissions its views declare

        freshness.connect()
