"""The exact number of queries a test expects, by database.

PostgreSQL and SQLite may differ by a query or two (savepoints, a lock read first): a test
states both when they differ, so that a count that creeps up fails on either.
"""
from django.db import connection


def exactly(sqlite, postgresql=None):
    """``sqlite`` queries on SQLite, ``postgresql`` (the same when not given) on PostgreSQL."""
    if connection.vendor == "postgresql" and postgresql is not None:
        return postgresql
    return sqlite
