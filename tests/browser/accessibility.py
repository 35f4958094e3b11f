"""Accessibility checks of a page in the browser, with axe-core (shipped by axe-playwright-python)."""
from axe_playwright_python.sync_playwright import Axe

SERIOUS = {"serious", "critical"}


def serious_violations(page):
    """The serious and critical axe violations of the page, as (rule, targets) pairs: [] when clean."""
    results = Axe().run(page)
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]
