"""RSS and Atom feeds of the documentation: everything published, and what each Lab published.

Only pages anyone may read (live, without view restriction). Each item gives its summary as plain
text, its publication and update dates, its authors as the page names them, its tags as
categories, its licence (Atom: ``<link rel="license">`` and the entry's rights; RSS: the
creativeCommons module's ``<creativeCommons:license>``) and its cover image as an enclosure.
A reader sending back the date of its copy (If-Modified-Since) gets a 304 when nothing is newer.
"""
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext as _

from common.page_cache import mark_cacheable
from common.public_url import public_url
from programmes.models import Lab

from .metadata import absolute as absolute_media_url
from .models import DocumentationIndexPage, DocumentationPage, LabPage
from .opendata import plain_text, tag_names

FEED_SIZE = 50
CREATIVE_COMMONS_RSS = "http://backend.userland.com/creativeCommonsRssModule"


class LicensedRssFeed(Rss201rev2Feed):
    """RSS 2.0 with each item's licence in the creativeCommons module, as RSS readers know it."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:creativeCommons": CREATIVE_COMMONS_RSS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("license_url"):
            handler.addQuickElement("creativeCommons:license", item["license_url"])


class LicensedAtomFeed(Atom1Feed):
    """Atom with each entry's licence as ``<link rel="license">`` (RFC 4946)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("license_url"):
            handler.addQuickElement("link", "", {"rel": "license", "href": item["license_url"]})


class DocumentationFeed(Feed):
    """The latest published documentation pages. Permission: anyone."""

    feed_type = LicensedRssFeed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # Django gives the date of the latest item as Last-Modified; a reader with as recent a copy gets a 304.
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        response = get_conditional_response(request, last_modified=last_modified, response=response)
        if not request.user.is_authenticated:
            # The same for everyone: kept in the public page cache, emptied with it on publication.
            mark_cacheable(response)
        return response

    @property
    def language(self):
        # The pages are written in French whatever the language of the site's interface.
        return settings.LANGUAGE_CODE

    def title(self, obj):
        return _("Transfo : la documentation ouverte")

    def description(self, obj):
        return _("Articles, comptes rendus, récits de cas et fiches publiés sous licence libre.")

    subtitle = description

    # Every URL of the feed at the public address, not at the host the request came through.
    url_name = "opendata:feed_rss"

    def feed_url(self, obj):
        return public_url(reverse(self.url_name, kwargs=self.url_kwargs(obj)))

    def url_kwargs(self, obj):
        return {}

    def link(self, obj):
        index = DocumentationIndexPage.objects.live().public().first()
        return index.get_full_url() if index else public_url("/")

    def feed_copyright(self, obj):
        return _("Chaque page porte sa propre licence libre, indiquée avec elle.")

    def pages(self, obj):
        return DocumentationPage.objects.published().listed()

    def items(self, obj):
        pages = self.pages(obj).for_cards().select_related("cover_image")
        return pages.order_by("-first_published_at", "-pk")[:FEED_SIZE]

    def item_title(self, page):
        return page.title

    def item_description(self, page):
        return plain_text(page.intro)

    def item_link(self, page):
        return page.get_full_url()

    def item_pubdate(self, page):
        return page.first_published_at

    def item_updateddate(self, page):
        return page.last_published_at

    def item_author_name(self, page):
        return page.authors or None

    def item_categories(self, page):
        return tag_names(page)

    def item_copyright(self, page):
        return f"{page.get_licence_display()} — {page.licence_url}"

    def item_extra_kwargs(self, page):
        return {"license_url": page.licence_url}

    def item_enclosures(self, page):
        # The original file (its EXIF removed at upload), read without a query per item.
        image = page.cover_image
        if image is None:
            return []
        mime_type = mimetypes.guess_type(image.file.name)[0] or "application/octet-stream"
        return [Enclosure(absolute_media_url(image.file.url), str(image.file_size or 0), mime_type)]


class DocumentationAtomFeed(DocumentationFeed):
    feed_type = LicensedAtomFeed
    url_name = "opendata:feed_atom"


class LabFeed(DocumentationFeed):
    """The latest published pages of one Lab; an unknown Lab is a 404. Permission: anyone."""

    url_name = "opendata:lab_feed_rss"

    def url_kwargs(self, lab):
        return {"lab_slug": lab.slug}

    def get_object(self, request, lab_slug):
        return get_object_or_404(Lab, slug=lab_slug)

    def title(self, lab):
        return _("Transfo : la documentation de %(lab)s") % {"lab": lab.name}

    def description(self, lab):
        return _("Ce que %(lab)s a publié sous licence libre.") % {"lab": lab.name}

    subtitle = description

    def link(self, lab):
        lab_page = LabPage.objects.published().in_lab(lab).first()
        return lab_page.get_full_url() if lab_page else super().link(lab)

    def pages(self, lab):
        return DocumentationPage.objects.published().listed().in_lab(lab)


class LabAtomFeed(LabFeed):
    feed_type = LicensedAtomFeed
    url_name = "opendata:lab_feed_atom"
