"""sitemap.xml and robots.txt: what search engines may index, and where to find it.

Django's sitemap framework rather than Wagtail's ``wagtail.contrib.sitemaps``: Wagtail's builds
each URL from the page alone and ignores Django's ``i18n``/``alternates`` options, whereas the
site serves every public page in French (no prefix) and in English (``/en/``). Django's ``i18n``
sitemap lists both, each with its hreflang alternates and the French one as ``x-default``.
"""
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.models import Site

from common.public_url import public_base_url, public_url

# What robots must not crawl: the admins, and the private working pages (accounts, the Labs'
# pages, cases, invitations, the calendars and their personal feeds) in every language.
ADMIN_PREFIXES = ["/cms/", "/django-admin/", "/i18n/"]
PRIVATE_PREFIXES = ["/accounts/", "/compte/", "/labs/", "/mes-cas/", "/cas/", "/calendrier/", "/invitations/"]


def disallowed_prefixes():
    """URL prefixes robots must not crawl, the English ones included."""
    prefixes = ADMIN_PREFIXES + PRIVATE_PREFIXES
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            prefixes += [f"/{code}{prefix}" for prefix in PRIVATE_PREFIXES]
    return prefixes


@dataclass
class PublicDomain:
    """What Django's sitemap reads of a site: its domain (host and port)."""

    domain: str


class PublicAddressSitemap(Sitemap):
    """URLs at the public address (TRANSFO_PUBLIC_URL), not at the host the request came through."""

    def get_urls(self, page=1, site=None, protocol=None):
        address = urlsplit(public_base_url())
        return super().get_urls(page=page, site=PublicDomain(address.netloc), protocol=address.scheme)


class PagesSitemap(PublicAddressSitemap):
    """Every live page of the site that anyone may read, in every language of the interface."""

    i18n = True
    alternates = True
    x_default = True

    def items(self):
        site = Site.objects.select_related("root_page").filter(is_default_site=True).first()
        if site is None:
            return []
        pages = site.root_page.get_descendants(inclusive=True).live().public().order_by("path")
        pages = [page for page in pages if page.get_url() is not None]
        # A page that lists others (home, indexes) changes when one of them does: its date is the
        # latest of its own and of every page below it.
        latest = {}
        for page in reversed(pages):
            own = page.last_published_at or page.latest_revision_created_at or page.first_published_at
            below = latest.get(page.path)
            page.sitemap_lastmod = max(filter(None, (own, below)), default=None)
            parent_path = page.path[: -page.steplen]
            if page.sitemap_lastmod and (latest.get(parent_path) is None or latest[parent_path] < page.sitemap_lastmod):
                latest[parent_path] = page.sitemap_lastmod
        return pages

    def location(self, page):
        # Relative to the site root, with the language prefix of the language being listed.
        return page.get_url()

    def lastmod(self, page):
        return page.sitemap_lastmod


class OpenDataSitemap(PublicAddressSitemap):
    """The public pages that are not Wagtail pages."""

    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["opendata:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PagesSitemap, "opendata": OpenDataSitemap}


@require_safe
def robots_txt(request):
    """Permission: anyone. The sitemap is given with an absolute URL, as the format requires."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in disallowed_prefixes()]
    lines += ["", f"Sitemap: {public_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
