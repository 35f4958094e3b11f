"""The read-only JSON API of the published documentation (Wagtail API v2, under /api/v2/).

Every documentation page shows its licence (as ``license``, and ``licence`` as before), authors,
tags, Lab, date, summary and content (``body`` as data, ``body_html`` rendered): those fields are
declared here, once for every kind, and a page model's own ``api_fields`` add to them. Any web
page may read the API (docs.cors).
Everyone gets what an anonymous visitor gets: no authentication is read, so a logged-in editor
or a visitor who typed a page's password sees no more than the public; only live pages without
any view restriction are listed, and only the images and documents those pages show. The
endpoints answer GET (and HEAD, OPTIONS) only.
"""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, ReferenceIndex

from common.text import search_words

from .models import DocumentationPage


class LabSerializer(serializers.Serializer):
    """A page's Lab: its public name, and the slug of its feeds."""

    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class PageContentField(serializers.Field):
    """A page's content, read from the whole page (its StreamFields differ from one kind to another)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)


class ContentJSONField(PageContentField):
    def to_representation(self, page):
        return page.content_json()


class ContentHTMLField(PageContentField):
    def to_representation(self, page):
        return page.content_html()


def documentation_api_fields():
    return [
        # ``license`` as schema.org and SPDX name it; ``licence`` is the same value, kept for readers of before.
        APIField("license"),
        APIField("license_url", serializer=serializers.CharField(source="licence_url", read_only=True)),
        APIField("licence"),
        APIField("licence_url"),
        # The content: its StreamField as data, and rendered as the page shows it.
        APIField("body", serializer=ContentJSONField()),
        APIField("body_html", serializer=ContentHTMLField()),
        APIField("authors"),
        APIField("tags"),
        APIField("lab", serializer=LabSerializer()),
        APIField("date"),
        APIField("intro"),
    ]


# The parameters that Wagtail turns into integers for the database.
INTEGER_PARAMETERS = frozenset({"offset", "limit", "id", "child_of", "descendant_of", "ancestor_of", "translation_of"})
# PostgreSQL's integer: no id, offset or limit of this API goes beyond it, and a larger one
# would reach the database as an out-of-range error.
LARGEST_INTEGER = 2**31 - 1
SEARCH_OPERATORS = ("and", "or")


def check_query_parameters(query):
    """Refuse, with a message, the values Wagtail would pass on to the database as they are.

    Wagtail checks the shape of most parameters but not a NUL character (PostgreSQL refuses it
    in text), an integer beyond the database's range, nor the search operator.
    """
    for name, values in query.lists():
        if any("\x00" in text for text in (name, *values)):
            raise BadRequestError(gettext("Le paramètre « %(name)s » contient un caractère nul.") % {"name": name.replace("\x00", "")})
        if name in INTEGER_PARAMETERS:
            for value in values:
                is_integer = value.isascii() and value.isdigit()
                if is_integer and int(value) > LARGEST_INTEGER:
                    raise BadRequestError(
                        gettext("Le paramètre « %(name)s » ne peut dépasser %(largest)d.") % {"name": name, "largest": LARGEST_INTEGER}
                    )
                if name == "id" and not is_integer:
                    raise BadRequestError(gettext("Le paramètre « id » doit être un entier positif."))
        if name == "search_operator" and any(value not in SEARCH_OPERATORS for value in values):
            raise BadRequestError(gettext("Le paramètre « search_operator » vaut « and » ou « or »."))


class PublicAPIMixin:
    """Anonymous, read-only, and in the site's default language (page URLs without prefix)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Raised here, the error becomes Wagtail's 400 answer with its message.
        check_query_parameters(request.GET)
        if "search" in request.GET:
            # Words only, as the documentation's search box (common.text.search_words).
            query = request.GET.copy()
            query.setlist("search", [search_words(value) for value in query.getlist("search")])
            request._request.GET = query


def public_page_ids():
    """Ids (as text, as the reference index stores them) of the live pages without restriction."""
    return Page.objects.live().public().annotate(id_text=Cast("pk", CharField())).values("id_text")


def shown_on_public_pages(queryset):
    """Only the objects (images, documents) that a live public page points to."""
    references = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=public_page_ids(),
        to_content_type=ContentType.objects.get_for_model(queryset.model),
    ).values_list("to_object_id", flat=True)
    ids = {int(value) for value in references if value.isdigit()}
    return queryset.filter(pk__in=ids)


class PublicPagesAPIViewSet(PublicAPIMixin, PagesAPIViewSet):
    @classmethod
    def get_body_fields(cls, model):
        fields = super().get_body_fields(model)
        if issubclass(model, DocumentationPage):
            names = {field.name for field in fields}
            fields += [field for field in documentation_api_fields() if field.name not in names]
        return fields

    def get_base_queryset(self):
        # Wagtail's own filter lets through the pages this request may open (a password typed
        # earlier in the session); the open API lists what everyone may read.
        return super().get_base_queryset().public()


class PublicImagesAPIViewSet(PublicAPIMixin, ImagesAPIViewSet):
    def get_queryset(self):
        return shown_on_public_pages(super().get_queryset())


class PublicDocumentsAPIViewSet(PublicAPIMixin, DocumentsAPIViewSet):
    def get_queryset(self):
        return shown_on_public_pages(super().get_queryset())


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
