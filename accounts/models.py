"""What login security keeps in the database, so that it holds whatever the cache does."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecondFactorFailure(models.Model):
    """A wrong second-factor code (authenticator or recovery code) typed at login.

    Wrong passwords are django-axes' records (AccessAttempt, AccessFailureLog); these are counted
    per account by ``accounts.lockout`` to stop a guesser who knows the password.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("compte")
    )
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("moment"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("code de second facteur erroné")
        verbose_name_plural = _("codes de second facteur erronés")
        ordering = ["-attempted_at"]

    def __str__(self):
        return f"{self.user_id} @ {self.attempted_at:%Y-%m-%d %H:%M}"
