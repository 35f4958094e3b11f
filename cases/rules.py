"""Who may write on a case (DESIGN.md §2), built on the Lab roles of ``programmes.rules``.

Reading a case is ``Case.objects.visible_to(user)``; these predicates answer what a reader may
also do. Those who run the Lab (residents, host, coordination, admins) do everything on its
cases; ambassadors of a case's team write its journal and propose stage moves; network members
(relais) and ambassadors outside the team write nothing.
"""
from common.permissions import register as register_permission
from programmes.rules import belongs_to_lab, enters_lab, may_read_lab_item, runs_lab, runs_the_lab


def _team_member(user, case):
    if case is None or not user.is_authenticated:
        return False
    # The team holds Ambassador rows; a relais placed in a team still writes nothing.
    return case.team.filter(user=user, is_active=True, circle="ambassador").exists()


def is_team_member(user, case):
    """An active ambassador (not a relais) of the case's team."""
    return _team_member(user, case)


def can_write_entry(user, case):
    """Runs the case's Lab, or is an ambassador of its team."""
    if case is None or not user.is_authenticated:
        return False
    return runs_lab(user, case.lab) or _team_member(user, case)


def can_change_entry(user, entry):
    """The entry's author (while still in the Lab), or someone who runs the Lab (moderation)."""
    if entry is None or not user.is_authenticated:
        return False
    lab = entry.case.lab
    if runs_lab(user, lab):
        return True
    return entry.author_id == user.pk and belongs_to_lab(user, lab)


def can_move_case(user, case):
    """Setting a case's stage is for those who run its Lab."""
    return case is not None and runs_lab(user, case.lab)


def can_create_case(user, lab):
    """Opening a case in a Lab is for those who run it (DESIGN.md §2)."""
    return lab is not None and runs_lab(user, lab)


def can_edit_case(user, case):
    """Its description, visibility and team: those who run its Lab."""
    return case is not None and runs_lab(user, case.lab)


def can_propose_stage(user, case):
    """Team ambassadors propose a move; residents decide."""
    return _team_member(user, case) and not runs_lab(user, case.lab)


# --- The permissions views declare (common.permissions) ---------------------------------------


def may_read_case(user, case) -> bool:
    return may_read_lab_item(user, case)


def may_read_entry(user, entry) -> bool:
    """An entry is read with its case; its reader's roles, when read with it, are on the entry."""
    return entry is not None and may_read_lab_item(user, entry.case, roles=entry)


# On a case (or an entry).
register_permission("cases.view_case", may_read_case)
register_permission("cases.view_entry", may_read_entry)
register_permission("cases.add_entry_to_case", can_write_entry)
register_permission("cases.change_entry", can_change_entry)
register_permission("cases.move_case", can_move_case)
register_permission("cases.edit_case", can_edit_case)
register_permission("cases.propose_stage", can_propose_stage)
# On a Lab.
register_permission("cases.create_case", can_create_case)
register_permission("cases.view_board", enters_lab)
register_permission("cases.import_data", runs_the_lab)
register_permission("cases.export_data", runs_the_lab)
