"""What happens on a case that the apps built on this one may want to keep.

``stage_proposed``: a team ambassador proposed to move a case (``case``, ``to_stage``,
``proposed_by``, ``note``). The case itself does not change: the proposal waits for the residents,
and whoever lists what is waiting for them keeps it (espace).
"""
from django.dispatch import Signal

stage_proposed = Signal()
