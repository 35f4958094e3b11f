"""A web worker freezes its long-lived objects a few times, after the response was sent."""
import gc

import pytest

from common import worker_gc
from common.worker_gc import FreezeLongLivedObjects


class Body(list):
    closed = False

    def close(self):
        self.closed = True


def serve(application, times):
    bodies = []
    for _ in range(times):
        body = application({}, lambda status, headers: None)
        assert list(body) == [b"ok"]
        body.close()
        bodies.append(body)
    return bodies


@pytest.fixture
def freezes(monkeypatch):
    done = []
    monkeypatch.setattr(worker_gc, "freeze_long_lived", lambda: done.append(True))
    return done


def test_freezes_after_the_first_requests_then_further_and_further_apart(freezes):
    application = FreezeLongLivedObjects(lambda environ, start_response: Body([b"ok"]), first=2, factor=10, last=200)

    serve(application, 1)
    assert freezes == []
    serve(application, 1)
    assert len(freezes) == 1
    serve(application, 17)
    assert len(freezes) == 1
    serve(application, 1)
    assert len(freezes) == 2
    serve(application, 1000)
    assert len(freezes) == 3


def test_the_response_is_closed_before_the_freeze(freezes):
    bodies = []

    def app(environ, start_response):
        bodies.append(Body([b"ok"]))
        return bodies[-1]

    serve(FreezeLongLivedObjects(app, first=1), 1)

    assert bodies[0].closed and freezes == [True]


def test_a_freeze_leaves_later_garbage_to_the_collector():
    try:
        worker_gc.freeze_long_lived()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
