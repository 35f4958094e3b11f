"""A Lab's dashboard in a browser: axe finds nothing serious at 1280 px nor on a phone, every
figure's table opens, and it prints on A4 landscape."""
import re

import pytest

from ..dashboards.lab_world import build_lab
from .accessibility import serious_violations
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def open_every_table(page):
    for summary in page.locator("details.chart__data > summary").all():
        summary.click()


def test_the_dashboard_is_accessible_on_a_wide_screen_and_prints_on_a4_landscape(live_server, page):
    lab, resident = build_lab()
    logged_in(page, live_server, resident)
    page.goto(f"{live_server.url}/labs/{lab.slug}/tableau-de-bord/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tableau de bord")
    assert page.get_by_role("img", name="Présences par personne et par jour").count() == 1
    open_every_table(page)
    assert page.locator("table.chart__table").first.is_visible()
    assert serious_violations(page) == []

    page.emulate_media(media="print")
    assert page.locator("details.chart__data").first.is_hidden()  # the charts and their summaries only
    assert page.locator("svg.chart__svg").first.is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    width, height = (float(value) for value in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points


def test_the_dashboard_is_accessible_on_a_phone(live_server, phone_page):
    lab, resident = build_lab()
    logged_in(phone_page, live_server, resident)
    phone_page.goto(f"{live_server.url}/labs/{lab.slug}/tableau-de-bord/")
    open_every_table(phone_page)
    assert serious_violations(phone_page) == []
    # The page itself does not scroll sideways; only the heatmap's frame and the tables do.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
