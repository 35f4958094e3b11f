from django.urls import path

from . import photos, views

app_name = "ambassadors"

urlpatterns = [
    path("labs/<slug:lab_slug>/ambassadeurs/", views.AmbassadorListView.as_view(), name="lab_ambassadors"),
    path("labs/<slug:lab_slug>/ambassadeurs/inviter/", views.InviteAmbassadorView.as_view(), name="invite"),
    path("labs/<slug:lab_slug>/ambassadeurs/importer/", views.ImportAmbassadorsView.as_view(), name="import"),
    path(
        "labs/<slug:lab_slug>/ambassadeurs/<int:pk>/relancer/",
        views.ResendInvitationView.as_view(),
        name="resend_invitation",
    ),
    path("invitations/<str:token>/", views.AcceptInvitationView.as_view(), name="accept_invitation"),
    path("photos/ambassadeurs/<int:pk>/", photos.AmbassadorPhotoView.as_view(), name="photo"),
]
