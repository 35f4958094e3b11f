"""A Celery worker killed in the middle of a task.

Promise: the task runs again and its effect (here: a mail) happens once. No beat runs in these
tests, so the periodic sweep cannot hide a lost task: only the broker's redelivery can send it.
"""
import os
import re
import signal
import time

from . import scenario
from .client import Browser, Recorder
from .stack import wait_for
from .test_mail_server_hangs import ask_password_reset

VISIBILITY_TIMEOUT = 6
RECEIVED = re.compile(r"Task outbox\.send_mail\[([0-9a-f-]+)\] received")


def queue_one_mail(port, email):
    recorder = Recorder()
    ask_password_reset(Browser(port), recorder, email)
    assert all(record.ok for record in recorder.records), recorder.records


def deliveries(app, *names):
    """How many times each send_mail task was handed to a worker, from the workers' logs."""
    seen = {}
    for name in names:
        for task_id in RECEIVED.findall(app.log(name)):
            seen[task_id] = seen.get(task_id, 0) + 1
    return seen


def test_killed_pool_process_task_runs_again_once(make_app, database, smtp, seed):
    smtp.hang()
    app = make_app(EMAIL_TIMEOUT="60")
    (port,) = app.start(beat=False)
    queue_one_mail(port, seed["emails"][0])
    wait_for(lambda: smtp.waiting >= 1, timeout=20, what="the worker to be talking to the mail server")
    (child,) = app.worker_pool_pids()
    os.kill(child, signal.SIGKILL)
    time.sleep(1)
    smtp.answer()
    wait_for(lambda: len(smtp.received()) >= 1, timeout=30, interval=0.5, what="the mail")
    time.sleep(2)
    mails = scenario.compare_mails(database, smtp)
    runs = deliveries(app, "worker")
    attempts = database.scalar("SELECT attempts FROM outbox_outgoingmail")

    print(f"\n[worker] a mail task was running (its worker waiting on the mail server) when its pool process "
          f"was killed with SIGKILL; the mail server then answered. No beat: only a redelivery can send it.")
    print(f"[worker] deliveries of the task to a worker: {list(runs.values())}; lost-worker line in the log: "
          f"{'WorkerLostError' in app.log('worker')}; attempts recorded {attempts}")
    print(f"[worker] mails queued {mails['queued']}, sent {mails['sent']}, received {mails['received']}, "
          f"twice {mails['twice']}")

    assert list(runs.values()) == [2], "the task did not run again"
    assert mails["queued"] == mails["sent"] == mails["received"] == 1 and mails["twice"] == 0


def test_killed_worker_task_is_redelivered_to_another_once(make_app, database, smtp, seed):
    smtp.hang()
    app = make_app(EMAIL_TIMEOUT="60", FAULTS_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    (port,) = app.start(beat=False)
    queue_one_mail(port, seed["emails"][0])
    wait_for(lambda: smtp.waiting >= 1, timeout=20, what="the worker to be talking to the mail server")
    killed_at = time.monotonic()
    app.stop("worker", sig=signal.SIGKILL)
    time.sleep(1)
    smtp.answer()
    app.spawn_worker("worker2")
    app.wait_ready("worker2")
    wait_for(lambda: len(smtp.received()) >= 1, timeout=60, interval=0.5, what="the mail")
    redelivered_after = time.monotonic() - killed_at
    time.sleep(2)
    mails = scenario.compare_mails(database, smtp)
    first, second = deliveries(app, "worker"), deliveries(app, "worker2")

    print(f"\n[worker] a mail task was running when its whole worker (main and pool process) was killed with "
          f"SIGKILL; another worker was started and the mail server answered. Visibility timeout "
          f"{VISIBILITY_TIMEOUT} s (production: hours; the outbox sweep sends the mail meanwhile).")
    print(f"[worker] the killed worker took the task {sum(first.values())} time(s), the new one "
          f"{sum(second.values())} time(s), same task: {set(first) == set(second)}; mail out "
          f"{redelivered_after:.0f} s after the kill")
    print(f"[worker] mails queued {mails['queued']}, sent {mails['sent']}, received {mails['received']}, "
          f"twice {mails['twice']}")

    assert first and set(first) == set(second), "the task was not redelivered to the new worker"
    assert mails["queued"] == mails["sent"] == mails["received"] == 1 and mails["twice"] == 0
