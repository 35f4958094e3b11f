"""Who may draft a Lab's session report or case story, and follow where it stands: those who run
the Lab (``programmes.rules``); registered under the names the views declare."""
from common.permissions import register
from programmes.rules import runs_the_lab

# On a Lab.
register("docs.draft_page", runs_the_lab)
register("docs.view_draft_status", runs_the_lab)
