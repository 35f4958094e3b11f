"""The stage proposals the cases app announces (cases.signals), kept until the case moves."""
from django.dispatch import receiver

from cases.signals import stage_proposed

from .models import StageProposal


@receiver(stage_proposed, dispatch_uid="espace.keep_stage_proposal")
def keep_stage_proposal(sender, *, case, to_stage, proposed_by, **kwargs):
    StageProposal.objects.create(case=case, to_stage=to_stage, proposed_by=proposed_by)
