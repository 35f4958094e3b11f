"""Pages of one Lab's sessions, under labs/<lab_slug>/sessions/."""
from django.urls import path

from .views import agenda, attendance, detail, editor

app_name = "lab_sessions"

urlpatterns = [
    path("nouvelle/", editor.SessionCreateView.as_view(), name="session_create"),
    path("presences/", attendance.LabAttendanceView.as_view(), name="lab_attendance"),
    path("<int:number>/", detail.SessionDetailView.as_view(), name="session_detail"),
    path("<int:number>/modifier/", editor.SessionUpdateView.as_view(), name="session_edit"),
    path("<int:number>/annoncer/", editor.SessionAnnounceView.as_view(), name="session_announce"),
    path("<int:number>/annuler/", editor.SessionCancelView.as_view(), name="session_cancel"),
    path("<int:number>/programme/", agenda.AgendaPrintView.as_view(), name="agenda_print"),
    path("<int:number>/programme/editeur/", agenda.AgendaEditorView.as_view(), name="agenda_editor"),
    path("<int:number>/programme/ajouter/", agenda.AgendaItemAddView.as_view(), name="agenda_add"),
    path("<int:number>/programme/<int:pk>/modifier/", agenda.AgendaItemEditView.as_view(), name="agenda_edit"),
    path("<int:number>/programme/<int:pk>/supprimer/", agenda.AgendaItemDeleteView.as_view(), name="agenda_delete"),
    path("<int:number>/programme/<int:pk>/deplacer/", agenda.AgendaItemMoveView.as_view(), name="agenda_move"),
    path("<int:number>/reponse/", attendance.AnswerView.as_view(), name="session_answer"),
    path("<int:number>/reponse/<str:token>/", attendance.RsvpView.as_view(), name="session_rsvp"),
    path("<int:number>/presences/", attendance.SessionAttendanceView.as_view(), name="session_attendance"),
    path("<int:number>/compte-rendu/", editor.SessionMinutesView.as_view(), name="session_minutes"),
    path("<int:number>/photos/ajouter/", editor.SessionPhotoAddView.as_view(), name="session_photo_add"),
    path("<int:number>/photos/<int:pk>/", detail.SessionPhotoView.as_view(), name="session_photo"),
    path("<int:number>/photos/<int:pk>/supprimer/", editor.SessionPhotoDeleteView.as_view(), name="session_photo_delete"),
]
