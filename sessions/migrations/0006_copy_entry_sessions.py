from django.db import migrations


def _tables(apps, schema_editor):
    quote = schema_editor.quote_name
    entry = apps.get_model("cases", "ProgressEntry")._meta
    link = apps.get_model("lab_sessions", "EntrySession")._meta
    return {
        "entries": quote(entry.db_table),
        "entry_id": quote(entry.pk.column),
        "links": quote(link.db_table),
        "link_entry": quote(link.get_field("entry").column),
        "link_session": quote(link.get_field("session").column),
        "session": quote(entry.get_field("session").column),  # added by cases 0002, dropped by cases 0006
    }


def copy_to_links(apps, schema_editor):
    """One link per entry that named a session: one statement, whatever the journal's size."""
    schema_editor.execute(
        "INSERT INTO {links} ({link_entry}, {link_session}) "
        "SELECT {entry_id}, {session} FROM {entries} WHERE {session} IS NOT NULL".format(**_tables(apps, schema_editor))
    )


def copy_back_to_entries(apps, schema_editor):
    schema_editor.execute(
        "UPDATE {entries} SET {session} = (SELECT {link_session} FROM {links} WHERE {link_entry} = {entries}.{entry_id}) "
        "WHERE {entry_id} IN (SELECT {link_entry} FROM {links})".format(**_tables(apps, schema_editor))
    )


class Migration(migrations.Migration):
    """Copy each entry's session into its link, before cases 0006 drops the entry's column.

    ``run_before`` puts that order here, on the side that stands on the other: cases' own
    migrations name no migration of sessions from now on (only its 0002 of old, which added the
    column, still depends on sessions 0001: the databases that ran it keep that history).
    """

    dependencies = [
        ("lab_sessions", "0005_entry_session"),
    ]
    run_before = [
        ("cases", "0006_entry_session_moves_to_sessions"),
    ]

    operations = [
        migrations.RunPython(copy_to_links, copy_back_to_entries, elidable=False),
    ]
