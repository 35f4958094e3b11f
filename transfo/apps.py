from django.apps import AppConfig


class TransfoConfig(AppConfig):
    """The project's own app: settings, URLs, shared helpers and the demo."""

    name = "transfo"

    def ready(self):
        from .hostile_input import guard_submitted_ids

        guard_submitted_ids()
