"""Who may open the dashboards: a Lab's runners and the coordination for a Lab's dashboard; the
coordination and the residents of the programme for the programme's board (programmes/rules.py)."""
