"""Choosers of the sessions and cases the documentation cites (a fiche's evidence, the session of
a report, the case of a story).

A select of every session and case would read thousands of rows each time an editor opens a
page, and show every title to whoever opens it. A chooser lists them page by page, searched by
title, Lab or number, and only those the editor may read (``programmes.rules.visible_items``):
the title of another Lab's Lab-only case is not shown to whoever may not read it. The public
page still names and links only public items (``FichePage.numbered_sections``).
"""
from django import forms
from django.db.models import Model, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.blocks import ChooserBlock

from cases.models import Case
from programmes.rules import visible_items
from sessions.models import Session


def evidence_label(item):
    """How an editor tells one session or case from another: its Lab, its name, its visibility."""
    if isinstance(item, Session):
        name = _("session n° %(number)s (%(date)s)") % {
            "number": item.number, "date": item.start_date.strftime("%d/%m/%Y"),
        }
    else:
        name = item.title
    return f"{item.lab.name} — {name} ({item.get_visibility_display()})"


class EvidenceSearchForm(BaseFilterForm):
    """Search by words of the title or of the Lab's name, or by a session's number."""

    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Titre, labo ou numéro")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if not query:
            return objects
        condition = Q(lab__name__icontains=query) | Q(title__icontains=query)
        if query.isdigit() and objects.model is Session:
            condition |= Q(number=int(query))
        self.is_searching, self.search_query = True, query
        return objects.filter(condition)


class VisibleItemsMixin:
    """Every step of the chooser sees only what the editor may read, even an id typed by hand."""

    def visible(self):
        return visible_items(self.model_class.objects.select_related("lab"), self.request.user)


class ChooseListMixin(VisibleItemsMixin):
    filter_form_class = EvidenceSearchForm

    def get_object_list(self):
        return self.visible()

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = evidence_label
        return column

    @property
    def columns(self):
        return [
            self.title_column,
            Column("lab", label=_("labo"), accessor=lambda item: item.lab.name),
            Column("visibility", label=_("visibilité"), accessor="get_visibility_display"),
        ]


class ChooseView(ChooseListMixin, chooser_views.ChooseView):
    pass


class ChooseResultsView(ChooseListMixin, chooser_views.ChooseResultsView):
    pass


class ChosenView(VisibleItemsMixin, chooser_views.ChosenView):
    def get_object(self, pk):
        item = self.visible().filter(pk=pk).first() if str(pk).isdigit() else None
        if item is None:
            raise Http404
        return item


class ChosenMultipleView(VisibleItemsMixin, chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return self.visible().filter(pk__in=[pk for pk in pks if str(pk).isdigit()])


class EvidenceChooserWidget(BaseChooser):
    def get_display_title(self, instance):
        return evidence_label(instance)

    def get_instance(self, value):
        if value is None or isinstance(value, self.model_class):
            return value
        return self.model_class.objects.select_related("lab").filter(pk=_pk(value)).first()


class EvidenceChooserBlock(ChooserBlock):
    """A session or case picked in its chooser, kept as its id.

    Reading a page loads none of them (the fiche reads what it cites in one query per kind, and
    names only what is public); the editor's form shows the chosen one's label; saving checks
    that it exists. Its label is not indexed: the title of a case the public may not see must not
    make a public page come up in a search.
    """

    def to_python(self, value):
        return _pk(value)

    def bulk_to_python(self, values):
        return [_pk(value) for value in values]

    def normalize(self, value):
        return _pk(value)

    def get_prep_value(self, value):
        return _pk(value)

    def value_from_form(self, value):
        return _pk(value)

    def get_searchable_content(self, value):
        return []

    def extract_references(self, value):
        if _pk(value) is not None:
            yield self.model_class, str(_pk(value)), "", ""


def _pk(value):
    """A primary key from a stored value, a form value or an instance; None for anything else."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class EvidenceChooserViewSet(ChooserViewSet):
    icon = "doc-full"
    base_widget_class = EvidenceChooserWidget
    base_block_class = EvidenceChooserBlock
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    per_page = 20


session_chooser_viewset = EvidenceChooserViewSet(
    "session_chooser", model=Session, url_prefix="documentation/choisir-une-session",
    choose_one_text=_("Choisir une session"), choose_another_text=_("Choisir une autre session"),
    edit_item_text=_("Modifier"),
)
case_chooser_viewset = EvidenceChooserViewSet(
    "case_chooser", model=Case, url_prefix="documentation/choisir-un-cas",
    choose_one_text=_("Choisir un cas pratique"), choose_another_text=_("Choisir un autre cas pratique"),
    edit_item_text=_("Modifier"),
)
