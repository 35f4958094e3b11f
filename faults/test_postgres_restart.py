"""PostgreSQL restarted under a load of reads and writes.

Promise: at most one failed request per web worker during the restart, none after; no partial
write (an entry is saved with its photo or not at all, a session change with all its mails or
none), and a form sent again after a failure is not saved twice.
"""
import io
import re
import threading
import time
from collections import Counter
from pathlib import Path

from PIL import Image

from . import scenario
from .client import Browser, Recorder, run_clients
from .stack import wait_for

CLIENTS = 4
WEB_WORKERS = 2
BEFORE, AFTER = 4, 6


def small_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_postgres_restart_costs_at_most_one_request_per_worker(make_app, database, cluster, smtp, seed):
    app = make_app()
    (port,) = app.start()
    site = scenario.Site(seed)
    recorder = Recorder()
    photo = [("files", "photo.png", small_photo(), "image/png")]
    posted = []  # (text, saved as the page said)
    changes = []  # (place, response, saved as the page said)
    browsers = [Browser(port) for _ in range(CLIENTS)]
    for number, browser in enumerate(browsers):
        assert scenario.log_in(browser, site, recorder, number, seed["emails"][number])

    def person(number, iteration):
        browser = browsers[number]
        scenario.read_private(browser, site, recorder, number)
        text, _response, ok = scenario.write_entry(browser, site, recorder, number, files=photo, retries=3)
        if text:
            posted.append((text, ok))
        scenario.read_public(browser, site, recorder, number)
        if number == 0:
            changes.append(scenario.change_session_place(browser, site, recorder, number))

    stop = threading.Event()
    threads = run_clients(CLIENTS, person, stop=stop, max_iterations=200)
    time.sleep(BEFORE)
    # Restart while a worker is handing a mail over (the mail server has it, the worker's
    # transaction saying so is still open): the mail must not go out a second time.
    smtp.hold()
    wait_for(lambda: smtp.held >= 1, timeout=20, what="a mail in the middle of being sent")
    recorder.phase = "restart"
    started = time.monotonic()
    cluster.restart()
    restart_seconds = time.monotonic() - started
    smtp.release()
    # Requests already waiting when the server came back still belong to the restart.
    time.sleep(1)
    recorder.phase = "after"
    time.sleep(AFTER)
    stop.set()
    for thread in threads:
        thread.join(60)
    time.sleep(4)  # let the mail sweep run

    failed = [record for record in recorder.records if record.status == 0 or record.status >= 500]
    failed_after = [record for record in failed if record.phase == "after"]
    # Per web worker, from gunicorn's access log (the client cannot tell the workers apart).
    statuses = re.findall(r"access pid=<?(\d+)>? status=(\d+)", app.log("web"))
    errors_per_worker = Counter(pid for pid, status in statuses if status.startswith("5"))
    worker_pids = {pid for pid, _status in statuses}

    entries = database.rows(
        "SELECT e.done, count(DISTINCT a.id), array_agg(a.file) FROM cases_progressentry e "
        "LEFT JOIN cases_attachment a ON a.entry_id = e.id GROUP BY e.id, e.done"
    )
    by_text = Counter(text for text, _count, _files in entries)
    attachments = {text: (count, files) for text, count, files in entries}
    accepted = [text for text, ok in posted if ok]
    lost = [text for text in accepted if text not in by_text]
    doubled = [text for text, _ok in posted if by_text[text] > 1]
    without_photo = [text for text, _ok in posted if text in attachments and attachments[text][0] != 1]
    media = Path(app.media)
    missing_files = [name for _count, files in attachments.values() for name in files if name and not (media / name).exists()]
    stored = {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file() and not path.stem.endswith("-vignette")}
    referenced = {name for _count, files in attachments.values() for name in files if name}
    orphans = stored - referenced

    keys = [key for (key,) in database.rows("SELECT key FROM outbox_outgoingmail WHERE key LIKE 'session-%%-change-%%'")]
    per_change = Counter(key.rsplit("-", 1)[0] for key in keys)
    partial_changes = {change: count for change, count in per_change.items() if count != seed["invited"]}
    saved_changes = sum(1 for _place, _response, ok in changes if ok)
    mails = scenario.compare_mails(database, smtp)

    print(f"\n[postgres] {CLIENTS} logged-in people read pages, posted journal entries with a photo (a failed post "
          f"is sent again, same form, up to 3 times) and moved a session; PostgreSQL restarted (fast mode, "
          f"{restart_seconds:.1f} s) after {BEFORE} s, then {AFTER} s more.")
    print(recorder.summary())
    print(f"[postgres] web workers {len(worker_pids)}, 5xx per worker: {dict(errors_per_worker) or 'none'}; "
          f"failed requests during the restart {len(failed) - len(failed_after)}, after {len(failed_after)}")
    print(f"[postgres] entries posted {len(posted)}, accepted {len(accepted)}, lost {len(lost)}, saved twice "
          f"{len(doubled)}, without their photo {len(without_photo)}, photo rows without file {len(missing_files)}, "
          f"stored photos no entry points to {len(orphans)}")
    print(f"[postgres] a mail was being handed to the mail server when the restart began: {smtp.held >= 1}; "
          f"recorded as sent on a new connection afterwards: {'was sent but not recorded' in app.log('worker')}")
    print(f"[postgres] session changes asked {len(changes)}, saved {saved_changes}, with only part of their mails "
          f"{len(partial_changes)}; mails queued {mails['queued']}, sent {mails['sent']}, received "
          f"{mails['received']}, missing {mails['missing']}, twice {mails['twice']}")
    for record in failed[:10]:
        print(f"[postgres]   failed: {record}")

    assert len(worker_pids) == WEB_WORKERS
    assert all(count <= 1 for count in errors_per_worker.values()), f"5xx per worker: {dict(errors_per_worker)}"
    assert len(failed) - len(failed_after) <= WEB_WORKERS
    assert failed_after == []
    assert lost == [] and doubled == [] and without_photo == [] and missing_files == []
    assert partial_changes == {}
    assert len(per_change) >= saved_changes
    assert mails["missing"] == 0 and mails["twice"] == 0
