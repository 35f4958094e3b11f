"""A Lab's dashboard: /labs/<lab>/tableau-de-bord/ (mounted under the Lab in transfo/urls.py)."""

app_name = "lab_dashboard"

urlpatterns = []  # the views come with the dashboards
