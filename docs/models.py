"""Pages of the open documentation, published with Wagtail from the platform's own database.

Every content page (article, session report, case story, fiche, FAQ, Lab page) is a
``DocumentationPage``: one table holds what they share — licence, authors, Lab, date, summary,
cover image and tags — so that the index, the tag pages, the feeds and the open data list every
kind of page with a fixed number of queries, whatever the number of pages and of kinds.

Where pages live: the home page (site root) has the documentation index (/documentation/),
parent of the programme-wide pages (articles of no Lab, the FAQ), and the Lab index (/transfos/),
parent of one Lab page per Lab. A Lab's page is the root of that Lab's part of the documentation:
its articles, session reports, case stories and fiches live under it (/transfos/<lab>/<page>/),
where its residents may write them (Wagtail's page permissions on that subtree, docs.rights).
The documentation index lists every page of the site, wherever it lives.
"""
from html import unescape

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from ambassadors.models import Ambassador
from cases.models import Case, Stage
from common.page_cache import mark_cacheable
from common.text import search_words, validate_single_line
from programmes.models import LICENCE_URLS, Lab, LabMembership, Licence, Programme, Visibility
from sessions.models import EventStatus, Session

from .blocks import BaseStreamBlock, PointsBlock, QuestionBlock
from .forms import DocumentationFilterForm, SearchForm
from .metadata import page_metadata
from .page_forms import DocumentationPageForm
from .richtext import sanitise_richtext, sanitise_stream

PAGE_SIZE = 12
# Where a content page may be created: programme-wide under the index, or in a Lab's place.
PAGE_PLACES = ["docs.DocumentationIndexPage", "docs.LabPage"]
INTRO_FEATURES = ["bold", "italic", "link"]


def default_licence():
    """New pages take the licence the programme chose by default (the latest programme's)."""
    return Programme.objects.values_list("default_licence", flat=True).first() or Licence.CC_BY_SA_4


class PublicPage(Page):
    """What every page of the public site does.

    Its rich text (fields and StreamField blocks) is cleaned on every save: Wagtail's ``Page.save``
    runs ``full_clean`` and so do revisions; cleaning in both also covers ``save(clean=False)`` and
    pages built in code (docs.richtext). Served to an anonymous visitor, it is kept in the page
    cache (common.page_cache). It describes itself to search engines and social networks (docs.metadata).
    """

    og_type = "website"

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        return self.offer_to_cache(request, super().serve(request, *args, **kwargs))

    @staticmethod
    def offer_to_cache(request, response):
        # Only what anyone may see: Wagtail answers restricted pages before reaching serve(),
        # and the cache itself refuses requests that carry a session.
        if not request.user.is_authenticated:
            mark_cacheable(response)
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_metadata"] = page_metadata(self, request)
        # Where tag pages and the search live, for the links of every page.
        context["documentation_url"] = self.url if isinstance(self, DocumentationIndexPage) else documentation_url()
        return context

    def full_clean(self, *args, **kwargs):
        self.sanitise_rich_text()
        return super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self.sanitise_rich_text()
        return super().save(*args, **kwargs)

    def sanitise_rich_text(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, RichTextField):
                setattr(self, field.attname, sanitise_richtext(getattr(self, field.attname)))
            elif isinstance(field, StreamField):
                setattr(self, field.attname, sanitise_stream(field, getattr(self, field.attname)))


class HomePage(PublicPage):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["docs.DocumentationIndexPage", "docs.LabIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")
        verbose_name_plural = _("pages d'accueil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_pages"] = DocumentationPage.objects.published().listed().for_cards().newest_first()[:3]
        context["lab_index"] = LabIndexPage.objects.live().public().first()
        return context


class DocumentationIndexPage(RoutablePageMixin, PublicPage):
    """The blog of the programme: every published article, report, story, fiche and FAQ.

    Routes: the index itself, filtered by Lab, kind and tag (GET parameters, no JS needed),
    one page per tag (``tag/<slug>/``) and the search (``recherche/?q=…``). Each lists its
    pages with a fixed number of queries (``DocumentationPageQuerySet.for_cards``).
    """

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["docs.HomePage"]
    subpage_types = [
        "docs.ArticlePage", "docs.SessionReportPage", "docs.CaseStoryPage", "docs.FichePage", "docs.FaqPage",
    ]

    class Meta:
        verbose_name = _("index de la documentation")
        verbose_name_plural = _("index de la documentation")

    def serve(self, request, *args, **kwargs):
        # RoutablePageMixin calls a route's view without going through PublicPage.serve.
        return self.offer_to_cache(request, super().serve(request, *args, **kwargs))

    def listed_pages(self):
        # Every page of this site, in a Lab's place or here: the path prefix of the home page
        # (the index's parent) selects them without a query for the parent.
        site_pages = DocumentationPage.objects.filter(path__startswith=self.path[: -self.steplen], depth__gte=self.depth)
        return site_pages.published().listed().for_cards().newest_first()

    @path("", name="index")
    def index_view(self, request):
        listed = self.listed_pages()
        on_listed_pages = Q(docs_documentationpagetag_items__content_object__in=listed.values("pk"))
        uses = Count("docs_documentationpagetag_items", filter=on_listed_pages)
        used_tags = Tag.objects.annotate(uses=uses).filter(uses__gt=0).order_by("-uses", "name")
        form = DocumentationFilterForm(request.GET, labs=Lab.objects.order_by("name"), kinds=page_kinds(), tags=used_tags)
        pages = listed
        status = 200
        if form.is_valid():
            if form.cleaned_data["labo"]:
                pages = pages.in_lab(form.cleaned_data["labo"])
            if form.cleaned_data["type"]:
                pages = pages.of_kind(form.cleaned_data["type"])
            if form.cleaned_data["tag"]:
                pages = pages.tagged(form.cleaned_data["tag"])
        else:
            pages, status = pages.none(), 400
        response = self.render(
            request,
            context_overrides={
                "filter_form": form,
                "page_obj": Paginator(pages, PAGE_SIZE).get_page(request.GET.get("page")),
                "is_filtered": any(request.GET.get(name) for name in form.fields),
                "search_form": SearchForm(),
                "search_url": self.url + self.reverse_subpage("search"),
            },
        )
        response.status_code = status
        return response

    @path("tag/<str:tag_slug>/", name="tag")
    def tag_view(self, request, tag_slug):
        tag = Tag.objects.filter(slug=tag_slug).first()
        if tag is None:
            raise Http404
        pages = self.listed_pages().tagged(tag.slug)
        return self.render(
            request,
            template="docs/documentation_tag_page.html",
            context_overrides={"tag": tag, "page_obj": Paginator(pages, PAGE_SIZE).get_page(request.GET.get("page"))},
        )

    @path("recherche/", name="search")
    def search_view(self, request):
        form = SearchForm(request.GET)
        query = form.cleaned_data["q"].strip() if form.is_valid() else ""
        results = None
        terms = search_words(query)
        if query:
            # Every public page, Lab pages included; the search runs on the database (PostgreSQL
            # full text with French stemming where available).
            found = DocumentationPage.objects.published().for_cards().search(terms) if terms else DocumentationPage.objects.none()
            results = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        response = self.render(
            request,
            template="docs/documentation_search_page.html",
            context_overrides={"search_form": form, "query": query, "page_obj": results},
        )
        if form.errors:
            response.status_code = 400
        return response

    def tag_url(self, tag_slug):
        return self.url + self.reverse_subpage("tag", kwargs={"tag_slug": tag_slug})


class LabIndexPage(PublicPage):
    """The public list of the Labs (« les Transfos »), parent of one page per Lab."""

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["docs.HomePage"]
    subpage_types = ["docs.LabPage"]
    max_count = 1

    class Meta:
        verbose_name = _("index des labos")
        verbose_name_plural = _("index des labos")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lab_pages"] = (
            LabPage.objects.published().child_of(self).select_related("lab__collectivite").order_by("lab__start_date")
        )
        return context


class DocumentationPageQuerySet(PageQuerySet):
    def published(self):
        """Pages anyone may read: live and without a view restriction."""
        return self.live().public()

    def listed(self):
        """The kinds the documentation index lists (Lab pages have their own index)."""
        return self.exclude(content_type__app_label="docs", content_type__model=LabPage._meta.model_name)

    def of_kind(self, kind):
        """Pages of one kind (``ArticlePage.kind``…); an unknown kind gives no page."""
        model = page_kinds().get(kind)
        if model is None:
            return self.none()
        return self.filter(content_type__app_label="docs", content_type__model=model._meta.model_name)

    def in_lab(self, lab):
        return self.filter(lab=lab)

    def tagged(self, tag_slug):
        return self.filter(pk__in=DocumentationPageTag.objects.filter(tag__slug=tag_slug).values("content_object_id"))

    def newest_first(self):
        return self.order_by("-date", "-first_published_at", "-pk")

    def for_cards(self):
        """What a card shows (kind, Lab, tags, picture) fetched in two queries for the whole list
        (three when a page has a cover image: its renditions)."""
        return self.select_related("lab", "content_type", "cover_image").prefetch_related(
            Prefetch("tagged_items", queryset=DocumentationPageTag.objects.select_related("tag").order_by("tag__name")),
            "cover_image__renditions",
        )


DocumentationPageManager = PageManager.from_queryset(DocumentationPageQuerySet)


class DocumentationPageTag(TaggedItemBase):
    """One tag vocabulary for every kind of documentation page."""

    content_object = ParentalKey("docs.DocumentationPage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("mot-clé d'une page")
        verbose_name_plural = _("mots-clés des pages")
        ordering = ["tag__name"]

    def __str__(self):
        return str(self.tag)


class DocumentationPage(PublicPage):
    """What every content page shares: licence, authors, Lab, date, summary, cover image, tags."""

    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=default_licence)
    authors = models.CharField(
        _("auteur·rices"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Nommer une personne seulement avec son accord ; sinon un prénom, un rôle ou une équipe."),
    )
    lab = models.ForeignKey(
        Lab, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("labo")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(
        _("chapô"), max_length=500, blank=True, help_text=_("Le résumé montré dans les listes et les partages.")
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image de partage"),
        help_text=_("Montrée quand la page est partagée ; sans visage reconnaissable sans accord."),
    )
    tags = ClusterTaggableManager(through=DocumentationPageTag, blank=True, verbose_name=_("mots-clés"))

    objects = DocumentationPageManager()
    base_form_class = DocumentationPageForm

    # The value of the index's "type" filter, and the schema.org type of the JSON-LD.
    kind = ""
    schema_type = "CreativeWork"
    # The page's content as its own page shows it, for the API and the open data (``content_html``).
    content_template = "docs/includes/content_body.html"

    common_panels = [
        FieldPanel("date"),
        FieldPanel("lab"),
        FieldPanel("intro"),
        FieldPanel("tags"),
        MultiFieldPanel(
            [FieldPanel("authors"), FieldPanel("licence"), FieldPanel("cover_image")],
            heading=_("Licence, auteur·rices et partage"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("authors"),
        index.FilterField("lab"),
        index.FilterField("date"),
    ]
    is_creatable = False
    parent_page_types = []
    subpage_types = []

    class Meta:
        verbose_name = _("page de documentation")
        verbose_name_plural = _("pages de documentation")
        ordering = ["-date", "-first_published_at"]

    og_type = "article"

    @property
    def licence_url(self):
        return LICENCE_URLS[self.licence]

    @property
    def license(self):
        """The licence's SPDX identifier under the name schema.org and SPDX give it (``licence`` too)."""
        return self.licence

    def content_html(self):
        """The page's content (below its summary) rendered as the page shows it."""
        return render_to_string(self.content_template, {"page": self, **self.content_context()}).strip()

    def content_context(self):
        return {}

    def content_json(self):
        """The page's content as data: its StreamField as Wagtail's API gives it (``[]`` if none)."""
        body = getattr(self, "body", None)
        return body.stream_block.get_api_representation(body) if body is not None else []

    @cached_property
    def sorted_tags(self):
        return list(self.tags.order_by("name"))

    def extra_structured_data(self):
        tags = [tag.name for tag in self.sorted_tags]
        return {"keywords": ", ".join(tags)} if tags else {}

    @property
    def kind_model(self):
        """The specific page class: the instance's own, or for a listing's base instance the one of
        the content type it selected with the page."""
        if type(self) is not DocumentationPage:
            return type(self)
        return self.content_type.model_class()

    @property
    def kind_slug(self):
        return self.kind_model.kind

    @property
    def kind_label(self):
        return self.kind_model._meta.verbose_name

    @property
    def card_tags(self):
        """Tags from the listing's prefetch (``for_cards``), without a query per page."""
        return [tagged.tag for tagged in self.tagged_items.all()]


class ArticlePage(DocumentationPage):
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    kind = "article"
    schema_type = "Article"
    content_panels = [*Page.content_panels, *DocumentationPage.common_panels, FieldPanel("body")]
    search_fields = [*DocumentationPage.search_fields, index.SearchField("body")]
    parent_page_types = PAGE_PLACES
    subpage_types = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")


class SessionReportPage(DocumentationPage):
    """The public report of one session of a Lab."""

    session = models.ForeignKey(
        "lab_sessions.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
        help_text=_("La session racontée ; elle n'est nommée publiquement que si elle est publique."),
    )
    start_date = models.DateField(_("premier jour"), null=True, blank=True)
    end_date = models.DateField(_("dernier jour"), null=True, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    kind = "compte-rendu"
    schema_type = "Report"
    content_panels = [
        *Page.content_panels,
        FieldPanel("session"),
        FieldPanel("start_date"),
        FieldPanel("end_date"),
        *DocumentationPage.common_panels,
        FieldPanel("body"),
        InlinePanel("photos", label=_("Photos")),
    ]
    search_fields = [*DocumentationPage.search_fields, index.SearchField("body")]
    parent_page_types = PAGE_PLACES
    subpage_types = []

    class Meta:
        verbose_name = _("compte rendu de session")
        verbose_name_plural = _("comptes rendus de session")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Renditions come with their images: one query for every photo of the report.
        context["photos"] = self.photos.select_related("image").prefetch_related("image__renditions")
        context["public_session"] = public_or_none(self.session) if self.session_id else None
        return context

    def clean(self):
        super().clean()
        if self.session_id:
            session = self.session
            if self.lab_id is None:
                self.lab_id = session.lab_id
            elif self.lab_id != session.lab_id:
                raise ValidationError({"session": _("Cette session appartient à un autre labo que celui de la page.")})
            self.start_date = self.start_date or session.start_date
            self.end_date = self.end_date or session.end_date
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Le dernier jour ne peut pas précéder le premier.")})


class SessionReportPhoto(Orderable):
    """A photo of a session report (its original is stripped of EXIF and GPS at upload)."""

    page = ParentalKey(SessionReportPage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    alt_text = models.CharField(
        _("texte alternatif"), max_length=250, validators=[validate_single_line], help_text=_("Ce que la photo montre, pour qui ne la voit pas.")
    )
    caption = models.CharField(_("légende"), max_length=250, blank=True, validators=[validate_single_line])

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption or self.alt_text


class CaseStoryPage(DocumentationPage):
    """The public story of a cas pratique: its problem, how far it went, what it taught."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cas pratique"),
        help_text=_("Le cas raconté ; il n'est nommé publiquement que s'il est public."),
    )
    problem = models.TextField(_("problématique"), blank=True)
    stage = models.CharField(_("étape atteinte"), max_length=20, choices=Stage.choices, blank=True)
    lessons = models.TextField(_("enseignements"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    kind = "recit"
    schema_type = "Article"
    content_panels = [
        *Page.content_panels,
        FieldPanel("case"),
        FieldPanel("problem"),
        FieldPanel("stage"),
        FieldPanel("lessons"),
        *DocumentationPage.common_panels,
        FieldPanel("body"),
    ]
    search_fields = [
        *DocumentationPage.search_fields,
        index.SearchField("problem"),
        index.SearchField("lessons"),
        index.SearchField("body"),
    ]
    parent_page_types = PAGE_PLACES
    subpage_types = []

    class Meta:
        verbose_name = _("récit de cas")
        verbose_name_plural = _("récits de cas")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["public_case"] = public_or_none(self.case) if self.case_id else None
        return context

    def clean(self):
        super().clean()
        if self.case_id:
            if self.lab_id is None:
                self.lab_id = self.case.lab_id
            elif self.lab_id != self.case.lab_id:
                raise ValidationError({"case": _("Ce cas pratique appartient à un autre labo que celui de la page.")})


class FichePage(DocumentationPage):
    """A « code source » sheet: hypotheses, observations and lessons, each point with its evidence.

    Points are numbered when shown (H1, O1, E1…); evidence cites sessions and cases, and only the
    public ones are named or linked.
    """

    hypotheses = StreamField(PointsBlock(), verbose_name=_("hypothèses"), blank=True)
    observations = StreamField(PointsBlock(), verbose_name=_("observations"), blank=True)
    lessons = StreamField(PointsBlock(), verbose_name=_("enseignements"), blank=True)

    kind = "fiche"
    schema_type = "Report"
    content_template = "docs/includes/fiche_sections.html"
    # (field, numbering letter, heading) in the order the sheet reads.
    SECTIONS = [
        ("hypotheses", "H", _("Hypothèses")),
        ("observations", "O", _("Observations")),
        ("lessons", "E", _("Enseignements")),
    ]
    content_panels = [
        *Page.content_panels,
        *DocumentationPage.common_panels,
        FieldPanel("hypotheses"),
        FieldPanel("observations"),
        FieldPanel("lessons"),
    ]
    search_fields = [
        *DocumentationPage.search_fields,
        index.SearchField("hypotheses"),
        index.SearchField("observations"),
        index.SearchField("lessons"),
    ]
    parent_page_types = PAGE_PLACES
    subpage_types = []

    class Meta:
        verbose_name = _("fiche « code source »")
        verbose_name_plural = _("fiches « code source »")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.numbered_sections()
        return context

    def content_context(self):
        return {"sections": self.numbered_sections()}

    def content_json(self):
        # The points as the page shows them: a non-public source is counted, never named.
        return [
            {"type": section["field"], "value": [
                {"number": point["number"], "text": str(point["text"]), "sources": point["cited"], "non_public_sources": point["hidden"]}
                for point in section["points"]
            ]}
            for section in self.numbered_sections()
        ]

    def numbered_sections(self):
        """The three lists, each point numbered (H1, O1, E1…) with its evidence resolved.

        Every cited session and case is read in two queries for the whole sheet. A public item is
        named and linked; any other is only counted ("a non-public source"): the public page
        must not reveal what a Lab keeps to itself, not even its title.
        """
        points = [
            (field, letter, heading, list(getattr(self, field))) for field, letter, heading in self.SECTIONS
        ]
        session_ids, case_ids = set(), set()
        for _field, _letter, _heading, blocks in points:
            for block in blocks:
                session_ids.update(_ids(block.value.get("sessions")))
                case_ids.update(_ids(block.value.get("cases")))
        sessions = {
            session.pk: session
            for session in Session.objects.filter(pk__in=session_ids).select_related("lab")
        }
        cases = {case.pk: case for case in Case.objects.filter(pk__in=case_ids).select_related("lab")}
        stories = {}
        if cases:
            public_case_ids = [pk for pk, case in cases.items() if case.visibility == Visibility.PUBLIC]
            for story in CaseStoryPage.objects.published().filter(case_id__in=public_case_ids):
                stories.setdefault(story.case_id, story)
        sections = []
        for field, letter, heading, blocks in points:
            numbered = []
            for position, block in enumerate(blocks, start=1):
                cited, hidden = [], 0
                for pk in _ids(block.value.get("sessions")):
                    session = sessions.get(pk)
                    if session is None:
                        continue
                    if session.visibility == Visibility.PUBLIC:
                        cited.append({"label": session_label(session), "url": session.get_absolute_url()})
                    else:
                        hidden += 1
                for pk in _ids(block.value.get("cases")):
                    case = cases.get(pk)
                    if case is None:
                        continue
                    if case.visibility == Visibility.PUBLIC:
                        story = stories.get(pk)
                        url = story.url if story else case.get_absolute_url()
                        cited.append({"label": f"{case.title} ({case.lab.name})", "url": url})
                    else:
                        hidden += 1
                numbered.append(
                    {"number": f"{letter}{position}", "text": block.value["text"], "cited": cited, "hidden": hidden}
                )
            sections.append({"field": field, "letter": letter, "heading": heading, "points": numbered})
        return sections


class FaqPage(DocumentationPage):
    preamble = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    questions = StreamField([("question", QuestionBlock())], verbose_name=_("questions"), blank=True)

    kind = "faq"
    schema_type = "FAQPage"
    content_template = "docs/includes/faq_content.html"
    content_panels = [*Page.content_panels, FieldPanel("preamble"), FieldPanel("questions"), *DocumentationPage.common_panels]
    search_fields = [*DocumentationPage.search_fields, index.SearchField("preamble"), index.SearchField("questions")]
    parent_page_types = ["docs.DocumentationIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQ")

    def clean(self):
        super().clean()
        if not self.intro.strip() and self.preamble:
            # The summary of lists, feeds, open data and shares: the introduction when none is given.
            self.intro = Truncator(" ".join(unescape(strip_tags(self.preamble)).split())).chars(500)

    def content_json(self):
        return self.questions.stream_block.get_api_representation(self.questions)

    def answered_questions(self):
        """(question, answer as plain text) of the questions that have an answer."""
        pairs = [(block.value["question"], block.value["answer"]) for block in self.questions]
        pairs = [(question, " ".join(unescape(strip_tags(answer.source)).split()) if answer else "") for question, answer in pairs]
        return [(question, answer) for question, answer in pairs if answer]

    def extra_structured_data(self):
        data = super().extra_structured_data()
        # Only the questions answered: schema.org's FAQPage (and search engines) want each Question
        # with its acceptedAnswer, and a question still waiting for its answer is not one yet.
        data["mainEntity"] = [
            {"@type": "Question", "name": question, "acceptedAnswer": {"@type": "Answer", "text": answer}}
            for question, answer in self.answered_questions()
        ]
        return data


class LabPage(DocumentationPage):
    """The public page of one Lab (its Transfo): dates, team, public cases and reports."""

    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    kind = "labo"
    schema_type = "WebPage"
    content_panels = [*Page.content_panels, *DocumentationPage.common_panels, FieldPanel("body")]
    search_fields = [*DocumentationPage.search_fields, index.SearchField("body")]
    parent_page_types = ["docs.LabIndexPage"]
    # The Lab's own pages live under its page (its residents' place); the FAQ stays programme-wide.
    subpage_types = ["docs.ArticlePage", "docs.SessionReportPage", "docs.CaseStoryPage", "docs.FichePage"]

    class Meta:
        verbose_name = _("page d'un labo")
        verbose_name_plural = _("pages des labos")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.public_portrait())
        return context

    def public_portrait(self):
        """What the public may know of the Lab: dates, team (with consent), public cases, pages.

        A resident is named only with their consent, else by role and discipline; an ambassador
        is named only with their consent, the others are only counted.
        """
        lab = Lab.objects.select_related("collectivite", "programme").get(pk=self.lab_id)
        residents = [
            {
                "name": membership.user.get_full_name() if membership.public_consent else "",
                "role": membership.get_role_display(),
                "discipline": membership.discipline,
            }
            for membership in LabMembership.objects.filter(lab=lab).select_related("user")
        ]
        ambassadors = list(
            Ambassador.objects.filter(
                lab=lab, circle=Ambassador.Circle.AMBASSADOR, is_active=True, public_consent=True
            ).only("first_name", "last_name", "metier", "direction")
        )
        counts = Ambassador.objects.filter(lab=lab, circle=Ambassador.Circle.AMBASSADOR, is_active=True).aggregate(
            total=Count("pk"), unnamed=Count("pk", filter=Q(public_consent=False))
        )
        public_cases = list(Case.objects.filter(lab=lab, visibility=Visibility.PUBLIC).order_by("title"))
        stories = {}
        for story in CaseStoryPage.objects.published().filter(case__in=public_cases):
            stories.setdefault(story.case_id, story)
        for case in public_cases:
            case.public_url = stories[case.pk].url if case.pk in stories else case.get_absolute_url()
        sessions = Session.objects.filter(lab=lab).exclude(status=EventStatus.CANCELLED).aggregate(
            planned=Count("pk"), held=Count("pk", filter=Q(status=EventStatus.HELD))
        )
        return {
            "lab": lab,
            "residents": residents,
            "ambassadors": ambassadors,
            "ambassador_count": counts["total"],
            "unnamed_ambassador_count": counts["unnamed"],
            "public_cases": public_cases,
            "sessions_count": sessions,
            "lab_pages": DocumentationPage.objects.published().listed().in_lab(lab).for_cards().newest_first(),
        }

    def extra_structured_data(self):
        data = super().extra_structured_data()
        if self.lab_id:
            data["about"] = {"@type": "GovernmentOrganization", "name": self.lab.collectivite.name}
        return data

    def clean(self):
        super().clean()
        if self.lab_id is None:
            raise ValidationError({"lab": _("Une page de labo présente un labo : choisissez-le.")})
        others = LabPage.objects.filter(lab_id=self.lab_id)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if others.exists():
            raise ValidationError({"lab": _("Ce labo a déjà sa page publique.")})


def page_kinds():
    """The kinds the index filters on, in the order it offers them: ``{kind: page model}``."""
    return {model.kind: model for model in (ArticlePage, SessionReportPage, CaseStoryPage, FichePage, FaqPage)}


def _ids(values):
    """Primary keys from a block's stored choices (strings), ignoring anything else."""
    return [int(value) for value in values or [] if str(value).isdigit()]


def public_or_none(item):
    """The session or case itself if the public may see it, else None (never named publicly)."""
    return item if item is not None and item.visibility == Visibility.PUBLIC else None


def session_label(session):
    return _("%(lab)s — session n° %(number)s") % {"lab": session.lab.name, "number": session.number}


def documentation_url():
    """The documentation index's URL (where tag pages and the search live)."""
    index = DocumentationIndexPage.objects.live().first()
    return index.url if index else None


# The places and the moderation step of docs.rights (their own module, one job each).
from .spaces import LabSpace, ProgrammeSpace, PublisherApprovalTask  # noqa: E402,F401
