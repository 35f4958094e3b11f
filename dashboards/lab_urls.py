"""A Lab's dashboard: /labs/<lab>/tableau-de-bord/ (mounted under the Lab in transfo/urls.py)."""
from django.urls import path

from . import lab_views

app_name = "lab_dashboard"

urlpatterns = [
    path("", lab_views.LabDashboardView.as_view(), name="dashboard"),
    path("<slug:table>.csv", lab_views.LabDashboardCsvView.as_view(), name="csv"),
]
