from django.db import migrations


class Migration(migrations.Migration):
    """The session of a journal entry is now sessions' EntrySession (sessions stands on cases).

    sessions copies the column into its rows first: its 0006 runs before this one (``run_before``),
    so this app's migrations need not name sessions.
    """

    dependencies = [
        ("cases", "0005_single_line_fields"),
    ]

    operations = [
        migrations.RemoveField(model_name="progressentry", name="session"),
    ]
