from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People's accounts: profile, personal data, login security and the audit trail."""

    name = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from . import audit  # noqa: F401 — connects the audit trail's signal receivers
        from . import lockout  # noqa: F401 — counts wrong second-factor codes
