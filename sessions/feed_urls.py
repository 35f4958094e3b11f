"""Under calendrier/: the private calendar feed and its subscription page, and the InterTransfo pages
(their agenda, answers and attendance).

The InterTransfo belong to a programme, not to one Lab, so they live here rather than under a
Lab's calendar; the namespace keeps its first name, ``feeds``.
"""
from django.urls import path

from .views import feeds, gathering_attendance, gatherings

app_name = "feeds"

urlpatterns = [
    path("abonnement/", feeds.SubscriptionView.as_view(), name="subscription"),
    path("intertransfo/", gatherings.GatheringIndexView.as_view(), name="gathering_index"),
    path("intertransfo/<slug:programme_slug>/", gatherings.GatheringListView.as_view(), name="gathering_list"),
    path(
        "intertransfo/<slug:programme_slug>/nouvelle/",
        gatherings.GatheringFormView.as_view(),
        name="gathering_create",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/",
        gatherings.GatheringDetailView.as_view(),
        name="gathering_detail",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/modifier/",
        gatherings.GatheringFormView.as_view(),
        name="gathering_update",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/annoncer/",
        gatherings.GatheringAnnounceView.as_view(),
        name="gathering_announce",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/programme/ajouter/",
        gatherings.GatheringAgendaAddView.as_view(),
        name="gathering_agenda_add",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/programme/<int:pk>/modifier/",
        gatherings.GatheringAgendaEditView.as_view(),
        name="gathering_agenda_edit",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/programme/<int:pk>/supprimer/",
        gatherings.GatheringAgendaDeleteView.as_view(),
        name="gathering_agenda_delete",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/reponse/",
        gathering_attendance.GatheringAnswerView.as_view(),
        name="gathering_answer",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/reponse/<str:token>/",
        gathering_attendance.GatheringRsvpView.as_view(),
        name="gathering_rsvp",
    ),
    path(
        "intertransfo/<slug:programme_slug>/<int:number>/presences/",
        gathering_attendance.GatheringAttendanceView.as_view(),
        name="gathering_attendance",
    ),
    path("<str:token>.ics", feeds.PersonalFeedView.as_view(), name="personal"),
]
