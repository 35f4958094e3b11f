"""Pages of one Lab's sessions, under labs/<lab_slug>/sessions/."""
from django.urls import path

from .views import detail

app_name = "lab_sessions"

urlpatterns = [
    path("<int:number>/", detail.SessionDetailView.as_view(), name="session_detail"),
]
