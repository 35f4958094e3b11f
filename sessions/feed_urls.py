"""Under calendrier/: the private calendar feed and its subscription page (namespace ``calendar_feeds``)."""
from django.urls import path

from .views import feeds

app_name = "calendar_feeds"

urlpatterns = [
    path("abonnement/", feeds.SubscriptionView.as_view(), name="subscription"),
    path("<str:token>.ics", feeds.PersonalFeedView.as_view(), name="personal"),
]
