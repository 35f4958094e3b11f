"""Redis stopped under a load of reads and writes.

Promise: public and private pages and login keep answering (no 5xx); journal entries and
session changes are saved; every mail that was due goes out once Redis is back, none twice.
"""
import threading
import time

from . import scenario
from .client import Browser, Recorder, run_clients
from .stack import wait_for

CLIENTS = 4
PHASES = (("before", 5), ("outage", 10), ("after", 5))


def test_redis_outage_loses_nothing(make_app, database, redis, smtp, seed):
    app = make_app()
    (port,) = app.start()
    site = scenario.Site(seed)
    recorder = Recorder()
    entries = []  # (phase, text, saved as the page said)
    places = []  # places whose change was saved, in order
    logged_in_phase = {}
    browsers = [Browser(port) for _ in range(CLIENTS)]

    def person(number, iteration):
        browser = browsers[number]
        # Everyone logs in again in each phase, so logins happen during the outage too.
        if logged_in_phase.get(number) != recorder.phase:
            logged_in_phase[number] = recorder.phase
            scenario.log_in(browser, site, recorder, number, seed["emails"][number])
        scenario.read_public(browser, site, recorder, number)
        scenario.read_private(browser, site, recorder, number)
        phase = recorder.phase
        text, _response, ok = scenario.write_entry(browser, site, recorder, number)
        if text:
            entries.append((phase, text, ok))
        if number == 0:
            place, _response, ok = scenario.change_session_place(browser, site, recorder, number)
            if ok:
                places.append(place)

    stop = threading.Event()
    threads = run_clients(CLIENTS, person, stop=stop, max_iterations=200)
    for phase, seconds in PHASES:
        recorder.phase = phase
        if phase == "outage":
            redis.stop()
        elif phase == "after":
            # What the outage held back: mail rows no worker could be told about.
            held_back = database.scalar("SELECT count(*) FROM outbox_outgoingmail WHERE status = 'pending'")
            redis.start()
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(60)

    # Mail due during the outage goes out through the periodic sweep once Redis is back.
    expected_mails = len(places) * seed["invited"]
    try:
        wait_for(lambda: scenario.compare_mails(database, smtp)["received"] >= expected_mails
                 and database.scalar("SELECT count(*) FROM outbox_outgoingmail WHERE status = 'pending'") == 0,
                 timeout=60, interval=1, what="every mail sent")
    except TimeoutError:
        pass
    time.sleep(4)  # one more sweep: a mail sent twice would show now
    mails = scenario.compare_mails(database, smtp)
    saved_texts = {text for (text,) in database.rows("SELECT done FROM cases_progressentry")}
    accepted = [text for _phase, text, ok in entries if ok]
    lost_entries = [text for text in accepted if text not in saved_texts]
    final_place = database.scalar("SELECT place_name FROM lab_sessions_session WHERE number = %s", [seed["session"]])
    failures = [record for record in recorder.records if not record.ok]
    server_errors = [record for record in recorder.records if record.status == 0 or record.status >= 500]

    print(f"\n[redis] {CLIENTS} people logged in, read public and private pages, wrote journal entries and "
          f"moved a session, {' / '.join(f'{phase} {seconds}s' for phase, seconds in PHASES)}; Redis stopped "
          f"during 'outage' and started again empty for 'after'.")
    print(recorder.summary())
    print(f"[redis] logins: {len(recorder.select(action='login'))} "
          f"(outage: {len(recorder.select(action='login', phase='outage'))}), "
          f"refused or failed: {sum(not r.ok for r in recorder.select(action='login'))}")
    print(f"[redis] journal entries posted: {len(entries)} (outage: {sum(p == 'outage' for p, *_ in entries)}), "
          f"accepted: {len(accepted)}, missing from the database: {len(lost_entries)}")
    print(f"[redis] session changes saved: {len(places)} "
          f"(outage: {sum(1 for r in recorder.select(action='session post', phase='outage') if r.ok)}); "
          f"place in the database is the last one saved: {final_place == (places[-1] if places else final_place)}")
    print(f"[redis] mails still waiting when Redis came back: {held_back}")
    print(f"[redis] mails: expected {expected_mails}, queued {mails['queued']}, sent {mails['sent']}, "
          f"received by the mail server {mails['received']}, missing {mails['missing']}, twice {mails['twice']}")
    for record in failures[:10]:
        print(f"[redis]   not as expected: {record}")

    assert recorder.select(phase="outage", action="login"), "no login was tried during the outage"
    assert server_errors == [], f"{len(server_errors)} requests got a 5xx or no answer"
    assert failures == [], f"{len(failures)} requests did not do what a person expects"
    assert lost_entries == []
    assert places and final_place == places[-1]
    assert held_back > 0, "no mail was held back by the outage: the fault did not bite"
    assert mails["queued"] == expected_mails
    assert mails["missing"] == 0 and mails["twice"] == 0
    assert mails["sent"] == mails["queued"] == mails["received"]
