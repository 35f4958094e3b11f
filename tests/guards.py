"""What the guards read: every address of the URLconf filled with a world's items, and its text.

``platform_urls`` walks the whole URL configuration. A page of our apps is built for each item by
the permission matrix's own builders (``MATRIX``); the other pages that take parameters are built
here (``OTHER_BUILDERS``); a page without parameters is simply reversed; the Wagtail pages are
every page of the tree, published or not. A new page that takes parameters and is in none of
these tables is returned in ``uncovered``, and the guards fail on it: no page escapes them.
"""
import io
import re
import zipfile

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from outbox.models import MailKind
from outbox.unsubscribe import token_for
from .test_permission_matrix import ITEMS, MATRIX

# The two admins are the Wagtail guard's and the admin tests' business; the language switch,
# the sign-in pages and Wagtail's password forms show no item.
NOT_CRAWLED_PREFIXES = ("cms/", "django-admin/", "i18n/", "accounts/", "_util/")
NOT_CRAWLED_NAMES = {"wagtail_serve", "wagtaildocs_serve", "wagtaildocs_authenticate_with_password"}
_PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(")


def _patterns(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def _pages_of(model):
    return [obj.pk for obj in model.objects.order_by("pk")]


# Pages outside the matrix that take parameters: how to build them for a world.
OTHER_BUILDERS = {
    "opendata:lab_feed_rss": lambda world: [reverse("opendata:lab_feed_rss", args=[lab.slug]) for lab in labs(world)],
    "opendata:lab_feed_atom": lambda world: [reverse("opendata:lab_feed_atom", args=[lab.slug]) for lab in labs(world)],
    "wagtailapi:pages:detail": lambda world: [
        reverse("wagtailapi:pages:detail", args=[pk]) for pk in _pages_of(Page)
    ],
    "wagtailapi:images:detail": lambda world: [
        reverse("wagtailapi:images:detail", args=[pk]) for pk in _pages_of(get_image_model())
    ],
    "wagtailapi:documents:detail": lambda world: [
        reverse("wagtailapi:documents:detail", args=[pk]) for pk in _pages_of(get_document_model())
    ],
    # A mail's unsubscribe link shows its own address to whoever holds it: one outside the world.
    "outbox:unsubscribe": lambda world: [
        reverse("outbox:unsubscribe", kwargs={"token": token_for("lecteur@exemple.test", kind)}) for kind in MailKind.values
    ],
}


def _stored_files(world):
    """The public uploads (Wagtail's images) at their /media/ address. The private ones (photos,
    journal files) answer 404 there whoever asks (tests/transfo/test_media.py); their address,
    which only their readers are given, would be echoed back by the 404 page."""
    return [reverse("public_media", args=[image.file.name]) for image in get_image_model().objects.order_by("pk")]


OTHER_BUILDERS["public_media"] = _stored_files
# The listings again, with every field each item has.
EXTRA_URLS = ["/api/v2/pages/?fields=*", "/api/v2/images/?fields=*", "/api/v2/documents/?fields=*"]


def labs(world):
    return [world[key] for key in sorted(world) if key.startswith("lab_")]


def platform_urls(world):
    """(urls, uncovered): every address to read for ``world``, and the patterns nobody knows how to fill."""
    urls, uncovered = [], []
    for route, name in _patterns(get_resolver().url_patterns):
        if route.startswith(NOT_CRAWLED_PREFIXES) or name in NOT_CRAWLED_NAMES:
            continue
        if name in MATRIX:
            build, _expected = MATRIX[name]
            urls += [build(world, item) for item in ITEMS]
        elif name in OTHER_BUILDERS:
            urls += OTHER_BUILDERS[name](world)
        elif name and not _PARAMETER.search(route.replace("^", "").replace("$", "")):
            urls.append(reverse(name))
        else:
            uncovered.append(name or route)
    # Every page of the documentation tree, drafts included: only what is live may be read.
    for page in Page.objects.order_by("path").specific():
        url = page.get_url()
        if url:
            urls.append(url)
    urls += EXTRA_URLS
    return list(dict.fromkeys(urls)), uncovered


def response_text(response):
    """Everything a reader gets: headers and body, a zip's entries unpacked, as one string."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [f"{name}: {value}" for name, value in response.items()]
    if body[:4] == b"PK\x03\x04":
        parts += zip_texts(body)
    else:
        parts.append(body.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def zip_texts(data):
    """The names and contents of every entry of a zip, as text."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            texts += [info.filename, archive.read(info).decode("utf-8", errors="replace")]
    return texts
