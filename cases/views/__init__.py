"""Views of the cases app, one module a job; the URL modules import them from here."""
from .board import LabBoardView  # noqa: F401
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
    MoveCaseView,
    ProposeStageView,
)
from .my_cases import MyCasesView  # noqa: F401
from .programme import ProgrammeCaseListView  # noqa: F401
