"""Move what articles and the FAQ share into one DocumentationPage table, keeping their content.

Articles and the FAQ were direct children of Wagtail's Page, each with its own licence, authors
and (for articles) Lab, date, summary and tags. They become children of DocumentationPage, which
every kind of documentation page now shares: one table to list and filter them all.
"""
import django.db.models.deletion
import django.utils.timezone
import modelcluster.contrib.taggit
import modelcluster.fields
from django.db import migrations, models
from django.db.migrations.operations.base import Operation

import docs.models


class ReparentPageModel(Operation):
    """Make an existing page model a child of another page model, keeping its rows and their ids.

    The parent link column keeps its values (the page ids); only its foreign key now points at the
    new parent's table, whose rows have the same ids. Django has no operation that changes a model's
    bases, hence this one.
    """

    reversible = True

    def __init__(self, model_name, link_name, new_parent):
        self.model_name = model_name
        self.link_name = link_name
        self.new_parent = new_parent

    def deconstruct(self):
        return self.__class__.__name__, [], {
            "model_name": self.model_name, "link_name": self.link_name, "new_parent": self.new_parent,
        }

    def _new_link(self):
        return models.OneToOneField(
            auto_created=True,
            on_delete=django.db.models.deletion.CASCADE,
            parent_link=True,
            primary_key=True,
            serialize=False,
            to=self.new_parent,
        )

    def state_forwards(self, app_label, state):
        model_state = state.models[app_label, self.model_name]
        model_state.bases = (self.new_parent,)
        model_state.fields[self.link_name] = self._new_link()
        state.reload_model(app_label, self.model_name, delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        from_model = from_state.apps.get_model(app_label, self.model_name)
        to_model = to_state.apps.get_model(app_label, self.model_name)
        # The new model is passed: on SQLite the table is rebuilt from its bases, and only the new
        # bases know that the link is the parent link (the old ones would add a second one).
        schema_editor.alter_field(
            to_model, from_model._meta.get_field(self.link_name), to_model._meta.get_field(self.link_name)
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # Backwards, the model after this operation is the old one (a child of Page).
        new_model = from_state.apps.get_model(app_label, self.model_name)
        old_model = to_state.apps.get_model(app_label, self.model_name)
        schema_editor.alter_field(
            old_model, new_model._meta.get_field(self.link_name), old_model._meta.get_field(self.link_name)
        )

    def describe(self):
        return f"Make {self.model_name} a child of {self.new_parent}"


def copy_shared_fields(apps, schema_editor):
    DocumentationPage = apps.get_model("docs", "DocumentationPage")
    DocumentationPageTag = apps.get_model("docs", "DocumentationPageTag")
    ArticlePage = apps.get_model("docs", "ArticlePage")
    ArticleTag = apps.get_model("docs", "ArticleTag")
    FaqPage = apps.get_model("docs", "FaqPage")

    for article in ArticlePage.objects.all():
        # raw: write the DocumentationPage row alone, the Page row already exists.
        DocumentationPage(
            page_ptr_id=article.page_ptr_id, licence=article.licence, authors=article.authors,
            lab_id=article.lab_id, date=article.date, intro=article.intro,
        ).save_base(raw=True)
    for faq in FaqPage.objects.all():
        published = faq.first_published_at or faq.latest_revision_created_at
        DocumentationPage(
            page_ptr_id=faq.page_ptr_id, licence=faq.licence, authors=faq.authors,
            date=published.date() if published else django.utils.timezone.localdate(),
        ).save_base(raw=True)
    DocumentationPageTag.objects.bulk_create(
        DocumentationPageTag(content_object_id=tagged.content_object_id, tag_id=tagged.tag_id)
        for tagged in ArticleTag.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("docs", "0002_create_site_pages"),
        ("programmes", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentationPage",
            fields=[
                ("page_ptr", models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to="wagtailcore.page")),
                ("licence", models.CharField(choices=[("CC-BY-SA-4.0", "CC BY-SA 4.0"), ("CC-BY-4.0", "CC BY 4.0"), ("CC0-1.0", "CC0 1.0"), ("etalab-2.0", "Licence Ouverte 2.0")], default=docs.models.default_licence, max_length=20, verbose_name="licence")),
                ("authors", models.CharField(blank=True, help_text="Nommer une personne seulement avec son accord ; sinon un prénom, un rôle ou une équipe.", max_length=300, verbose_name="auteur·rices")),
                ("date", models.DateField(default=django.utils.timezone.localdate, verbose_name="date")),
                ("intro", models.TextField(blank=True, help_text="Le résumé montré dans les listes et les partages.", max_length=500, verbose_name="chapô")),
                ("cover_image", models.ForeignKey(blank=True, help_text="Montrée quand la page est partagée ; sans visage reconnaissable sans accord.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="wagtailimages.image", verbose_name="image de partage")),
                ("lab", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="programmes.lab", verbose_name="labo")),
            ],
            options={
                "verbose_name": "page de documentation",
                "verbose_name_plural": "pages de documentation",
                "ordering": ["-date", "-first_published_at"],
            },
            bases=("wagtailcore.page",),
        ),
        migrations.CreateModel(
            name="DocumentationPageTag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("content_object", modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name="tagged_items", to="docs.documentationpage")),
                ("tag", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="%(app_label)s_%(class)s_items", to="taggit.tag")),
            ],
            options={
                "verbose_name": "mot-clé d'une page",
                "verbose_name_plural": "mots-clés des pages",
                "ordering": ["tag__name"],
            },
        ),
        migrations.AddField(
            model_name="documentationpage",
            name="tags",
            field=modelcluster.contrib.taggit.ClusterTaggableManager(blank=True, help_text="A comma-separated list of tags.", through="docs.DocumentationPageTag", to="taggit.Tag", verbose_name="mots-clés"),
        ),
        migrations.RunPython(copy_shared_fields, migrations.RunPython.noop),
        migrations.RemoveField(model_name="articlepage", name="tags"),
        migrations.DeleteModel(name="ArticleTag"),
        migrations.RemoveField(model_name="articlepage", name="licence"),
        migrations.RemoveField(model_name="articlepage", name="authors"),
        migrations.RemoveField(model_name="articlepage", name="lab"),
        migrations.RemoveField(model_name="articlepage", name="date"),
        migrations.RemoveField(model_name="articlepage", name="intro"),
        migrations.RemoveField(model_name="faqpage", name="licence"),
        migrations.RemoveField(model_name="faqpage", name="authors"),
        migrations.RenameField(model_name="faqpage", old_name="intro", new_name="preamble"),
        migrations.RenameField(model_name="articlepage", old_name="page_ptr", new_name="documentationpage_ptr"),
        ReparentPageModel("articlepage", "documentationpage_ptr", "docs.documentationpage"),
        migrations.RenameField(model_name="faqpage", old_name="page_ptr", new_name="documentationpage_ptr"),
        ReparentPageModel("faqpage", "documentationpage_ptr", "docs.documentationpage"),
    ]
