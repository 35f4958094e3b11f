"""Give a slug to the tags whose name slugified to nothing (only punctuation or emoji), as new ones
get (common.tags): their page and their filter then work."""
import hashlib

from django.db import migrations


def fill_empty_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.filter(slug=""):
        tag.slug = "mot-cle-" + hashlib.sha256(tag.name.encode("utf-8")).hexdigest()[:10]
        tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("docs", "0008_french_moderation_workflow"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(fill_empty_slugs, migrations.RunPython.noop)]
