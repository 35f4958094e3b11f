"""The programme's board, every Lab side by side: /programme/<programme>/tableau-de-bord/."""
from django.urls import path

from .board_views import BoardCsvView, BoardView

app_name = "programme_board"

urlpatterns = [
    path("", BoardView.as_view(), name="board"),
    path("tableau.csv", BoardCsvView.as_view(), name="board_csv"),
]
