"""The open data of the documentation: every published page, its licence and its images, in one zip.

The bundle is a Frictionless Data Package: ``datapackage.json`` describes its resources (each with
its schema, licences and sources), ``documentation.csv`` (UTF-8) and ``documentation.json`` hold
the same items, one per published page (licence, authors, URL, dates, tags, Lab, content), with
the original file of every image those pages show (already stripped of EXIF at upload) and a
README and LICENCE text. The open-data page describes it as a schema.org ``Dataset``, and a DCAT
catalogue (``catalogue.jsonld``) lists it for the open-data portals that harvest them. It is rebuilt when a
page is published or unpublished (docs.publishing) and written to the media storage (disk or
bucket), under ``opendata/``, in one replacement: a download never reads half a bundle.

The same data always gives the same bytes (sorted items, fixed dates inside the zip, no build
time). The zip's comment holds a fingerprint of its content: a rebuild that would change nothing
stops before compressing anything and leaves the file, its date and its ETag alone.
"""
import csv
import hashlib
import io
import json
import logging
import posixpath
import tempfile
import zipfile
from dataclasses import dataclass
from html import unescape

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import get_valid_filename
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex

from common.public_url import public_url
from common.storage import replace_file, stored_metadata
from programmes.models import LICENCE_URLS, Licence

from .metadata import json_ld_script
from .models import DocumentationPage

logger = logging.getLogger("transfo.opendata")

BUNDLE_FOLDER = "opendata"
BUNDLE_NAME = "transfo-documentation-ouverte.zip"
# Its name in the storage (MEDIA_ROOT or the bucket).
BUNDLE_STORAGE_NAME = f"{BUNDLE_FOLDER}/{BUNDLE_NAME}"
# Columns of the CSV, and keys of each JSON item, in this order.
FIELDS = [
    "id", "kind", "title", "url", "summary", "authors", "licence", "licence_name", "licence_url",
    "date", "first_published_at", "last_published_at", "lab", "lab_slug", "tags", "images",
    "license", "body_html",
]
# The JSON items have the content as data too (a StreamField as the API gives it).
JSON_FIELDS = [*FIELDS, "body"]
# Table Schema of the CSV (https://specs.frictionlessdata.io/table-schema/): each column's type.
FIELD_TYPES = {
    "id": "integer", "url": "string", "date": "date", "first_published_at": "datetime",
    "last_published_at": "datetime", "licence_url": "string",
}
FIELD_DESCRIPTIONS = {
    "id": "Identifiant de la page", "kind": "Sorte de page (article, compte-rendu, recit, fiche, faq, labo)",
    "title": "Titre", "url": "Adresse de la page", "summary": "Résumé, en texte", "authors": "Auteur·rices",
    "licence": "Licence (identifiant SPDX)", "licence_name": "Nom de la licence", "licence_url": "Texte de la licence",
    "date": "Date de la page", "first_published_at": "Première publication", "last_published_at": "Dernière publication",
    "lab": "Labo", "lab_slug": "Identifiant du labo", "tags": "Mots-clés, séparés par « | »",
    "images": "Fichiers des images dans l'archive, séparés par « | »",
    "license": "Licence (identifiant SPDX), même valeur que licence", "body_html": "Contenu de la page, en HTML",
    "body": "Contenu de la page, en données (les blocs de l'API)",
}
PACKAGE_NAME = "transfo-documentation-ouverte"
LIST_SEPARATOR = " | "
# Zip entries carry a date; the oldest a zip can hold when nothing is published yet.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def published_pages():
    """Every documentation page anyone may read (live, without view restriction), oldest first.

    Lab, kind and tags come in the same few queries, whatever the number of pages.
    """
    return (
        DocumentationPage.objects.published()
        .for_cards()
        .defer_streamfields()
        .order_by("first_published_at", "pk")
    )


def plain_text(html):
    """Text of a summary, without tags or entities, on one line."""
    return " ".join(unescape(strip_tags(html or "")).split())


def tag_names(page):
    """Names of a page's tags, sorted, from the prefetch of ``for_cards``."""
    return sorted(tag.name for tag in page.card_tags)


def images_by_page(pages):
    """``{page id: [image, ...]}``: the images each page shows, read from Wagtail's reference index.

    The index records every image a page points to (cover, StreamField blocks, photos, rich text),
    from the page's published content; one query for the references, one for the images.
    """
    image_model = get_image_model()
    references = (
        ReferenceIndex.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=[str(page.pk) for page in pages],
            to_content_type=ContentType.objects.get_for_model(image_model),
        )
        .values_list("object_id", "to_object_id")
        .distinct()
    )
    wanted = {}
    for page_id, image_id in references:
        if image_id.isdigit():
            wanted.setdefault(int(page_id), set()).add(int(image_id))
    images = image_model.objects.in_bulk({image_id for ids in wanted.values() for image_id in ids})
    return {
        page_id: [images[image_id] for image_id in sorted(ids) if image_id in images]
        for page_id, ids in wanted.items()
    }


def image_entry_name(image):
    """Where an image's original file goes in the bundle: ``images/<id>-<file name>``."""
    return f"images/{image.pk}-{get_valid_filename(posixpath.basename(image.file.name))}"


def _local_iso(moment):
    return timezone.localtime(moment).isoformat() if moment else ""


def item_record(page, images, content=None):
    """One published page as the bundle describes it (keys in ``JSON_FIELDS`` order).

    ``content`` is the specific page (its StreamFields), or None to leave the content out.
    """
    lab = page.lab
    return {
        "id": page.pk,
        "kind": page.kind_slug,
        "title": page.title,
        "url": page.get_full_url(),
        "summary": plain_text(page.intro),
        "authors": page.authors,
        "licence": page.licence,
        "licence_name": str(Licence(page.licence).label),
        "licence_url": LICENCE_URLS[page.licence],
        "date": page.date.isoformat() if page.date else "",
        "first_published_at": _local_iso(page.first_published_at),
        "last_published_at": _local_iso(page.last_published_at),
        "lab": lab.name if lab else "",
        "lab_slug": lab.slug if lab else "",
        "tags": tag_names(page),
        "images": [image_entry_name(image) for image in images],
        "license": page.licence,
        "body_html": content.content_html() if content is not None else "",
        "body": content.content_json() if content is not None else [],
    }


def specific_pages(pages):
    """``{id: specific page}`` with the StreamFields of their content: a query per kind of page."""
    return {page.pk: page for page in DocumentationPage.objects.filter(pk__in=[page.pk for page in pages]).specific()}


@dataclass
class Bundle:
    """What goes into the zip, computed from the database."""

    items: list
    images: list
    updated: object  # the latest publication, or None

    @classmethod
    def collect(cls):
        pages = [page for page in published_pages() if page.url is not None]
        images = images_by_page(pages)
        contents = specific_pages(pages)
        items = [item_record(page, images.get(page.pk, []), contents.get(page.pk)) for page in pages]
        unique_images = {image.pk: image for page_images in images.values() for image in page_images}
        latest = max((page.last_published_at for page in pages if page.last_published_at), default=None)
        return cls(items=items, images=[unique_images[pk] for pk in sorted(unique_images)], updated=latest)

    def as_json(self):
        document = {
            "updated": _local_iso(self.updated),
            "count": len(self.items),
            "fields": JSON_FIELDS,
            "items": self.items,
        }
        # The blocks' data may hold dates (an agenda day): Django's encoder writes them as ISO 8601.
        return json.dumps(document, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder) + "\n"

    def as_csv(self):
        output = io.StringIO()
        writer = csv.DictWriter(output, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for item in self.items:
            writer.writerow({
                **item,
                "tags": LIST_SEPARATOR.join(item["tags"]),
                "images": LIST_SEPARATOR.join(item["images"]),
            })
        return output.getvalue()

    def licences(self):
        """The licences the items carry, as Data Package ``licenses``."""
        used = sorted({(item["licence"], item["licence_name"], item["licence_url"]) for item in self.items})
        return [{"name": code, "title": name, "path": url} for code, name, url in used]

    def datapackage(self):
        """``datapackage.json``: the Data Package descriptor (https://specs.frictionlessdata.io/data-package/)."""
        sources = [{"title": "Transfo", "path": public_url(reverse("opendata:index"))}]
        licences = self.licences() or [{"name": "CC-BY-SA-4.0", "title": "CC BY-SA 4.0",
                                        "path": LICENCE_URLS[Licence.CC_BY_SA_4]}]
        def schema(names, types):
            return {
                "fields": [
                    {"name": name, "type": types.get(name, "string"), "description": FIELD_DESCRIPTIONS.get(name, ""),
                     **({"format": "uri"} if name in ("url", "licence_url") else {})}
                    for name in names
                ],
                "primaryKey": ["id"],
                "missingValues": [""],
            }

        # In the JSON the lists are lists, and the content is there as data as well.
        json_types = {**FIELD_TYPES, "tags": "array", "images": "array", "body": "array"}
        common = {"licenses": licences, "sources": sources, "encoding": "utf-8"}
        descriptor = {
            "profile": "data-package",
            "name": PACKAGE_NAME,
            "title": "Transfo : la documentation ouverte",
            "description": "Chaque page publiée de la documentation de Transfo, avec sa licence, ses auteur·rices, "
                           "son adresse, ses dates, ses mots-clés, son labo, son contenu et ses images.",
            "homepage": public_url(reverse("opendata:index")),
            "licenses": licences,
            "sources": sources,
            "keywords": ["innovation publique", "laboratoire d'innovation", "documentation", "La Transfo"],
            "resources": [
                {
                    "profile": "tabular-data-resource", "name": "documentation", "path": "documentation.csv",
                    "title": "Pages publiées (CSV)", "format": "csv", "mediatype": "text/csv", **common,
                    "dialect": {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\r\n"},
                    "schema": schema(FIELDS, FIELD_TYPES),
                },
                {
                    "profile": "tabular-data-resource", "name": "documentation-json", "path": "documentation.json",
                    "title": "Pages publiées (JSON, avec le contenu en données)", "format": "json",
                    "mediatype": "application/json", **common,
                    # The rows are the objects of the document's "items" list.
                    "dialect": {"json": {"property": "items", "keyed": True}},
                    "schema": schema(JSON_FIELDS, json_types),
                },
            ],
        }
        if self.updated is not None:
            descriptor["created"] = _local_iso(self.updated)
        return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"

    def texts(self):
        licences = sorted({(item["licence"], item["licence_name"], item["licence_url"]) for item in self.items})
        context = {
            "items": self.items,
            "licences": licences,
            "fields": FIELDS,
            "separator": LIST_SEPARATOR.strip(),
            "updated": self.updated,
        }
        return {
            "README.txt": render_to_string("docs/opendata_readme.txt", context),
            "LICENCE.txt": render_to_string("docs/opendata_licence.txt", context),
        }

    def fingerprint(self):
        """A digest of everything the zip holds, to know without building it whether it changed."""
        digest = hashlib.sha256(self.as_json().encode("utf-8"))
        for image in self.images:
            digest.update(f"\n{image.pk}:{image.file.name}:{image.file_size or ''}".encode())
        return f"transfo-opendata sha256:{digest.hexdigest()}".encode("ascii")

    def zip_date(self):
        if self.updated is None:
            return ZIP_EPOCH
        moment = timezone.localtime(self.updated)
        return max(ZIP_EPOCH, (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second))

    def write_zip(self, handle):
        """Write the zip to a binary file object; the same bundle always gives the same bytes."""
        date = self.zip_date()

        def entry(name):
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            return info

        with zipfile.ZipFile(handle, "w") as archive:
            archive.comment = self.fingerprint()
            for name, text in sorted(self.texts().items()):
                archive.writestr(entry(name), text.encode("utf-8"))
            archive.writestr(entry("datapackage.json"), self.datapackage().encode("utf-8"))
            archive.writestr(entry("documentation.csv"), self.as_csv().encode("utf-8"))
            archive.writestr(entry("documentation.json"), self.as_json().encode("utf-8"))
            for image in self.images:
                try:
                    with image.file.open("rb") as source, archive.open(entry(image_entry_name(image)), "w") as target:
                        for chunk in iter(lambda: source.read(1024 * 1024), b""):
                            target.write(chunk)
                except FileNotFoundError:
                    # The row says the image exists but its file is gone: the items still name it,
                    # the rest of the bundle is still worth publishing.
                    logger.warning("Open data: the file of image %s is missing.", image.pk)


def bundle_exists() -> bool:
    return default_storage.exists(BUNDLE_STORAGE_NAME)


def open_bundle():
    """The bundle as stored (on disk or in the bucket), open for reading; FileNotFoundError if none."""
    return default_storage.open(BUNDLE_STORAGE_NAME, "rb")


def current_fingerprint():
    """The fingerprint of the stored bundle, or None (no bundle, or not one of ours).

    In a bucket it is kept with the object as well: read without downloading the whole zip.
    """
    metadata = stored_metadata(default_storage, BUNDLE_STORAGE_NAME)
    if metadata is not None:
        return metadata.get("fingerprint", "").encode("ascii") or None
    try:
        with open_bundle() as handle, zipfile.ZipFile(handle) as archive:
            return archive.comment
    except (FileNotFoundError, zipfile.BadZipFile):
        return None


def write_bundle() -> bool:
    """Build the bundle from what is published now; True when the file changed.

    Built in a temporary file, then put in the storage over the old bundle all at once
    (common.storage.replace_file): a download under way keeps reading the old file, the next
    gets the new one.
    """
    with translation.override(settings.LANGUAGE_CODE):
        bundle = Bundle.collect()
        if current_fingerprint() == bundle.fingerprint():
            return False
        with tempfile.TemporaryFile(prefix="transfo-opendata-", suffix=".zip") as handle:
            bundle.write_zip(handle)
            handle.seek(0)
            replace_file(default_storage, BUNDLE_STORAGE_NAME, handle,
                         metadata={"fingerprint": bundle.fingerprint().decode("ascii")})
    logger.info("Open data bundle rewritten: %s items, %s images.", len(bundle.items), len(bundle.images))
    return True


def dataset_description():
    return gettext("Toute la documentation publiée de Transfo, avec sa licence, en JSON et en CSV, à télécharger et réutiliser.")


def dataset_structured_data(updated=None):
    """The open data as a schema.org ``Dataset`` (what search engines' dataset search reads)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": gettext("Transfo : la documentation ouverte"),
        "description": dataset_description(),
        "url": public_url(reverse("opendata:index")),
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
        "license": [LICENCE_URLS[licence] for licence in Licence],
        "creator": {"@type": "Organization", "name": settings.WAGTAIL_SITE_NAME, "url": public_url("/")},
        "keywords": ["innovation publique", "laboratoire d'innovation", "documentation"],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "application/zip", "contentUrl": public_url(reverse("opendata:download"))},
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": public_url(reverse("wagtailapi:pages:listing"))},
        ],
    }
    if updated is not None:
        data["dateModified"] = updated.isoformat()
    return data


def dcat_catalogue(updated=None):
    """The DCAT catalogue of the open data (https://www.w3.org/TR/vocab-dcat-3/), in JSON-LD.

    Its context is written in full, so that a harvester (data.gouv.fr, data.europa.eu…) reads it
    without fetching anything else.
    """
    index_url = public_url(reverse("opendata:index"))
    licences = [{"@id": LICENCE_URLS[licence]} for licence in Licence]
    publisher = {"@id": public_url("/"), "@type": "foaf:Organization", "foaf:name": settings.WAGTAIL_SITE_NAME}
    modified = {"dct:modified": {"@value": updated.isoformat(), "@type": "xsd:dateTime"}} if updated else {}
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": public_url(reverse("opendata:catalogue")),
        "@type": "dcat:Catalog",
        "dct:title": {"@value": gettext("Transfo : les données ouvertes"), "@language": "fr"},
        "dct:description": {"@value": dataset_description(), "@language": "fr"},
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": index_url},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/FRA"},
        "dcat:dataset": [
            {
                "@id": f"{index_url}#documentation",
                "@type": "dcat:Dataset",
                "dct:identifier": PACKAGE_NAME,
                "dct:title": {"@value": gettext("Transfo : la documentation ouverte"), "@language": "fr"},
                "dct:description": {"@value": dataset_description(), "@language": "fr"},
                "dct:publisher": publisher,
                "dcat:landingPage": {"@id": index_url},
                "dcat:keyword": ["innovation publique", "laboratoire d'innovation", "documentation"],
                "dct:license": licences,
                **modified,
                "dcat:distribution": [
                    distribution(
                        f"{index_url}#zip", gettext("Archive : Data Package (CSV, JSON, images)"),
                        public_url(reverse("opendata:download")), "application/zip", licences, download=True,
                        conforms_to="https://specs.frictionlessdata.io/data-package/",
                    ),
                    distribution(
                        f"{index_url}#api", gettext("API JSON en lecture seule"),
                        public_url(reverse("wagtailapi:pages:listing")), "application/json", licences,
                    ),
                    distribution(
                        f"{index_url}#atom", gettext("Flux Atom"),
                        public_url(reverse("opendata:feed_atom")), "application/atom+xml", licences,
                    ),
                ],
            }
        ],
    }


def distribution(identifier, title, url, media_type, licences, *, download=False, conforms_to=None):
    """One way to get the documentation, as DCAT describes it: where, in which format, under which licences."""
    described = {
        "@id": identifier,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media_type}"},
        "dct:license": licences,
    }
    if download:
        described["dcat:downloadURL"] = {"@id": url}
    if conforms_to:
        described["dct:conformsTo"] = {"@id": conforms_to}
    return described


def bundle_updated():
    """When the stored bundle was last written, or None."""
    if not bundle_exists():
        return None
    return timezone.localtime(default_storage.get_modified_time(BUNDLE_STORAGE_NAME))


class OpenDataView(TemplateView):
    """Public page describing the open data and how to reuse it. Permission: anyone."""

    template_name = "docs/opendata.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        updated = bundle_updated()
        if updated is not None:
            context["bundle_size"] = default_storage.size(BUNDLE_STORAGE_NAME)
            context["bundle_updated"] = updated
        context["licences"] = [(licence.value, licence.label, LICENCE_URLS[licence]) for licence in Licence]
        context["fields"] = FIELDS
        context["page_url"] = public_url(self.request.path)
        context["json_ld"] = json_ld_script(dataset_structured_data(updated))
        return context


class DcatCatalogueView(View):
    """The DCAT catalogue of the open data, in JSON-LD. Permission: anyone."""

    def get(self, request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            document = dcat_catalogue(bundle_updated())
        response = JsonResponse(document, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Access-Control-Allow-Origin"] = "*"
        return response


class OpenDataDownloadView(View):
    """The bundle itself. Permission: anyone; built here if no publication has built it yet."""

    def get(self, request, *args, **kwargs):
        if not bundle_exists():
            write_bundle()
        if not isinstance(default_storage, FileSystemStorage):
            # In a bucket the bundle is public: read from the bucket's address (or its CDN).
            return redirect(default_storage.url(BUNDLE_STORAGE_NAME))
        return FileResponse(open_bundle(), as_attachment=True, filename=BUNDLE_NAME, content_type="application/zip")
