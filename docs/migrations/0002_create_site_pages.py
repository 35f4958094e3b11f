"""Give every new installation a public site: a home page and the documentation index."""
from django.db import migrations

HOME_PATH = "00010001"
INDEX_PATH = HOME_PATH + "0001"


def create_site_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("docs.HomePage")
    DocumentationIndexPage = apps.get_model("docs.DocumentationIndexPage")

    # Wagtail's own migration leaves a placeholder "Welcome" page as the site root.
    placeholder_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=placeholder_type, depth=2).delete()
    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(language_code="fr")

    home = HomePage.objects.create(
        title="Transfo",
        draft_title="Transfo",
        slug="accueil",
        content_type=ContentType.objects.get_for_model(HomePage),
        path=HOME_PATH,
        depth=2,
        numchild=1,
        url_path="/accueil/",
        locale=locale,
        live=True,
        intro=(
            "<p>Transfo accompagne les collectivités qui montent leur propre laboratoire "
            "d'innovation publique, et documente ouvertement ce qu'elles apprennent.</p>"
        ),
    )
    DocumentationIndexPage.objects.create(
        title="Documentation",
        draft_title="Documentation",
        slug="documentation",
        content_type=ContentType.objects.get_for_model(DocumentationIndexPage),
        path=INDEX_PATH,
        depth=3,
        numchild=0,
        url_path="/accueil/documentation/",
        locale=locale,
        live=True,
        intro="<p>Tout ce que le programme apprend, sous licence libre.</p>",
    )
    Page.objects.filter(depth=1).update(numchild=Page.objects.filter(depth=2).count())
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Transfo")


def remove_site_pages(apps, schema_editor):
    apps.get_model("docs.HomePage").objects.filter(path=HOME_PATH).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("docs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_site_pages, remove_site_pages)]
