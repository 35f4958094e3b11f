"""What people do on the platform during a fault, each action judged as a person would judge it.

Every action records one line per HTTP request in the Recorder: a 5xx or no answer is never "as
expected"; a login that lands back on the login page, or a private page that sends a logged-in
person to the login, is not either.
"""
import secrets
import time
from collections import Counter

from .client import Browser, Recorder, form_with


class Site:
    """The seeded Lab's addresses."""

    def __init__(self, seed: dict):
        self.seed = seed
        lab = seed["lab"]
        self.home = "/"
        self.public_case = f"/labs/{lab}/cas/{seed['public_case']}/"
        self.case = f"/labs/{lab}/cas/{seed['case']}/"
        self.new_entry = f"/labs/{lab}/cas/{seed['case']}/journal/nouveau/"
        self.session = f"/labs/{lab}/sessions/{seed['session']}/"
        self.edit_session = f"/labs/{lab}/sessions/{seed['session']}/modifier/"


def answered(response) -> bool:
    return 0 < response.status < 500


def read_public(browser: Browser, site: Site, recorder: Recorder, client: int) -> bool:
    results = []
    for action, path in (("public home", site.home), ("public case", site.public_case)):
        response = browser.get(path)
        ok = response.status == 200
        recorder.add(client, action, response, ok=ok)
        results.append(ok)
    return all(results)


def read_private(browser: Browser, site: Site, recorder: Recorder, client: int) -> bool:
    response = browser.get(site.case)
    # A redirect to the login would mean the session was lost.
    ok = response.status == 200
    recorder.add(client, "private case", response, ok=ok, note="" if ok else f"got {response.status} {response.location}")
    return ok


def log_in(browser: Browser, site: Site, recorder: Recorder, client: int, email: str) -> bool:
    browser.cookies.clear()
    response = browser.login(email, site.seed["password"])
    ok = response.status == 302 and "/accounts/login" not in response.location
    recorder.add(client, "login", response, ok=ok, note="" if ok else f"got {response.status} {response.location}")
    return ok


def write_entry(browser: Browser, site: Site, recorder: Recorder, client: int, *, files=None, retries=0):
    """Post a journal entry with a text of its own; returns (text, response of the last post, saved).

    With ``retries``, a post that got no answer or a 5xx is sent again as it was (same form, same
    token), as a person would press the button again.
    """
    page = browser.get(site.new_entry)
    form = form_with(page.body, "done") if page.status == 200 else None
    recorder.add(client, "entry form", page, ok=form is not None)
    if form is None:
        return None, page, False
    text = f"Entrée {secrets.token_hex(6)} écrite pendant la panne."
    for attempt in range(retries + 1):
        response = browser.submit(site.new_entry, form, {"done": text}, files=files)
        ok = response.status == 302 and site.case in response.location
        action = "entry post" if attempt == 0 else "entry post again"
        recorder.add(client, action, response, ok=ok, note="" if ok else f"got {response.status} {response.location}")
        if answered(response):
            break
        time.sleep(0.5)
    return text, response, ok


def change_session_place(browser: Browser, site: Site, recorder: Recorder, client: int):
    """Move the announced session to a new place (which mails every invited person).

    Returns (the place asked for, the response, whether the page said it was saved).
    """
    page = browser.get(site.edit_session)
    form = form_with(page.body, "place_name") if page.status == 200 else None
    recorder.add(client, "session form", page, ok=form is not None)
    if form is None:
        return None, page, False
    place = f"Salle {secrets.token_hex(4)}"
    response = browser.submit(site.edit_session, form, {"place_name": place, "place_source": "other"})
    ok = response.status == 302 and site.session in response.location
    recorder.add(client, "session post", response, ok=ok, note="" if ok else f"got {response.status} {response.location}")
    return place, response, ok


def compare_mails(database, smtp) -> dict:
    """Queued mails against those the mail server received: counts, and what differs."""
    rows = database.mails()
    queued = Counter((to, " ".join(subject.split())) for to, subject, _status in rows)
    received = Counter(smtp.received())
    return {
        "queued": sum(queued.values()),
        "sent": sum(1 for *_rest, status in rows if status == "sent"),
        "received": sum(received.values()),
        # Received more often than queued: sent twice (or sent without being queued).
        "twice": sum((received - queued).values()),
        "missing": sum((queued - received).values()),
    }
