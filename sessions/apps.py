from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabSessionsConfig(AppConfig):
    # The folder is "sessions" but that label belongs to django.contrib.sessions.
    name = "sessions"
    label = "lab_sessions"
    verbose_name = _("Sessions")

    def ready(self):
        from . import rules  # noqa: F401 — registers the permissions its views declare
        from . import cache, calendar_versions

        cache.connect()
        calendar_versions.connect()
