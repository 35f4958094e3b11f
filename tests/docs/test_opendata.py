"""The open-data bundle: JSON and CSV of what is published, its licence and images, rebuilt on publication."""
import csv
import io
import json
import zipfile

import frictionless
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from pyld import jsonld
from wagtail.models import PageViewRestriction

from docs.opendata import BUNDLE_FOLDER, BUNDLE_NAME, BUNDLE_STORAGE_NAME, Bundle, bundle_exists, open_bundle, write_bundle
from programmes.models import LICENCE_URLS, Licence

from ..factories import make_lab
from ..queries import exactly
from .helpers_opendata import article, image_block, make_image, private, published, unpublished
from .html import SCHEMA, read, schema_org_loader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored_bundle() -> bytes:
    with open_bundle() as handle:
        return handle.read()


def read_bundle():
    with open_bundle() as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("documentation.json"))
        rows = list(csv.DictReader(io.StringIO(archive.read("documentation.csv").decode("utf-8"))))
        files = {name: archive.read(name) for name in names}
    return names, document, rows, files


def test_bundle_lists_published_pages_in_json_and_csv_with_their_licence():
    lab = make_lab()
    page = published("Ouvert à tous", lab=lab, licence=Licence.LO_2, authors="Camille", tags=("immersion", "accueil"))
    published("Une autre page", licence=Licence.CC0)
    article("Brouillon")
    private("Réservé")
    unpublished("Retiré")

    write_bundle()

    names, document, rows, _files = read_bundle()
    assert {"README.txt", "LICENCE.txt", "documentation.json", "documentation.csv"} <= set(names)
    items = document["items"]
    assert [item["title"] for item in items] == [row["title"] for row in rows] == ["Ouvert à tous", "Une autre page"]
    assert [(item["licence"], item["licence_url"]) for item in items] == [(row["licence"], row["licence_url"]) for row in rows] == [
        ("etalab-2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"),
        ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ]
    first = items[0]
    assert (first["authors"], first["lab"], first["tags"], first["kind"]) == ("Camille", lab.name, ["accueil", "immersion"], "article")
    assert first["url"] == page.full_url == settings.TRANSFO_PUBLIC_URL + page.url
    assert first["first_published_at"] and first["last_published_at"]
    assert rows[0]["tags"] == "accueil | immersion"


def test_bundle_holds_the_original_images_of_published_pages_only():
    shown, hidden = make_image("Montrée"), make_image("Brouillon")
    published("Avec photo", body=[image_block(shown)])
    article("Brouillon avec photo", body=[image_block(hidden)])

    write_bundle()

    names, document, _rows, files = read_bundle()
    images = [name for name in names if name.startswith("images/")]
    assert images == document["items"][0]["images"]
    assert len(images) == 1 and images[0].startswith(f"images/{shown.pk}-photo")
    with shown.file.open("rb") as original:
        assert files[images[0]] == original.read()


def test_bundle_written_twice_from_the_same_data_is_the_same_file():
    published("Ouvert à tous", tags=("un",))
    assert write_bundle() is True
    first = stored_bundle()
    modified = default_storage.get_modified_time(BUNDLE_STORAGE_NAME)

    assert write_bundle() is False

    assert stored_bundle() == first
    assert default_storage.get_modified_time(BUNDLE_STORAGE_NAME) == modified
    # No temporary file left beside it.
    assert default_storage.listdir(BUNDLE_FOLDER) == ([], [BUNDLE_NAME])


def test_publishing_a_page_adds_it_to_the_bundle_and_unpublishing_removes_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published("Déjà là")
    with django_capture_on_commit_callbacks(execute=True):
        page = published("Nouvelle page")

    assert [item["title"] for item in read_bundle()[1]["items"]] == ["Déjà là", "Nouvelle page"]

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert [item["title"] for item in read_bundle()[1]["items"]] == ["Déjà là"]


def test_restricting_a_page_removes_it_from_the_bundle(django_capture_on_commit_callbacks):
    page = published("Bientôt réservée")
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    assert read_bundle()[1]["items"] == []


# The pages as cards read (with their cover images and those images' renditions), then their contents.
BUNDLE_QUERIES = exactly(8)
PARAGRAPH = {"type": "paragraph", "value": "<p>Le texte de la page.</p>"}


def test_collecting_the_bundle_costs_the_same_queries_for_one_or_many_pages(django_assert_num_queries):
    # Images as covers: an image shown in the content is rendered with it, a query of its own.
    lab = make_lab()
    published("Une", lab=lab, tags=("a",), cover_image=make_image(), body=[PARAGRAPH])
    Bundle.collect()  # the site's root paths are cached from now on
    with django_assert_num_queries(BUNDLE_QUERIES):
        Bundle.collect()
    for number in range(2):
        published(f"Page {number}", lab=make_lab(), tags=("a", f"t{number}"), cover_image=make_image(), body=[PARAGRAPH])
    with django_assert_num_queries(BUNDLE_QUERIES):
        bundle = Bundle.collect()

    assert len(bundle.items) == 3


def test_open_data_page_describes_the_bundle_and_links_to_it(client):
    published("Ouvert à tous")
    write_bundle()

    response = client.get(reverse("opendata:index"))

    assert response.status_code == 200
    content = response.content.decode()
    assert f'href="{reverse("opendata:download")}"' in content
    assert "documentation.csv" in content and "CC BY-SA 4.0" in content


def test_download_serves_the_bundle_and_builds_it_when_missing(client):
    published("Ouvert à tous")
    assert not bundle_exists()

    response = client.get(reverse("opendata:download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'attachment; filename="transfo-documentation-ouverte.zip"' == response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body == stored_bundle()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert json.loads(archive.read("documentation.json"))["count"] == 1


def test_open_data_urls_are_french_and_english():
    assert reverse("opendata:index") == "/donnees-ouvertes/"


def test_bundle_is_a_valid_frictionless_data_package(tmp_path):
    published("Ouvert à tous", lab=make_lab(), licence=Licence.LO_2, tags=("immersion",), body=[
        {"type": "paragraph", "value": "<p>Trois jours au guichet, « avec » des usagers.</p>"},
    ])
    published("Une autre page", licence=Licence.CC0, body=[image_block(make_image())])
    write_bundle()
    with open_bundle() as handle, zipfile.ZipFile(handle) as archive:
        archive.extractall(tmp_path / "bundle")

    report = frictionless.validate(tmp_path / "bundle" / "datapackage.json")

    assert report.valid, report.flatten(["type", "note"])
    assert report.stats["errors"] == 0
    package = frictionless.Package(tmp_path / "bundle" / "datapackage.json")
    table = package.get_resource("documentation")
    assert [license["name"] for license in package.licenses] == ["CC0-1.0", "etalab-2.0"]
    assert table.licenses and table.sources and table.encoding == "utf-8"
    rows = table.read_rows()
    assert [(row["title"], row["license"], row["id"] > 0) for row in rows] == [
        ("Ouvert à tous", "etalab-2.0", True), ("Une autre page", "CC0-1.0", True),
    ]
    assert "<p>Trois jours au guichet, « avec » des usagers.</p>" in rows[0]["body_html"]
    assert rows[0]["first_published_at"].tzinfo is not None


def test_bundle_json_gives_each_page_its_content_as_html_and_as_data():
    published("Ouvert à tous", body=[{"type": "paragraph", "value": "<p>Le texte de la page.</p>"}])

    write_bundle()

    _names, document, _rows, _files = read_bundle()
    (item,) = document["items"]
    assert [(block["type"], block["value"]) for block in item["body"]] == [("paragraph", "<p>Le texte de la page.</p>")]
    assert item["body_html"] == '<div class="rich-text"><p>Le texte de la page.</p></div>'
    assert item["license"] == item["licence"]


def test_open_data_page_describes_the_dataset_to_search_engines_and_to_shares(client):
    published("Ouvert à tous")
    write_bundle()

    head = read(client.get(reverse("opendata:index")))

    (expanded,) = jsonld.expand(head.structured[0], {"documentLoader": schema_org_loader})
    assert expanded["@type"] == [f"{SCHEMA}Dataset"]
    downloads = {d[f"{SCHEMA}contentUrl"][0]["@value"] for d in expanded[f"{SCHEMA}distribution"]}
    assert settings.TRANSFO_PUBLIC_URL + reverse("opendata:download") in downloads
    assert expanded[f"{SCHEMA}license"] and expanded[f"{SCHEMA}dateModified"]
    assert head.meta["og:type"] == "website"
    assert head.meta["og:url"] == settings.TRANSFO_PUBLIC_URL + reverse("opendata:index")


def test_dcat_catalogue_lists_the_dataset_and_its_distributions(client):
    DCAT, DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
    response = client.get(reverse("opendata:catalogue"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    graph = {node["@id"]: node for node in jsonld.flatten(json.loads(response.content))}
    (catalogue,) = [node for node in graph.values() if f"{DCAT}Catalog" in node.get("@type", [])]
    (dataset_ref,) = catalogue[f"{DCAT}dataset"]
    dataset = graph[dataset_ref["@id"]]
    assert dataset["@type"] == [f"{DCAT}Dataset"]
    assert dataset[f"{DCAT}landingPage"] == [{"@id": settings.TRANSFO_PUBLIC_URL + reverse("opendata:index")}]
    assert {licence["@id"] for licence in dataset[f"{DCT}license"]} == set(LICENCE_URLS.values())
    downloads = [graph[ref["@id"]].get(f"{DCAT}downloadURL") for ref in dataset[f"{DCAT}distribution"]]
    assert [{"@id": settings.TRANSFO_PUBLIC_URL + reverse("opendata:download")}] in downloads


def test_catalogue_url():
    assert reverse("opendata:catalogue") == "/donnees-ouvertes/catalogue.jsonld"
