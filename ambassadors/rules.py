"""Who may see a Lab's people, invite them, and see a person's photo; registered under the names
the views declare (``common.permissions``)."""
from common.permissions import register
from programmes.rules import enters_lab, runs_the_lab

from .photos import may_see_photo

# On a Lab: its people see the list; those who run it invite and import.
register("ambassadors.view_lab_people", enters_lab)
register("ambassadors.invite", runs_the_lab)
register("ambassadors.import", runs_the_lab)
# On an ambassador: their photo, public with their consent.
register("ambassadors.view_photo", may_see_photo)
