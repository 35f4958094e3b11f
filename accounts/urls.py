from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("donnees.json", views.PersonalDataExportView.as_view(), name="export"),
    path("effacement/", views.ErasureView.as_view(), name="erase"),
    path("effacement/termine/", views.ErasureDoneView.as_view(), name="erased"),
]
