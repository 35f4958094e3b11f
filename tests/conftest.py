"""Fixtures shared by the whole suite: real services, the browser, and the no-skip rule of CI."""
import os
import shutil

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def uses_postgresql():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    # Someone running plain `pytest` without the services gets a reason, not a failure.
    if uses_postgresql() and settings.REDIS_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (make test does)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    # CI provides every service and chromium: there, a skipped test is a failure.
    if not os.environ.get("TRANSFO_FORBID_SKIPS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"TRANSFO_FORBID_SKIPS: {len(skipped)} test(s) skipped, which CI does not allow.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache: one test's logins must not throttle the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django must still let the
    # live server's ORM calls through.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections

    # Once that loop runs, Django hands this thread new connection objects (they are kept per
    # context): they must still carry the database's saved contents, or a test with
    # serialized_rollback after a flushing test would start without the site's pages.
    saved = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        for alias, contents in saved.items():
            if contents is not None and getattr(connections[alias], "_test_serialized_contents", None) is None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def record_csp_violations(page):
    """Collect, in ``page.csp_violations``, what the Content-Security-Policy refused on the page.

    Chromium reports each refusal on the console ("Refused to execute inline script because it
    violates the following Content Security Policy directive…"): a page that needs what the policy
    forbids is broken for its users, so every browser test fails on one (see csp_free_page).
    """
    page.csp_violations = []
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    return page


@pytest.fixture
def csp_free_page():
    """Wraps a browser test's page: after the test, the policy must have refused nothing."""
    pages = []

    def watch(page):
        pages.append(record_csp_violations(page))
        return page

    yield watch
    refused = [text for page in pages for text in page.csp_violations]
    assert refused == [], "The Content-Security-Policy refused something the page needs:\n" + "\n".join(refused)


@pytest.fixture
def page(browser, csp_free_page):
    context = browser.new_context(locale="fr-FR")
    page = csp_free_page(context.new_page())
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, csp_free_page):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = csp_free_page(context.new_page())
    yield page
    context.close()
