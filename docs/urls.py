"""A Lab's drafts for the documentation, under labs/<lab_slug>/documentation/."""
from django.urls import path

from . import views

app_name = "docs"

urlpatterns = [
    path("session/<int:number>/brouillon/", views.SessionDraftView.as_view(), name="session_draft"),
    path("cas/<slug:slug>/brouillon/", views.CaseDraftView.as_view(), name="case_draft"),
    path("brouillon/<int:page_id>/", views.DraftStatusView.as_view(), name="draft_status"),
]
