"""Who may open the dashboards: a Lab's runners and the coordination for a Lab's dashboard; the
coordination and the residents of the programme for the programme's board (programmes/rules.py)."""
from common.permissions import register as register_permission
from programmes.rules import runs_the_lab

# A Lab's dashboard: those who run it (residents, host) and its programme's coordination. Its
# ambassadors do not see it (DESIGN.md §3: "Follow the programme" is the residents' and the
# coordinators' journey), nor do the people of the programme's other Labs.
register_permission("dashboards.view_lab_dashboard", runs_the_lab)
