"""« Mon espace » (included at ``espace/``)."""
from django.urls import path

from . import views

app_name = "espace"

urlpatterns = [
    path("", views.EspaceView.as_view(), name="espace"),
]
