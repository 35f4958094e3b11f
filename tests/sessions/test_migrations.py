"""The session of a journal entry moves from the entry's column to sessions' EntrySession and back.

Each entry keeps its session (or its lack of one) both ways, on SQLite as on PostgreSQL.
"""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import ProgressEntry
from sessions.models import EntrySession

from ..factories import make_case, make_entry, make_lab, make_session

BEFORE = [("cases", "0005_single_line_fields"), ("lab_sessions", "0004_single_line_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_entries_keep_their_session_both_ways():
    lab = make_lab()
    first, second = make_session(lab), make_session(lab, start_date=lab.start_date + datetime.timedelta(days=60))
    case = make_case(lab)
    tied = [make_entry(case, session=first), make_entry(case, session=second), make_entry(case, session=first)]
    untied = make_entry(case)
    expected = {entry.pk: entry.session_id for entry in [*tied, untied]}

    old = _migrate(BEFORE)
    old_entries = old.get_model("cases", "ProgressEntry").objects.all()
    assert dict(old_entries.values_list("pk", "session_id")) == expected

    _migrate(_latest())
    assert dict(EntrySession.objects.values_list("entry_id", "session_id")) == {
        pk: session for pk, session in expected.items() if session
    }
    assert {entry.pk: entry.session_id for entry in ProgressEntry.objects.select_related("session_link")} == expected
