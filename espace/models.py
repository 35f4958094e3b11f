"""What « Mon espace » keeps of its own: when each person last came, and the stage proposals."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Stage


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


class StageProposal(models.Model):
    """A team ambassador's proposal to move a case, waiting until the case's stage next changes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_proposals", verbose_name=_("cas"))
    to_stage = models.CharField(_("étape proposée"), max_length=20, choices=Stage.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("proposée par"),
    )
    proposed_at = models.DateTimeField(_("proposée le"), default=timezone.now)

    class Meta:
        verbose_name = _("proposition d'étape")
        verbose_name_plural = _("propositions d'étape")
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["case", "proposed_at"], name="espace_proposal_case_at")]

    def __str__(self):
        return f"{self.case} → {self.get_to_stage_display()}"
