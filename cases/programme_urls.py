"""The cases of one's programmes, every Lab together (included at ``cas/``)."""
from django.urls import path

from . import views

app_name = "programme_cases"

urlpatterns = [
    path("", views.ProgrammeCaseListView.as_view(), name="case_list"),
]
