"""The names of the moderation workflow that every drafted page goes through.

Wagtail's own migration creates it in English ("Moderators approval", after the group it asks);
our migration 0006 renames it in French, the site's source language. The names live in the
database, so the pages show them through ``task_label``: our own names are translated, a name an
editor gave in the admin is shown as written.
"""
from django.utils.translation import gettext, gettext_noop

WAGTAIL_DEFAULT_NAME = "Moderators approval"
WORKFLOW_NAME = gettext_noop("Relecture avant publication")
TASK_NAME = gettext_noop("Relecture par l'équipe éditoriale")
OUR_NAMES = {WORKFLOW_NAME, TASK_NAME}


def task_label(name: str) -> str:
    """The name of a workflow task as a reader sees it, in their language."""
    return gettext(name) if name in OUR_NAMES else name
