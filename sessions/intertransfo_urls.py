"""Under calendrier/intertransfo/: the InterTransfo pages of a programme (namespace ``intertransfo``).

The InterTransfo belong to a programme, not to one Lab, so they live beside the private calendar
feed rather than under a Lab's calendar; their addresses are those they always had.
"""
from django.urls import path

from .views import gathering_attendance, gatherings

app_name = "intertransfo"

urlpatterns = [
    path("", gatherings.GatheringIndexView.as_view(), name="gathering_index"),
    path("<slug:programme_slug>/", gatherings.GatheringListView.as_view(), name="gathering_list"),
    path(
        "<slug:programme_slug>/nouvelle/",
        gatherings.GatheringFormView.as_view(),
        name="gathering_create",
    ),
    path(
        "<slug:programme_slug>/<int:number>/",
        gatherings.GatheringDetailView.as_view(),
        name="gathering_detail",
    ),
    path(
        "<slug:programme_slug>/<int:number>/modifier/",
        gatherings.GatheringFormView.as_view(),
        name="gathering_update",
    ),
    path(
        "<slug:programme_slug>/<int:number>/annoncer/",
        gatherings.GatheringAnnounceView.as_view(),
        name="gathering_announce",
    ),
    path(
        "<slug:programme_slug>/<int:number>/programme/ajouter/",
        gatherings.GatheringAgendaAddView.as_view(),
        name="gathering_agenda_add",
    ),
    path(
        "<slug:programme_slug>/<int:number>/programme/<int:pk>/modifier/",
        gatherings.GatheringAgendaEditView.as_view(),
        name="gathering_agenda_edit",
    ),
    path(
        "<slug:programme_slug>/<int:number>/programme/<int:pk>/supprimer/",
        gatherings.GatheringAgendaDeleteView.as_view(),
        name="gathering_agenda_delete",
    ),
    path(
        "<slug:programme_slug>/<int:number>/reponse/",
        gathering_attendance.GatheringAnswerView.as_view(),
        name="gathering_answer",
    ),
    path(
        "<slug:programme_slug>/<int:number>/reponse/<str:token>/",
        gathering_attendance.GatheringRsvpView.as_view(),
        name="gathering_rsvp",
    ),
    path(
        "<slug:programme_slug>/<int:number>/presences/",
        gathering_attendance.GatheringAttendanceView.as_view(),
        name="gathering_attendance",
    ),
]
