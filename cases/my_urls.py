"""« Mes cas »: not tied to one Lab (included at ``mes-cas/``)."""
from django.urls import path

from .views import digest, my_cases

app_name = "my_cases"

urlpatterns = [
    path("", my_cases.MyCasesView.as_view(), name="my_cases"),
    path("resume/", digest.DigestPreferenceView.as_view(), name="digest"),
]
