"""Upgrading a database that already has articles and a FAQ keeps them, their tags and licences."""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from docs.models import ArticlePage, DocumentationPage, FaqPage
from programmes.models import Licence

from ..factories import make_lab
from .html import read

BEFORE = [("docs", "0002_create_site_pages")]


def _old_page(apps, model_name, parent, position, **values):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    model = apps.get_model("docs", model_name)
    content_type, _created = ContentType.objects.get_or_create(app_label="docs", model=model_name.lower())
    page = model.objects.create(
        content_type=content_type, path=f"{parent.path}{position:04d}", depth=parent.depth + 1, numchild=0,
        url_path=f"{parent.url_path}{values['slug']}/", locale_id=parent.locale_id, live=True,
        draft_title=values["title"], **values,
    )
    Page.objects.filter(pk=parent.pk).update(numchild=position)
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upgrade_keeps_articles_faq_tags_and_licences(client):
    lab = make_lab()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    index = old.get_model("docs", "DocumentationIndexPage").objects.get()
    article = _old_page(
        old, "ArticlePage", index, 1, title="Un ancien article", slug="ancien", date=datetime.date(2017, 3, 1),
        intro="Son chapô.", body=[], lab_id=lab.pk, licence=Licence.CC0, authors="Camille Martin",
    )
    _old_page(old, "FaqPage", index, 2, title="Ancienne FAQ", slug="faq", intro="<p>Préambule</p>", questions=[],
              licence=Licence.CC_BY_4, authors="La 27e Région")
    tag = old.get_model("taggit", "Tag").objects.create(name="immersion", slug="immersion")
    old.get_model("docs", "ArticleTag").objects.create(content_object_id=article.pk, tag=tag)

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    upgraded = ArticlePage.objects.get(slug="ancien")
    faq = FaqPage.objects.get(slug="faq")
    assert (upgraded.lab_id, upgraded.licence, upgraded.authors, upgraded.date, upgraded.intro) == (
        lab.pk, Licence.CC0, "Camille Martin", datetime.date(2017, 3, 1), "Son chapô."
    )
    assert [t.name for t in upgraded.tags.all()] == ["immersion"]
    assert (faq.licence, faq.authors, faq.preamble) == (Licence.CC_BY_4, "La 27e Région", "<p>Préambule</p>")
    assert DocumentationPage.objects.published().tagged("immersion").get().pk == upgraded.pk
    response = client.get(upgraded.url)
    assert response.status_code == 200
    assert read(response).structured[0]["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
