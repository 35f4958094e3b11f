"""The group approval step of every workflow becomes a ``PublisherApprovalTask`` (made by 0011) with
the same name and groups: the groups keep approving everything, and a programme's coordination
now approves its own Labs' pages (it may publish them) without being a moderator of the whole
site. Pages in moderation stay in moderation, at the new step.

Apart from 0011 so that each runs in its own transaction: on PostgreSQL, dropping the table in
the same transaction as the rows just moved out of it fails ("pending trigger events").
"""
from django.db import migrations


def use_publisher_approval(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    PublisherApprovalTask = apps.get_model("docs.PublisherApprovalTask")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    TaskState = apps.get_model("wagtailcore.TaskState")
    content_type, _created = ContentType.objects.get_or_create(app_label="docs", model="publisherapprovaltask")
    for old in GroupApprovalTask.objects.filter(active=True, workflow_tasks__isnull=False).distinct():
        new = PublisherApprovalTask.objects.create(name=old.name, content_type=content_type, active=True)
        new.groups.set(old.groups.all())
        WorkflowTask.objects.filter(task_id=old.pk).update(task_id=new.pk)
        TaskState.objects.filter(task_id=old.pk, status="in_progress").update(task_id=new.pk)
        old.active = False
        old.name = f"{old.name} (ancienne étape)"[:255]
        old.save(update_fields=["active", "name"])


def use_group_approval(apps, schema_editor):
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    PublisherApprovalTask = apps.get_model("docs.PublisherApprovalTask")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    TaskState = apps.get_model("wagtailcore.TaskState")
    for new in PublisherApprovalTask.objects.all():
        old = GroupApprovalTask.objects.filter(active=False, name=f"{new.name} (ancienne étape)"[:255]).first()
        if old is None:
            continue
        WorkflowTask.objects.filter(task_id=new.pk).update(task_id=old.pk)
        TaskState.objects.filter(task_id=new.pk).update(task_id=old.pk)
        old.active, old.name = True, new.name
        old.save(update_fields=["active", "name"])
        new.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("docs", "0011_lab_spaces_and_publisher_approval"),
    ]

    operations = [
        migrations.RunPython(use_publisher_approval, use_group_approval),
    ]
