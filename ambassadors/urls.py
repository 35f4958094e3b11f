from django.urls import path

app_name = "ambassadors"

urlpatterns: list = []
