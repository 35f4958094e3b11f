"""« Mes cas »: not tied to one Lab (included at ``mes-cas/``)."""
from django.urls import path

from . import views

app_name = "my_cases"

urlpatterns = [
    path("", views.MyCasesView.as_view(), name="my_cases"),
    path("resume/", views.DigestPreferenceView.as_view(), name="digest"),
]
