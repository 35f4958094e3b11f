"""What « Mon espace » keeps of its own: when each person last came."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LastVisit(models.Model):
    """When a person last opened Mon espace, to show what others wrote since.

    ``previous_visit_at`` is the visit before the current one: reloading the page within
    ``espace.queries.SAME_VISIT`` keeps it, so the new entries do not vanish at the first reload.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="espace_visit", verbose_name=_("personne")
    )
    visited_at = models.DateTimeField(_("dernière visite"), default=timezone.now)
    previous_visit_at = models.DateTimeField(_("visite précédente"), null=True, blank=True)

    class Meta:
        verbose_name = _("dernière visite")
        verbose_name_plural = _("dernières visites")

    def __str__(self):
        return f"{self.user} — {self.visited_at:%d/%m/%Y %H:%M}"
