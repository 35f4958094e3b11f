"""Name the moderation workflow and its task in French: residents read the task's name on their
draft's status page (docs.workflow)."""
from django.db import migrations

WAGTAIL_DEFAULT_NAME = "Moderators approval"
WORKFLOW_NAME = "Relecture avant publication"
TASK_NAME = "Relecture par l'équipe éditoriale"


def name_in_french(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WAGTAIL_DEFAULT_NAME).update(name=WORKFLOW_NAME)
    apps.get_model("wagtailcore", "Task").objects.filter(name=WAGTAIL_DEFAULT_NAME).update(name=TASK_NAME)


def name_as_wagtail_did(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).update(name=WAGTAIL_DEFAULT_NAME)
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK_NAME).update(name=WAGTAIL_DEFAULT_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("docs", "0007_close_rich_text_line_breaks"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(name_in_french, name_as_wagtail_did)]
