"""Views of the cases app, one module a job; the URL modules import them from here."""
from .digest import DigestPreferenceView  # noqa: F401
from .editor import CaseCreateView, CaseEditView, CaseTeamView  # noqa: F401
from .exchange import ExportCsvView, ExportJsonView, ImportView  # noqa: F401
from .journal import (  # noqa: F401
    AttachmentView,
    CaseDetailView,
    EntryCreateView,
    EntryDeleteView,
    EntryLinkView,
    EntryUpdateView,
    LabBoardView,
    MoveCaseView,
    MyCasesView,
    ProposeStageView,
)
from .programme import ProgrammeCaseListView  # noqa: F401
