"""What the apps built on programmes add to its Labs, registered by those apps themselves.

programmes is a lower floor (tests/test_floors.py): it imports none of the apps that stand on it,
nor fetches their models by name. Each of them says here what it brings:

- a count of its rows in each Lab (``add_lab_count``): a column of the Lab admin's list and a line
  of its overview, in ``programmes/admin.py``;
- who else belongs to a Lab than its memberships (``add_lab_members``): a select of the Lab ids a
  person belongs to, which ``programmes/rules.py`` unions with its own (ambassadors: the active
  ambassadors of a Lab).

Apps register from their AppConfig.ready() or their admin module: both run before any request.
"""
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class LabCount:
    """The number of ``model`` rows in each Lab, through its ``lab`` foreign key."""

    name: str  # the annotation and the column: "session_count"
    model: Any
    column_label: Any  # the column's header
    overview_label: Any  # its line in the Lab's overview, a link to ``changelist``
    changelist: str  # the admin URL name of the model's list, filtered on the Lab
    overview_rank: int  # where its line stands in the overview (the columns follow registration)


@dataclass(frozen=True)
class LabMembers:
    """A select of the ids of the Labs one person belongs to, with ``%s`` placeholders.

    ``sql`` is called once (the select is cached for the process); ``params(user)`` gives the
    values of its placeholders for one person.
    """

    sql: Callable[[], str]
    params: Callable[[Any], tuple]


_lab_counts: dict[str, LabCount] = {}
_lab_members: list[LabMembers] = []


def add_lab_count(count: LabCount) -> None:
    _lab_counts[count.name] = count


def lab_counts() -> tuple[LabCount, ...]:
    """The counts in the order they were registered (that of INSTALLED_APPS)."""
    return tuple(_lab_counts.values())


def add_lab_members(source: LabMembers) -> None:
    if source not in _lab_members:
        _lab_members.append(source)


def lab_members() -> tuple[LabMembers, ...]:
    return tuple(_lab_members)
