"""Give the site its list of Labs (« les Transfos »), parent of one public page per Lab."""
from django.db import migrations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEP = 4


def _next_child_path(Page, parent):
    """The tree path Wagtail (treebeard) would give a new last child of ``parent``."""
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").values_list("path", flat=True).first()
    )
    if last is None:
        return parent.path + "0001"
    number = 0
    for char in last[-STEP:]:
        number = number * len(ALPHABET) + ALPHABET.index(char)
    number += 1
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return parent.path + digits.rjust(STEP, "0")


def create_lab_index(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("docs.HomePage")
    LabIndexPage = apps.get_model("docs.LabIndexPage")

    home = HomePage.objects.order_by("path").first()
    if home is None or LabIndexPage.objects.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="docs", model="labindexpage")
    LabIndexPage.objects.create(
        title="Les Transfos",
        draft_title="Les Transfos",
        slug="transfos",
        content_type=content_type,
        path=_next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}transfos/",
        locale_id=home.locale_id,
        live=True,
        intro="<p>Chaque collectivité a mené sa Transfo : ses dates, son équipe, ses cas pratiques publics "
              "et ses comptes rendus.</p>",
    )
    Page.objects.filter(pk=home.pk).update(numchild=Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).count())


def remove_lab_index(apps, schema_editor):
    apps.get_model("docs.LabIndexPage").objects.filter(slug="transfos", numchild=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("docs", "0004_session_report_case_story_fiche_and_lab_pages"),
    ]

    operations = [migrations.RunPython(create_lab_index, remove_lab_index)]
