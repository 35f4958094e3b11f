"""What a newcomer stumbled on, in a browser: noting a whole day present at once with the keyboard,
and the planner's warning when a session is put on a public holiday. Every page is checked with axe."""
import datetime

import holidays
import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import LabMembership
from sessions.models import Attendance, EventStatus, Session

from ..factories import make_ambassador, make_collectivite, make_lab, make_programme, make_session, make_user
from .accessibility import serious_violations
from .test_session_journey import logged_in, press_tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def lab_and_resident():
    programme = make_programme(start_date=TODAY - 365 * DAY, end_date=TODAY + 4 * 365 * DAY)
    collectivite = make_collectivite(name="Ville de Mulhouse", departement="68")
    lab = make_lab(
        programme=programme,
        collectivite=collectivite,
        name="La Transfo de Mulhouse",
        start_date=TODAY - 60 * DAY,
        end_date=TODAY + 540 * DAY,
    )
    resident = make_user(first_name="Dominique", last_name="Résidente")
    LabMembership.objects.create(lab=lab, user=resident, role=LabMembership.Role.RESIDENT)
    return lab, resident


def test_resident_notes_a_whole_day_present_then_an_absence_with_the_keyboard(live_server, page, lab_and_resident):
    lab, resident = lab_and_resident
    session = make_session(lab, number=3, start_date=TODAY - 3 * DAY, end_date=TODAY - 2 * DAY, status=EventStatus.ANNOUNCED)
    first, second = session.days
    people = [make_ambassador(lab, first_name=name, last_name="Agent") for name in ("Camille", "Noé", "Sacha")]
    logged_in(page, live_server, resident)
    page.goto(live_server.url + reverse("lab_sessions:session_attendance", kwargs={"lab_slug": lab.slug, "number": 3}))
    page_violations = serious_violations(page)

    press_tab_until(page, f"tous-presents-{first.isoformat()}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_bulk = {(row.ambassador_id, row.day): row.attended for row in Attendance.objects.filter(session=session)}
    message = page.get_by_role("status").text_content()
    bulk_violations = serious_violations(page)
    # The exception: Noé did not come on the first day.
    press_tab_until(page, f"id_came-{people[1].pk}-{first.isoformat()}")
    page.keyboard.type("Absent")
    press_tab_until(page, "enregistrer-presences")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    came = {(row.ambassador_id, row.day): row.attended for row in Attendance.objects.filter(session=session)}
    assert page_violations == []
    assert bulk_violations == []
    assert after_bulk == {(person.pk, first): True for person in people}
    assert "toutes les personnes qui n'étaient pas notées sont notées présentes" in message
    assert came == {(people[0].pk, first): True, (people[1].pk, first): False, (people[2].pk, first): True}
    assert Session.objects.get(pk=session.pk).status == EventStatus.HELD
    assert second not in {day for _person, day in came}


def next_weekday_holiday(lab):
    """The first public holiday of Alsace on a working day, a week from now at least, not in August."""
    calendar = holidays.France(subdiv="6AE", years=range(TODAY.year, TODAY.year + 2), language="fr")
    return min(
        (day, name)
        for day, name in calendar.items()
        if day > TODAY + 7 * DAY and day.weekday() < 5 and day.month != 8 and lab.contains(day)
    )


def test_planner_warns_with_the_holiday_name_and_the_month_shows_it(live_server, page, lab_and_resident):
    lab, resident = lab_and_resident
    holiday, name = next_weekday_holiday(lab)
    logged_in(page, live_server, resident)
    page.goto(live_server.url + reverse("calendar:planner", kwargs={"lab_slug": lab.slug}))
    page.get_by_label("Nombre de sessions").fill("1")
    page.get_by_label("Jours par session").fill("1")
    page.get_by_role("button", name="Proposer").click()
    page.get_by_label("Premier jour de la session n° 0", exact=True).fill(holiday.isoformat())
    page.get_by_label("Dernier jour de la session n° 0", exact=True).fill(holiday.isoformat())
    page.get_by_role("button", name="Enregistrer la session").click()

    messages = [text.strip() for text in page.get_by_role("status").locator("li").all_text_contents()]
    holiday_cell = page.locator(f'.month-grid__day:has(time[datetime="{holiday.isoformat()}"])')
    assert Session.objects.filter(lab=lab, start_date=holiday, end_date=holiday).exists()
    assert messages[0] == "1 session enregistrée en brouillon (n° 0)."
    assert messages[1].startswith("Session n° 0 : Jour férié le ")
    assert messages[1].endswith(f" : {name}.")
    assert f"Férié : {name}" in holiday_cell.text_content()
    assert holiday_cell.get_by_role("link", name="Session n° 0").count() == 1
    assert serious_violations(page) == []
