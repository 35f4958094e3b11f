from django.urls import path

app_name = "programmes"

urlpatterns: list = []
