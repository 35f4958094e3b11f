"""Two web processes and two workers on one database and one Redis.

Promise: a change made through one web process is seen at once through the other; nothing
depends on process memory (sessions, messages, login lockouts, mails).
"""
import time

from . import scenario
from .client import Browser, Recorder, form_with
from .stack import wait_for

ROUNDS = 6
AXES_FAILURE_LIMIT = 10


def through(browser: Browser, port: int) -> Browser:
    """The same person (same cookies, same address) reaching another web process."""
    other = Browser(port)
    other.cookies = browser.cookies
    other.address = browser.address
    return other


def test_two_web_processes_share_everything(make_app, database, smtp, seed):
    app = make_app()
    ports = app.start(webs=("web1", "web2"), workers=("worker1", "worker2"))
    site = scenario.Site(seed)
    recorder = Recorder()
    person = Browser(ports[0])
    assert scenario.log_in(person, site, recorder, 0, seed["emails"][0])
    on = [person, through(person, ports[1])]

    seen, not_seen, flashes = 0, [], 0
    for round_number in range(ROUNDS):
        writer, reader = on[round_number % 2], on[(round_number + 1) % 2]
        text, response, ok = scenario.write_entry(writer, site, recorder, 0)
        assert ok
        # The message set by one process is shown by the other, on the page the redirect leads to.
        landing = reader.get(response.location)
        flashes += "Entrée ajoutée au journal de bord" in landing.body
        page = reader.get(site.case)
        place, _changed, ok = scenario.change_session_place(writer, site, recorder, 0)
        assert ok
        session_page = reader.get(site.session)
        for what, found in (("entry", text in page.body), ("place", place in session_page.body)):
            if found:
                seen += 1
            else:
                not_seen.append((round_number, what))

    # Lockout counted across processes: failures alternate between them, the limit still holds.
    intruder = Browser(ports[0])
    statuses = []
    for attempt in range(AXES_FAILURE_LIMIT + 1):
        door = intruder if attempt % 2 == 0 else through(intruder, ports[1])
        statuses.append(door.login(seed["emails"][3], "pas-le-bon-mot-de-passe").status)
    # Logging out through one process ends the session for the other.
    logout_page = on[1].get("/accounts/logout/")
    form = form_with(logout_page.body, "csrfmiddlewaretoken")
    logged_out = on[1].submit("/accounts/logout/", form).status == 302
    after_logout = on[0].get(site.case)

    expected = ROUNDS * seed["invited"]
    wait_for(lambda: len(smtp.received()) >= expected, timeout=30, interval=0.5, what="the mails")
    time.sleep(4)  # one more sweep: a mail sent twice would show now
    mails = scenario.compare_mails(database, smtp)
    handled = {name: app.log(name).count("Task outbox.send_mail[") // 2 for name in ("worker1", "worker2")}

    print(f"\n[two] gunicorn on ports {ports[0]} and {ports[1]}, two Celery workers and beat, one database and "
          f"one Redis; one person, one cookie, alternating processes for {ROUNDS} rounds: write a journal entry "
          f"and move the session through one, read through the other.")
    print(f"[two] changes seen at once through the other process: {seen} of {2 * ROUNDS}; not seen: {not_seen or 'none'}; "
          f"success message shown by the other process: {flashes} of {ROUNDS}")
    print(f"[two] {AXES_FAILURE_LIMIT + 1} wrong passwords alternating between processes: statuses {statuses}")
    print(f"[two] logged out through one process: {logged_out}; the other then answers {after_logout.status} "
          f"→ {after_logout.location or '-'}")
    print(f"[two] mails: queued {mails['queued']}, sent {mails['sent']}, received {mails['received']}, missing "
          f"{mails['missing']}, twice {mails['twice']}; tasks per worker {handled}")

    assert not_seen == [] and seen == 2 * ROUNDS
    assert flashes == ROUNDS
    assert statuses[:AXES_FAILURE_LIMIT - 1] == [200] * (AXES_FAILURE_LIMIT - 1) and statuses[-1] == 429
    assert logged_out and after_logout.status == 302 and "/accounts/login/" in after_logout.location
    assert mails["queued"] == expected and mails["missing"] == 0 and mails["twice"] == 0
