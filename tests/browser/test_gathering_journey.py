"""Journeys 3 and 6 for an InterTransfo, in a browser: the coordination builds its day-by-day
agenda (without JavaScript) and announces it; an ambassador of another Lab answers per day from
its page, on a phone too, and someone not yet joined from the link in their mail. Every page is
checked with axe."""
import datetime
import re

import pytest
from django.utils import timezone

from outbox.models import OutgoingMail
from programmes.models import Coordination
from sessions.gatherings import announce_gathering
from sessions.models import AgendaItem, EventStatus, GatheringAttendance

from ..factories import make_ambassador, make_gathering, make_lab, make_programme, make_resident, make_user
from .accessibility import serious_violations
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world():
    programme = make_programme(
        name="La Transfo", slug="la-transfo", start_date=TODAY - 300 * DAY, end_date=TODAY + 600 * DAY
    )
    mulhouse = make_lab(programme=programme, name="La Transfo de Mulhouse")
    metz = make_lab(programme=programme, name="La Transfo de Metz")
    coordinator = make_user(first_name="Claude", last_name="Coordination")
    Coordination.objects.create(programme=programme, user=coordinator)
    make_resident(mulhouse, user=make_user(first_name="Rosa", last_name="Résidente"))
    camille = make_ambassador(metz, first_name="Camille", last_name="Durand", user=make_user(first_name="Camille"))
    sacha = make_ambassador(mulhouse, first_name="Sacha", last_name="Martin", email="sacha.martin@test.transfo.example")
    start = TODAY + 30 * DAY
    gathering = make_gathering(
        programme, title="Faire labo ensemble", start_date=start, end_date=start + DAY, host_lab=metz,
        place_name="Arsenal de Metz",
    )
    return {"coordinator": coordinator, "camille": camille, "sacha": sacha, "gathering": gathering}


def test_coordinator_builds_the_agenda_and_announces_the_gathering(live_server, page, world):
    gathering = world["gathering"]
    iso = gathering.start_date.isoformat()
    logged_in(page, live_server, world["coordinator"])
    violations = {}

    page.goto(live_server.url + gathering.get_absolute_url())
    violations["page"] = serious_violations(page)
    first_day = page.locator(f"form[aria-labelledby='add-title-{iso}']")
    first_day.get_by_label("Début").fill("9h30")
    first_day.get_by_label("Fin").fill("12h")
    first_day.get_by_label("Titre").fill("Plénière : ce que chaque labo a appris")
    first_day.get_by_label("Animé par").fill("La coordination")
    first_day.get_by_role("button", name="Ajouter ce temps").click()

    block = AgendaItem.objects.get(gathering=gathering)
    assert (block.day, block.start_time, block.end_time, block.facilitators) == (
        gathering.start_date, datetime.time(9, 30), datetime.time(12), "La coordination",
    )
    assert page.url == f"{live_server.url}{gathering.get_absolute_url()}#jour-{iso}"
    assert "ajouté au" in page.locator(".messages").text_content()
    assert page.locator(f"#temps-{block.pk} strong").text_content() == "Plénière : ce que chaque labo a appris"

    # An overlapping block is refused with a message on a page of its own, and nothing is added.
    first_day = page.locator(f"form[aria-labelledby='add-title-{iso}']")
    first_day.get_by_label("Début").fill("11h")
    first_day.get_by_label("Fin").fill("12h30")
    first_day.get_by_label("Titre").fill("Café")
    first_day.get_by_role("button", name="Ajouter ce temps").click()
    assert "Ce créneau chevauche « " in page.locator(".form-errors").text_content()
    violations["refused"] = serious_violations(page)
    assert AgendaItem.objects.filter(gathering=gathering).count() == 1
    # Corrected on the same page, it goes in.
    page.get_by_label("Début").fill("14h")
    page.get_by_label("Fin").fill("15h")
    page.get_by_role("button", name="Ajouter ce temps").click()
    assert AgendaItem.objects.filter(gathering=gathering, title="Café").count() == 1

    page.get_by_role("button", name="Annoncer et inviter tous les labos").click()
    gathering.refresh_from_db()
    assert gathering.status == EventStatus.ANNOUNCED
    assert OutgoingMail.objects.filter(key__startswith=f"gathering-{gathering.pk}-announce-").count() == 3
    violations["announced"] = serious_violations(page)
    assert violations == {name: [] for name in violations}


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_ambassador_answers_per_day_from_the_gathering_page(live_server, world, screen, request):
    page = request.getfixturevalue(screen)
    gathering = world["gathering"]
    announce_gathering(gathering=gathering, announced_by=world["coordinator"], base_url=live_server.url)
    camille = world["camille"]
    logged_in(page, live_server, camille.user)
    first, second = gathering.days

    page.goto(live_server.url + gathering.get_absolute_url())
    before = serious_violations(page)
    answer = page.locator("form.answer-form")
    first_legend, second_legend = (answer.locator("legend").nth(index).text_content().strip() for index in (0, 1))
    answer.get_by_role("group", name=first_legend).get_by_label("Présent·e").check()
    answer.get_by_role("group", name=second_legend).get_by_label("Absent·e").check()
    answer.get_by_role("button", name="Enregistrer ma réponse").click()

    responses = dict(
        GatheringAttendance.objects.filter(invitation__ambassador=camille).values_list("day", "response")
    )
    assert responses == {first: GatheringAttendance.Response.YES, second: GatheringAttendance.Response.NO}
    assert "Merci, votre réponse est enregistrée." in page.locator(".messages").text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= (360 if screen == "phone_page" else 10_000)
    assert before == []
    assert serious_violations(page) == []


def test_someone_not_yet_joined_answers_from_the_mail_link(live_server, page, world):
    gathering = world["gathering"]
    announce_gathering(gathering=gathering, announced_by=world["coordinator"], base_url=live_server.url)
    body = OutgoingMail.objects.get(to="sacha.martin@test.transfo.example").body_text
    link = re.search(r"(http://\S+/reponse/\S+/)", body)[1]

    page.goto(link)
    before = serious_violations(page)
    page.locator("legend").nth(1).wait_for()
    second_legend = page.locator("legend").nth(1).text_content().strip()
    page.get_by_role("group", name=second_legend).get_by_label("Pas sûr·e").check()
    page.get_by_role("button", name="Enregistrer ma réponse").click()

    responses = list(
        GatheringAttendance.objects.filter(invitation__ambassador=world["sacha"]).order_by("day").values_list("response", flat=True)
    )
    assert responses == [GatheringAttendance.Response.PENDING, GatheringAttendance.Response.MAYBE]
    assert "Merci, votre réponse est enregistrée." in page.locator(".messages").text_content()
    assert before == []
