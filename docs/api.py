"""The read-only JSON API of the published documentation (Wagtail API v2, under /api/v2/).

Every documentation page shows its licence, authors, tags, Lab, date and summary: those fields
are declared here, once for every kind, and a page model's own ``api_fields`` add to them.
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
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, ReferenceIndex

from .models import DocumentationPage


class LabSerializer(serializers.Serializer):
    """A page's Lab: its public name, and the slug of its feeds."""

    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


def documentation_api_fields():
    return [
        APIField("licence"),
        APIField("licence_url"),
        APIField("authors"),
        APIField("tags"),
        APIField("lab", serializer=LabSerializer()),
        APIField("date"),
        APIField("intro"),
    ]


class PublicAPIMixin:
    """Anonymous, read-only, and in the site's default language (page URLs without prefix)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().dispatch(request, *args, **kwargs)


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
