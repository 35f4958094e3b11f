"""Pages of the open documentation, published with Wagtail from the platform's own database."""
from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from programmes.models import LICENCE_URLS, Lab, Licence

from .blocks import BaseStreamBlock, QuestionBlock

PAGE_SIZE = 12


class LicensedPage(Page):
    """A documentation page carries its licence and its authors."""

    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_SA_4)
    authors = models.CharField(
        _("auteur·rices"),
        max_length=300,
        blank=True,
        help_text=_("Nommer une personne seulement avec son accord."),
    )

    class Meta:
        abstract = True

    @property
    def licence_url(self):
        return LICENCE_URLS[self.licence]


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["docs.DocumentationIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")
        verbose_name_plural = _("pages d'accueil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = (
            ArticlePage.objects.live().public().order_by("-date", "-first_published_at")[:3]
        )
        return context


class DocumentationIndexPage(Page):
    """The blog of the programme: every published article, report and sheet."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["docs.HomePage"]
    subpage_types = ["docs.ArticlePage", "docs.FaqPage"]

    class Meta:
        verbose_name = _("index de la documentation")
        verbose_name_plural = _("index de la documentation")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = (
            ArticlePage.objects.child_of(self)
            .live()
            .public()
            .select_related("lab")
            .order_by("-date", "-first_published_at")
        )
        context["page_obj"] = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
        context["faq_pages"] = FaqPage.objects.child_of(self).live().public()
        return context


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey("docs.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class ArticlePage(LicensedPage):
    date = models.DateField(_("date"))
    intro = models.TextField(_("chapô"), max_length=500)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)
    lab = models.ForeignKey(
        Lab, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("labo")
    )
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("mots-clés"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("lab"),
        FieldPanel("tags"),
        FieldPanel("authors"),
        FieldPanel("licence"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["docs.DocumentationIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")


class FaqPage(LicensedPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    questions = StreamField([("question", QuestionBlock())], verbose_name=_("questions"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("questions"), FieldPanel("authors"), FieldPanel("licence")]
    search_fields = [*Page.search_fields, index.SearchField("questions")]
    parent_page_types = ["docs.DocumentationIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQ")
