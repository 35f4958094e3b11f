"""The static archive of the public site: complete offline, nothing private, no broken internal link."""
import re
import zipfile
from urllib.parse import unquote, urldefrag

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from wagtail.documents import get_document_model

from cases.models import Case
from docs.archive import file_name_for
from programmes.models import Visibility

from .helpers_opendata import image_block, make_image, private, published

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""(?<![\w-])(href|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
SRCSET = re.compile(r"""(?<![\w-])srcset\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@pytest.fixture(scope="module")
def archived(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site plus a page with an image and a document, archived once for the module."""
    output = tmp_path_factory.mktemp("archive")
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=open("/dev/null", "w"))
            document = get_document_model().objects.create(
                title="Compte rendu brut", file=ContentFile(b"Notes de la session.", name="notes-session.txt")
            )
            image = make_image("Atelier")
            public_case = Case.objects.filter(visibility=Visibility.PUBLIC).order_by("pk").first()
            lab_case = Case.objects.filter(visibility=Visibility.LAB).order_by("pk").first()
            links = (
                f'<p>Les <a linktype="document" id="{document.pk}">notes</a>, le cas '
                f'<a href="{public_case.get_absolute_url()}">public</a> et le cas '
                f'<a href="{lab_case.get_absolute_url()}">du labo</a>.</p>'
            )
            page = published(
                "Un atelier en images", body=[image_block(image), {"type": "paragraph", "value": links}],
            )
            secret = private("Réservé aux équipes")
            call_command("archive_site", output=str(output), stdout=open("/dev/null", "w"))
            call_command("archive_site", zip=str(output.parent / "site.zip"), stdout=open("/dev/null", "w"))
            yield {
                "root": output, "zip": output.parent / "site.zip", "page": page, "secret": secret,
                "public_case": public_case.get_absolute_url(), "lab_case": lab_case.get_absolute_url(),
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def html_files(root):
    return sorted(root.rglob("*.html"))


def internal_links(html):
    links = [value for _attribute, value in LINK.findall(html)]
    for srcset in SRCSET.findall(html):
        links += [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]
    return [link for link in links if link and not link.startswith("#") and not SCHEME.match(link)]


def test_archive_has_no_broken_internal_link(archived):
    root = archived["root"]
    files = html_files(root)
    assert len(files) > 10
    broken = []
    for path in files:
        for link in internal_links(path.read_text(encoding="utf-8")):
            target = (path.parent / unquote(urldefrag(link)[0])).resolve()
            if not target.is_file() or root.resolve() not in target.parents:
                broken.append((str(path.relative_to(root)), link))
    assert broken == []


def test_archive_holds_pages_styles_renditions_and_documents(archived):
    root = archived["root"]
    page_file = root / file_name_for(archived["page"].url, "text/html")
    html = page_file.read_text(encoding="utf-8")

    assert (root / "index.html").is_file() and (root / "documentation" / "index.html").is_file()
    assert (root / "static" / "css" / "transfo.css").is_file()
    rendition = [link for link in internal_links(html) if "/images/" in link]
    assert rendition and (page_file.parent / unquote(rendition[0])).is_file()
    document_link = next(link for link in internal_links(html) if link.endswith("notes-session.txt"))
    assert (page_file.parent / document_link).read_bytes() == b"Notes de la session."


def test_archive_keeps_what_anonymous_visitors_may_open_and_only_that(archived):
    root = archived["root"]
    written = {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
    page_html = (root / file_name_for(archived["page"].url, "text/html")).read_text(encoding="utf-8")

    assert file_name_for(archived["public_case"], "text/html") in written
    assert file_name_for(archived["lab_case"], "text/html") not in written
    assert file_name_for(archived["secret"].url, "text/html") not in written
    assert f'href="{settings.TRANSFO_PUBLIC_URL}{archived["lab_case"]}"' in page_html
    assert not any(name.startswith(("accounts/", "compte/", "mes-cas/", "cms/", "django-admin/", "api/")) for name in written)
    login_links = [
        link for path in html_files(root) for _attribute, link in LINK.findall(path.read_text(encoding="utf-8"))
        if "/accounts/login/" in link
    ]
    assert login_links and all(link.startswith(f"{settings.TRANSFO_PUBLIC_URL}/accounts/login/") for link in login_links)


def test_archive_into_a_zip_holds_the_same_files(archived):
    root = archived["root"]
    with zipfile.ZipFile(archived["zip"]) as archive:
        listed = archive.namelist()
    names = set(listed)

    # A page reached by links spelled two ways (« é », « %C3%A9 ») is written once.
    assert len(listed) == len(names)
    assert names == {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_file_names_of_urls():
    assert file_name_for("/", "text/html") == "index.html"
    assert file_name_for("/documentation/un-article/", "text/html") == "documentation/un-article/index.html"
    assert file_name_for("/documentation/?page=2", "text/html") == "documentation/index-page-2.html"
    assert file_name_for("/documents/3/notes.txt", "text/plain") == "documents/3/notes.txt"
    assert file_name_for("/flux/rss/", "application/rss+xml") == "flux/rss/index.xml"
    assert file_name_for("/documentation/caf%C3%A9/", "text/html") == "documentation/café/index.html"
