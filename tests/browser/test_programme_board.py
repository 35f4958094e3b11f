"""Journey 6, the programme's board in a browser: a resident reads every Lab side by side, sorts
by a column without JavaScript, on a desktop and a phone (axe: nothing serious), and prints it on
A4 landscape."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Stage
from sessions.models import EventStatus

from ..factories import make_case, make_entry, make_lab, make_programme, make_resident, make_session
from .accessibility import serious_violations
from .test_gathering_journey import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
CITIES = ["Mulhouse", "Paris", "Dunkerque", "Occitanie", "Lille", "Strasbourg", "Metz"]


@pytest.fixture
def board():
    programme = make_programme(name="La Transfo", slug="la-transfo", start_date=TODAY - 900 * DAY, end_date=TODAY + 900 * DAY)
    labs = []
    for index, city in enumerate(CITIES):
        lab = make_lab(programme=programme, name=f"La Transfo de {city}", start_date=TODAY - (100 + 40 * index) * DAY,
                       end_date=TODAY + 400 * DAY)
        for number in range(index + 1):
            start = lab.start_date + (5 + 30 * number) * DAY
            make_session(lab, start_date=start, end_date=start, status=EventStatus.HELD if number % 3 else EventStatus.ANNOUNCED)
        make_entry(make_case(lab, stage=list(Stage)[index % 6]))
        labs.append(lab)
    resident = make_resident(labs[0]).user
    return {"url": reverse("programme_board:board", kwargs={"programme_slug": programme.slug}), "resident": resident}


def test_a_resident_reads_and_sorts_the_board_on_a_desktop_and_a_phone(live_server, page, phone_page, board):
    for screen in (page, phone_page):
        logged_in(screen, live_server, board["resident"])
        screen.goto(live_server.url + board["url"])
        assert screen.locator("tbody tr").count() == len(CITIES)
        assert serious_violations(screen) == []

    page.get_by_role("link", name="Sessions tenues / prévues").click()
    first = page.locator("tbody tr th").first.inner_text()
    assert first == "La Transfo de Metz"  # the most sessions held, largest first
    assert page.locator('th[aria-sort="descending"]').count() == 1
    assert serious_violations(page) == []


def test_the_board_prints_on_a_landscape_a4(live_server, page, board):
    logged_in(page, live_server, board["resident"])
    page.goto(live_server.url + board["url"])
    # The printable width of an A4 landscape sheet with its 10 mm margins, in CSS pixels.
    page.set_viewport_size({"width": round((297 - 20) / 25.4 * 96), "height": 700})
    page.emulate_media(media="print")

    widths = page.evaluate(
        "() => { const wrap = document.querySelector('.board .table-wrap');"
        " return [wrap.scrollWidth, wrap.clientWidth, document.documentElement.scrollWidth, window.innerWidth]; }"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".board__actions").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    # A4 landscape: 842 × 595 points.
    boxes = {(round(float(width)), round(float(height))) for width, height in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert boxes == {(842, 595)}
