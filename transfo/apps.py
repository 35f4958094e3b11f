from django.apps import AppConfig


class TransfoConfig(AppConfig):
    """The project's wiring: what spans the apps (settings, URLs, the demo, shared tag slugs)."""

    name = "transfo"

    def ready(self):
        from . import tags

        tags.connect()
