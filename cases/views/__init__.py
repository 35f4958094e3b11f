"""Views of the cases app, one module a job; the URL modules import them from here."""
from .journal import (  # noqa: F401
    AttachmentView,
    CaseDetailView,
    EntryCreateView,
    EntryDeleteView,
    EntryUpdateView,
    LabBoardView,
    MoveCaseView,
    MyCasesView,
    ProposeStageView,
)
