from django.apps import AppConfig, apps
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """The ground floor every app builds on; it imports no app of the project."""

    name = "common"
    verbose_name = _("Outils communs")

    def ready(self):
        from . import hostile_input, public_url, tags

        tags.connect()
        hostile_input.guard_submitted_ids()
        post_migrate.connect(public_url.sync_after_migrate, sender=apps.get_app_config("wagtailcore"),
                             dispatch_uid="transfo_public_url_after_migrate")
        setting_changed.connect(public_url.resync_on_change, dispatch_uid="transfo_public_url_on_change")
