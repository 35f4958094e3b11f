"""Checks that read every template of templates/ as text: mistakes a page would show to everyone."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from programmes.models import Visibility

from ..docs.pages import make_article
from ..factories import make_case, make_lab

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Mail is read by mail clients, which need inline styles and never see the site's policy.
MAIL_FOLDER = "email"


def templates(suffixes=(".html", ".txt", ".xml")):
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in suffixes)


def relative(path):
    return str(path.relative_to(TEMPLATES))


def test_there_are_templates_to_check():
    assert len(templates()) > 50


def test_no_template_comment_runs_over_two_lines():
    # Django's {# … #} is one line only: the rest of a longer one is printed on the page.
    unclosed = [
        f"{relative(path)}:{number}"
        for path in templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#"):]
    ]

    assert unclosed == []


@pytest.mark.django_db
def test_pages_with_a_paginated_list_show_no_template_comment(client):
    make_article(title="Accueil des usagers", tags=["accueil"])
    case = make_case(make_lab(), title="Accueil des usagers", visibility=Visibility.PUBLIC)

    for path in ("/documentation/", "/documentation/recherche/?q=accueil", "/documentation/tag/accueil/", case.get_absolute_url()):
        page = client.get(path).content.decode()

        assert "{#" not in page and "#}" not in page and "paginated list" not in page, path


# An inline <script> (one without src) that a browser would run; JSON and JSON-LD data blocks do not run.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_page_templates_have_no_inline_script_or_style():
    # The Content-Security-Policy refuses them (common.csp): they go in static/js and static/css.
    inline = [
        relative(path)
        for path in templates(suffixes=(".html",))
        if MAIL_FOLDER not in path.relative_to(TEMPLATES).parts
        and (INLINE_SCRIPT.search(path.read_text(encoding="utf-8")) or INLINE_STYLE.search(path.read_text(encoding="utf-8")))
    ]

    assert inline == []
