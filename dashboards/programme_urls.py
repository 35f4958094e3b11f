"""The programme's board, every Lab side by side: /programme/<programme>/tableau-de-bord/."""

app_name = "programme_board"

urlpatterns = []  # the views come with the dashboards
