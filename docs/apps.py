from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DocsConfig(AppConfig):
    name = "docs"
    verbose_name = _("Documentation ouverte")

    def ready(self):
        from . import rules  # noqa: F401 — registers the permissions its views declare
        from . import publishing, role_signals, signals

        signals.connect()
        publishing.connect()
        role_signals.connect()
        post_migrate.connect(sync_rights_after_migrate, sender=self, dispatch_uid="docs_rights_after_migrate")


def sync_rights_after_migrate(sender, plan=None, using="default", **kwargs):
    """Every existing Lab gets its place once the schema is complete (see docs.rights).

    Skipped after a migration backwards, or while some migration is still unapplied: the models
    would not match the tables.
    """
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    if plan and any(backwards for _migration, backwards in plan):
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    from .rights import sync_everything

    sync_everything()
