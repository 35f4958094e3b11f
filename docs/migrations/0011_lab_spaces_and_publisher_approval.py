"""Places of the Labs and programmes in Wagtail, and a moderation step approved by whoever may publish.

The group approval step of every workflow becomes a ``PublisherApprovalTask`` with the same name
and groups: the groups keep approving everything, and a programme's coordination now approves
its own Labs' pages (it may publish them) without being a moderator of the whole site. Pages in
moderation stay in moderation, at the new step.
"""

import django.db.models.deletion
from django.db import migrations, models


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
        ('auth', '0012_alter_user_first_name_max_length'),
        ('docs', '0010_single_line_fields'),
        ('programmes', '0002_labmembership_public_consent'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.CreateModel(
            name='LabSpace',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('collection', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='wagtailcore.collection', verbose_name='collection')),
                ('group', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='auth.group', verbose_name='groupe')),
                ('lab', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.lab', verbose_name='labo')),
            ],
            options={
                'verbose_name': "espace d'un labo dans la documentation",
                'verbose_name_plural': 'espaces des labos dans la documentation',
                'ordering': ['lab'],
            },
        ),
        migrations.CreateModel(
            name='ProgrammeSpace',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('collection', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='wagtailcore.collection', verbose_name='collection')),
                ('group', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='auth.group', verbose_name='groupe')),
                ('programme', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.programme', verbose_name='programme')),
            ],
            options={
                'verbose_name': "espace d'un programme dans la documentation",
                'verbose_name_plural': 'espaces des programmes dans la documentation',
                'ordering': ['programme'],
            },
        ),
        migrations.CreateModel(
            name='PublisherApprovalTask',
            fields=[
                ('task_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to='wagtailcore.task')),
                ('groups', models.ManyToManyField(help_text='Pages/snippets at this step in a workflow will be moderated or approved by these groups of users', to='auth.group', verbose_name='groups')),
            ],
            options={
                'verbose_name': 'relecture par qui peut publier',
                'verbose_name_plural': 'relectures par qui peut publier',
            },
            bases=('wagtailcore.task',),
        ),
        migrations.RunPython(use_publisher_approval, use_group_approval),
    ]
