"""A mail server that accepts connections and never answers.

Promise: requests that send mail still answer in under 2 s; the mails go out once the server
answers, each once.
"""
import threading
import time

from . import scenario
from .client import Browser, Recorder, form_with, run_clients
from .stack import wait_for

EMAIL_TIMEOUT = 3
HANG_SECONDS = 8
CHANGES = 3
RESETS = 2
LIMIT = 2.0


def ask_password_reset(browser, recorder, email):
    page = browser.get("/accounts/password/reset/")
    form = form_with(page.body, "email") if page.status == 200 else None
    recorder.add(0, "reset form", page, ok=form is not None)
    if form is None:
        return
    response = browser.submit("/accounts/password/reset/", form, {"email": email})
    recorder.add(0, "reset post", response, ok=response.status == 302, note=f"got {response.status}")


def test_hanging_mail_server_delays_mail_not_requests(make_app, database, smtp, seed):
    smtp.hang()
    app = make_app(EMAIL_TIMEOUT=str(EMAIL_TIMEOUT))
    (port,) = app.start()
    site = scenario.Site(seed)
    recorder = Recorder(phase="hang")
    coordinator = Browser(port)
    assert scenario.log_in(coordinator, site, recorder, 0, seed["emails"][0])

    # Someone else reads pages meanwhile.
    reader = Browser(port)
    assert scenario.log_in(reader, site, recorder, 1, seed["emails"][1])
    stop = threading.Event()
    threads = run_clients(
        1, lambda number, iteration: (scenario.read_public(reader, site, recorder, 1),
                                      scenario.read_private(reader, site, recorder, 1)),
        stop=stop, max_iterations=300,
    )

    started = time.monotonic()
    saved = 0
    for _ in range(CHANGES):
        _place, _response, ok = scenario.change_session_place(coordinator, site, recorder, 0)
        saved += ok
    for email in seed["emails"][2:2 + RESETS]:
        ask_password_reset(Browser(port), recorder, email)
    # The worker is stuck talking to the silent server while we wait.
    time.sleep(max(0.0, HANG_SECONDS - (time.monotonic() - started)))
    stuck = smtp.waiting
    pending_during_hang = database.scalar("SELECT count(*) FROM outbox_outgoingmail WHERE status = 'pending'")
    failed_attempts = database.scalar("SELECT count(*) FROM outbox_outgoingmail WHERE attempts > 0 AND status = 'pending'")
    received_during_hang = len(smtp.received())

    recorder.phase = "answering"
    smtp.answer()
    expected = saved * seed["invited"] + RESETS
    # Attempts that timed out wait for their retry (a minute or more): move their clock forward
    # rather than the test's, the sweep then sends them.
    wait_for(lambda: database.scalar("SELECT count(*) FROM outbox_outgoingmail WHERE status = 'pending' "
                                     "AND attempts = 0") == 0, timeout=30, interval=0.5, what="first attempts")
    retried = database.scalar("SELECT count(*) FROM outbox_outgoingmail WHERE status = 'pending'")
    database.rows("UPDATE outbox_outgoingmail SET next_attempt_at = now() WHERE status = 'pending' RETURNING id")
    try:
        wait_for(lambda: len(smtp.received()) >= expected and database.scalar(
            "SELECT count(*) FROM outbox_outgoingmail WHERE status = 'pending'") == 0,
            timeout=30, interval=0.5, what="every mail sent")
    except TimeoutError:
        pass
    time.sleep(4)  # one more sweep: a mail sent twice would show now
    stop.set()
    for thread in threads:
        thread.join(30)
    mails = scenario.compare_mails(database, smtp)
    slow = [record for record in recorder.records if record.elapsed >= LIMIT or record.status == 0 or record.status >= 500]
    writes = [record for record in recorder.records if record.action in ("session post", "reset post")]

    print(f"\n[mail] the mail server accepted connections and said nothing for {HANG_SECONDS} s (mail timeout "
          f"{EMAIL_TIMEOUT} s); meanwhile {saved} session changes ({seed['invited']} invited each) and {RESETS} "
          f"password resets were asked, and someone read pages.")
    print(recorder.summary())
    print(f"[mail] slowest request {max(r.elapsed for r in recorder.records):.2f} s, slowest mail-sending "
          f"request {max(r.elapsed for r in writes):.2f} s; requests over {LIMIT} s, 5xx or unanswered: {len(slow)}")
    print(f"[mail] during the hang: connections held by the silent server {stuck}, mails pending "
          f"{pending_during_hang}, of which already failed once {failed_attempts}, received {received_during_hang}")
    print(f"[mail] once it answered: {retried} mails waited for their retry (clock moved forward); expected "
          f"{expected}, queued {mails['queued']}, sent {mails['sent']}, received {mails['received']}, missing "
          f"{mails['missing']}, twice {mails['twice']}")
    for record in slow[:10]:
        print(f"[mail]   too slow or failed: {record}")

    assert saved == CHANGES
    assert stuck >= 1 and received_during_hang == 0, "the silent server did not hold the worker"
    assert slow == []
    assert all(record.ok for record in recorder.records)
    assert mails["queued"] == expected
    assert mails["missing"] == 0 and mails["twice"] == 0 and mails["sent"] == expected
