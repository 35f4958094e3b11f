"""Mon espace in the browser, as each role, on a desktop (1280 px) and a phone (360 px): clean for axe,
no sideways scrolling on the phone, and its answer button leads to the answer form."""
import pytest

from ..espace.world import build_world
from .accessibility import serious_violations
from .login import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLES = ("resident", "host", "coordinator", "ambassador", "relais", "nobody")


def width_fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_every_role_sees_a_clean_page_on_a_desktop_and_a_phone(live_server, page, phone_page):
    world = build_world()
    page.set_viewport_size({"width": 1280, "height": 800})
    found = {}
    for role in ROLES:
        for current, width in ((page, 1280), (phone_page, 360)):
            current.context.clear_cookies()
            logged_in(current, live_server, world["people"][role])
            current.goto(live_server.url + "/espace/")
            found[(role, width)] = (
                current.get_by_role("heading", level=1).text_content().strip(),
                serious_violations(current),
                width_fits(current, width),
            )

    assert found == {key: ("Mon espace", [], True) for key in found}


def test_the_answer_button_leads_to_the_answer_form(live_server, phone_page):
    world = build_world()
    logged_in(phone_page, live_server, world["people"]["ambassador"])
    phone_page.goto(live_server.url + "/espace/")

    phone_page.locator(".espace-event").first.get_by_role("link", name="Répondre").click()

    assert "/sessions/3/reponse/" in phone_page.url
