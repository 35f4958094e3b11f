from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("desabonnement/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
