"""Public URLs of the open documentation that are not Wagtail pages: feeds and open data."""
from django.urls import path

from .feeds import DocumentationAtomFeed, DocumentationFeed, LabAtomFeed, LabFeed
from .opendata import BUNDLE_NAME, DcatCatalogueView, OpenDataDownloadView, OpenDataView

app_name = "opendata"

urlpatterns = [
    path("flux/rss/", DocumentationFeed(), name="feed_rss"),
    path("flux/atom/", DocumentationAtomFeed(), name="feed_atom"),
    path("flux/<slug:lab_slug>/rss/", LabFeed(), name="lab_feed_rss"),
    path("flux/<slug:lab_slug>/atom/", LabAtomFeed(), name="lab_feed_atom"),
    path("donnees-ouvertes/", OpenDataView.as_view(), name="index"),
    path(f"donnees-ouvertes/{BUNDLE_NAME}", OpenDataDownloadView.as_view(), name="download"),
    path("donnees-ouvertes/catalogue.jsonld", DcatCatalogueView.as_view(), name="catalogue"),
]
