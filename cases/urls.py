from django.urls import path

from . import views
from .views import board

app_name = "cases"

urlpatterns = [
    path("", board.LabBoardView.as_view(), name="board"),
    # Before the case pages: « nouveau » is a reserved slug (cases.models.RESERVED_SLUGS).
    path("nouveau/", views.CaseCreateView.as_view(), name="case_create"),
    path("<slug:slug>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<slug:slug>/modifier/", views.CaseEditView.as_view(), name="case_edit"),
    path("<slug:slug>/equipe/", views.CaseTeamView.as_view(), name="case_team"),
    path("<slug:slug>/etape/", views.MoveCaseView.as_view(), name="case_move"),
    path("<slug:slug>/etape/proposer/", views.ProposeStageView.as_view(), name="case_propose"),
    path("<slug:slug>/journal/nouveau/", views.EntryCreateView.as_view(), name="entry_create"),
    path("<slug:slug>/journal/<int:pk>/", views.EntryLinkView.as_view(), name="entry_link"),
    path("<slug:slug>/journal/<int:pk>/modifier/", views.EntryUpdateView.as_view(), name="entry_update"),
    path("<slug:slug>/journal/<int:pk>/supprimer/", views.EntryDeleteView.as_view(), name="entry_delete"),
    path("<slug:slug>/pieces/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("<slug:slug>/pieces/<int:pk>/vignette/", views.AttachmentView.as_view(thumbnail=True), name="attachment_thumbnail"),
    # Two segments, the second none of a case page's (modifier, etape…): no case slug shadows them.
    path("donnees/importer/", views.ImportView.as_view(), name="exchange_import"),
    path("donnees/export.csv", views.ExportCsvView.as_view(), name="exchange_export_csv"),
    path("donnees/export.json", views.ExportJsonView.as_view(), name="exchange_export_json"),
]
