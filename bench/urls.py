"""The platform's URLs with the benchmark's yardsticks in front (ROOT_URLCONF when `make bench` runs).

First, or Wagtail's catch-all page route would answer their paths; outside the language prefix.
"""
from django.urls import path

from transfo.urls import urlpatterns as platform_urlpatterns

from . import views

urlpatterns = [
    path("bench/floor/", views.floor, name="bench_floor"),
    path("bench/auth/", views.authenticated_only, name="bench_auth"),
    *platform_urlpatterns,
]
