"""A small Lab whose every figure was counted by hand (see the comments), shared by the dashboard's tests.

The Lab runs 18 months, from June 2016 to November 2017; "today" is 15 October 2016 (month 5).
"""
import datetime

from django.utils import timezone

from cases.models import Case, ProgressEntry, StageChange
from programmes.models import LabMembership
from sessions.models import Attendance

from ..factories import make_ambassador, make_case, make_entry, make_lab, make_session, make_user

TODAY = datetime.date(2016, 10, 15)


def noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def build_lab():
    lab = make_lab(start_date=datetime.date(2016, 6, 1), end_date=datetime.date(2017, 11, 30))
    resident = make_user()
    LabMembership.objects.create(lab=lab, user=resident, role=LabMembership.Role.RESIDENT)
    d = datetime.date
    # Sessions: two held (one of three days, one of one day), one cancelled, one past without a
    # word, two to come. Held 2, planned (not cancelled) 5, cancelled 1.
    s1 = make_session(lab, number=1, start_date=d(2016, 6, 14), end_date=d(2016, 6, 16), status="held")
    s2 = make_session(lab, number=2, start_date=d(2016, 7, 12), end_date=d(2016, 7, 12), status="held")
    make_session(lab, number=3, start_date=d(2016, 8, 9), end_date=d(2016, 8, 10), status="cancelled")
    make_session(lab, number=4, start_date=d(2016, 9, 13), end_date=d(2016, 9, 14), status="announced")
    make_session(lab, number=5, start_date=d(2016, 11, 8), end_date=d(2016, 11, 9), status="announced")
    make_session(lab, number=6, start_date=d(2016, 12, 6), end_date=d(2016, 12, 7), status="draft")
    # People: Alice and Chloé (same métier, two directions), Bruno who left after session 1.
    alice = make_ambassador(lab, first_name="Alice", last_name="Arnaud", metier="Bibliothécaire", direction="Culture", joined_on=d(2016, 6, 1))
    bruno = make_ambassador(lab, first_name="Bruno", last_name="Bertin", metier="Urbaniste", direction="Urbanisme", joined_on=d(2016, 6, 1), is_active=False)
    make_ambassador(lab, first_name="Chloé", last_name="Colin", metier="Bibliothécaire", direction="Solidarités", joined_on=d(2016, 7, 1))

    def mark(session, person, day, response="yes", attended=None):
        Attendance.objects.create(session=session, ambassador=person, day=day, response=response, attended=attended)

    # Alice: present, present, excused (said no), absent (said yes, did not come): 2 of 4 days.
    mark(s1, alice, d(2016, 6, 14), attended=True)
    mark(s1, alice, d(2016, 6, 15), attended=True)
    mark(s1, alice, d(2016, 6, 16), response="no")
    mark(s2, alice, d(2016, 7, 12), attended=False)
    # Bruno: present, present, absent; left, so session 2 does not count for him: 2 of 3 days.
    mark(s1, bruno, d(2016, 6, 14), attended=True)
    mark(s1, bruno, d(2016, 6, 15), attended=True)
    mark(s1, bruno, d(2016, 6, 16), attended=False)
    # Chloé joined in July: session 2 only, not marked: 0 of 1 day.

    # Cases: A moves framing → inquiry (10 July) → ideation (5 September); B is abandoned on
    # 20 August; C opens on 25 September.
    case_a = make_case(lab, title="Accueil des usagers", slug="accueil")
    case_b = make_case(lab, title="Budget participatif", slug="budget", stage="abandonne", lessons="Trop tôt.")
    case_c = make_case(lab, title="Cantines", slug="cantines")
    Case.objects.filter(pk=case_a.pk).update(created_at=noon(d(2016, 6, 20)), stage="ideation")
    Case.objects.filter(pk=case_b.pk).update(created_at=noon(d(2016, 7, 5)))
    Case.objects.filter(pk=case_c.pk).update(created_at=noon(d(2016, 9, 25)))
    StageChange.objects.create(case=case_a, from_stage="cadrage", to_stage="enquete", changed_at=noon(d(2016, 7, 10)))
    StageChange.objects.create(case=case_a, from_stage="enquete", to_stage="ideation", changed_at=noon(d(2016, 9, 5)))
    StageChange.objects.create(case=case_b, from_stage="cadrage", to_stage="abandonne", changed_at=noon(d(2016, 8, 20)))
    # Journal: A twice in July and once in September; C once in October. A's last activity
    # (6 September) is more than 30 days before today: A is stale; B is abandoned, not stale.
    for case, day in ((case_a, d(2016, 7, 10)), (case_a, d(2016, 7, 25)), (case_a, d(2016, 9, 6)), (case_c, d(2016, 10, 1))):
        entry = make_entry(case, entry_date=day)
        ProgressEntry.objects.filter(pk=entry.pk).update(created_at=noon(day))
    return lab, resident


def grow(lab, *, sessions, people, cases):
    """More of everything, for the query counts: held sessions with marks, people, cases with moves."""
    start = datetime.date(2017, 1, 3)
    everyone = [make_ambassador(lab) for _ in range(people)]
    for index in range(sessions):
        day = start + datetime.timedelta(days=7 * index)
        session = make_session(lab, number=100 + index, start_date=day, end_date=day + datetime.timedelta(days=1), status="held")
        Attendance.objects.bulk_create(
            Attendance(session=session, ambassador=person, day=day, attended=True) for person in everyone
        )
    for index in range(cases):
        case = make_case(lab)
        StageChange.objects.create(case=case, from_stage="cadrage", to_stage="enquete")
        make_entry(case)
