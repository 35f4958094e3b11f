"""Run a test with Celery configured otherwise (another broker, not eager), then put it back."""
import contextlib

import kombu.pools

from transfo.celery import app as celery_app


def _forget_connections():
    # The app and kombu's registries keep pools for the broker first used: start afresh.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_configured(**changes):
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    _forget_connections()
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        _forget_connections()
