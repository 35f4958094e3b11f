"""Who may open the dashboards: a Lab's runners and the coordination for a Lab's dashboard; the
coordination and the residents of the programme for the programme's board (programmes/rules.py)."""
from common.permissions import register as register_permission
from programmes.rules import is_coordinator, labs_run_by, runs_the_lab

# A Lab's dashboard: those who run it (residents, host) and its programme's coordination. Its
# ambassadors do not see it (DESIGN.md §3: "Follow the programme" is the residents' and the
# coordinators' journey), nor do the people of the programme's other Labs.
register_permission("dashboards.view_lab_dashboard", runs_the_lab)


def opens_board(user, programme) -> bool:
    """The programme's board: its coordination, the residents and hosts of its Labs, admins.
    Ambassadors do not open it (their Lab's own pages are theirs)."""
    if programme is None or not user.is_authenticated:
        return False
    # A coordinator runs every Lab of their programme: the first test answers for them too, but
    # for a programme without a Lab yet.
    return user.is_superuser or labs_run_by(user).filter(programme=programme).exists() or is_coordinator(user, programme)


register_permission("dashboards.open_board", opens_board)
