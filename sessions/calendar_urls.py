"""A Lab's calendar, under labs/<lab_slug>/calendrier/: month, timeline, list, planner and iCal feed."""
from django.urls import path

from .views import calendar, feeds, planner

app_name = "calendar"

urlpatterns = [
    path("", calendar.MonthView.as_view(), name="month"),
    path("frise/", calendar.TimelineView.as_view(), name="timeline"),
    path("liste/", calendar.SessionListView.as_view(), name="list"),
    path("planifier/", planner.PlannerView.as_view(), name="planner"),
    path("labo.ics", feeds.LabFeedView.as_view(), name="lab_feed"),
]
