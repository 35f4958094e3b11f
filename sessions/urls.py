from django.urls import path

from . import views

app_name = "lab_sessions"

urlpatterns = [
    path("<int:number>/", views.SessionDetailView.as_view(), name="session_detail"),
]
