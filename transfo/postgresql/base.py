"""PostgreSQL that waits a few seconds for a restarting server instead of failing the request.

While PostgreSQL restarts (an upgrade, a failover), new connections are refused for a moment.
Without a wait every request in that moment is a 500; with it, only the request whose query was
cut when the server stopped fails, and the others answer a little later. Only "not reachable
now" errors are waited out: a wrong password or database fails at once.
"""
import time

from django.conf import settings
from django.db.backends.postgresql import base

# 57P03 cannot_connect_now (starting up, shutting down); None: refused or cut before any answer.
RETRIED_SQLSTATES = {None, "57P01", "57P03"}


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + getattr(settings, "DATABASE_RESTART_WAIT_SECONDS", 0)
        while True:
            try:
                return super().get_new_connection(conn_params)
            except self.Database.OperationalError as error:
                if getattr(error, "sqlstate", None) not in RETRIED_SQLSTATES or time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)
