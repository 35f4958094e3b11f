from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.LabListView.as_view(), name="lab_list"),
    path("<slug:slug>/", views.LabDetailView.as_view(), name="lab_detail"),
]
