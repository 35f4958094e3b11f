"""Who may do what with a Lab's sessions and calendar (DESIGN.md §2), built on the Lab roles of
``programmes.rules``; registered under the names the views declare (``common.permissions``).

Reading a session follows ``Session.objects.visible_to(user)`` (its visibility); its calendar is
for whoever may open the Lab; planning, editing and noting attendance are for those who run it.
An InterTransfo is read by everyone of its programme (its page looks the programme up among the
reader's own, ``gatherings.programmes_of``) and planned by its coordination.
"""
from common.permissions import register

from .gatherings import may_plan_gatherings
from programmes.rules import may_read_lab_item, opens_lab, runs_the_lab


def may_read_session(user, session) -> bool:
    return may_read_lab_item(user, session)


def may_answer_session(user, session) -> bool:
    """Answering is for whoever reads the session; which person they answer for is the page's
    business (themself, or anyone of the Lab for those who run it)."""
    return user.is_authenticated and may_read_lab_item(user, session)


# On a Lab.
register("sessions.open_calendar", opens_lab)
register("sessions.plan_session", runs_the_lab)
register("sessions.view_lab_attendance", runs_the_lab)
# On a Lab too: a session is looked up once its Lab is known to be the user's.
register("sessions.change_session", runs_the_lab)
# On a session.
register("sessions.view_session", may_read_session)
register("sessions.answer_session", may_answer_session)


def takes_part_in_programme(user, programme) -> bool:
    """The programme was looked up among the user's own (``programmes_of``): found is allowed."""
    return user.is_authenticated and programme is not None


# On a programme: its InterTransfo.
register("sessions.view_gatherings", takes_part_in_programme)
register("sessions.plan_gatherings", may_plan_gatherings)
