"""Places of the Labs and programmes in Wagtail, and a moderation step approved by whoever may
publish (the workflows move to it in 0012)."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
