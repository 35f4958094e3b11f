import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The session a journal entry was written in becomes a row of sessions' (EntrySession).

    It was a column of the entry's table (cases.ProgressEntry.session), a relation from cases up to
    sessions; sessions stands on cases now. The rows are copied in 0006 and the column goes in
    cases 0006, each step in a transaction of its own (PostgreSQL refuses to alter a table that
    has rows changed earlier in the same transaction).
    """

    dependencies = [
        ("cases", "0005_single_line_fields"),
        ("lab_sessions", "0004_single_line_fields"),
    ]

    operations = [
        migrations.CreateModel(
            name="EntrySession",
            fields=[
                ("entry", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="session_link", serialize=False, to="cases.progressentry", verbose_name="entrée")),
                ("session", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="entry_links", to="lab_sessions.session", verbose_name="session")),
            ],
            options={
                "verbose_name": "session d'une entrée du journal",
                "verbose_name_plural": "sessions des entrées du journal",
            },
        ),
    ]
