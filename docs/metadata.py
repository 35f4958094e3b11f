"""How a public page describes itself to machines: OpenGraph tags and schema.org JSON-LD.

The JSON-LD is built here as a dict and serialised with ``json.dumps`` — never written by hand in
a template — with ``<``, ``>`` and ``&`` escaped, so that no title or summary can close the
``<script>`` element it sits in.
"""
import json
import re

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from common.public_url import public_url

OG_IMAGE_FILTER = "fill-1200x630|format-jpeg"
# An author written as a team or an institution ("Les résident·es…", "La 27e Région").
_COLLECTIVE = re.compile(r"^(l['’]|la |le |les |l’équipe|équipe|collectif|coordination)", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|\bet\b)\s*")


def absolute(url):
    """A media URL at the public address (one in a bucket is absolute already)."""
    return public_url(url) if url.startswith("/") else url


def json_ld_script(data) -> str:
    """``<script type="application/ld+json">`` with ``data`` safely inside."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def authors_of(text):
    """schema.org authors from the free-text authors field: people, or teams and institutions."""
    names = [name for name in _AUTHOR_SEPARATORS.split(text or "") if name]
    if _COLLECTIVE.match(text or ""):
        # "Les résident·es de la Transfo de Paris et de Lille" is one team, not three people.
        return [{"@type": "Organization", "name": text.strip()}]
    return [
        {"@type": "Organization" if _COLLECTIVE.match(name) else "Person", "name": name} for name in names
    ]


def page_metadata(page, request):
    """Everything the page's <head> needs: description, canonical URL, OpenGraph, JSON-LD."""
    # The address asked for (a tag page or the search are routes of the index), without its query,
    # at the site's public address whatever host the request came through.
    url = public_url(request.path)
    description = (
        page.search_description
        or getattr(page, "intro_text", "")
        or strip_tags(str(getattr(page, "intro", "") or "")).strip()
    )
    image_url = None
    cover_image = getattr(page, "cover_image", None)
    if cover_image is not None:
        image_url = absolute(cover_image.get_rendition(OG_IMAGE_FILTER).url)
    metadata = {
        "title": page.seo_title or page.title,
        "description": description[:300],
        "url": url,
        "og_type": page.og_type,
        "image": image_url,
        "licence_url": getattr(page, "licence_url", None),
    }
    metadata["json_ld"] = json_ld_script(structured_data(page, metadata))
    return metadata


def structured_data(page, metadata):
    data = {
        "@context": "https://schema.org",
        "@type": getattr(page, "schema_type", "WebPage"),
        "headline": metadata["title"][:110],
        "name": metadata["title"],
        "url": metadata["url"],
        "inLanguage": page.locale.language_code if page.locale_id else settings.LANGUAGE_CODE,
        "publisher": {"@type": "Organization", "name": publisher_name(page)},
    }
    if metadata["description"]:
        data["description"] = metadata["description"]
    if metadata["image"]:
        data["image"] = metadata["image"]
    if metadata["licence_url"]:
        data["license"] = metadata["licence_url"]
    date = getattr(page, "date", None) or (page.first_published_at and page.first_published_at.date())
    if date:
        data["datePublished"] = date.isoformat()
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat()
    authors = authors_of(getattr(page, "authors", ""))
    if authors:
        data["author"] = authors
    data.update(page.extra_structured_data() if hasattr(page, "extra_structured_data") else {})
    return data


def publisher_name(page):
    lab = getattr(page, "lab", None)
    if lab is not None:
        return lab.programme.organiser
    return settings.WAGTAIL_SITE_NAME
