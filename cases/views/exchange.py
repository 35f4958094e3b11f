"""Export a Lab's cases and journal (CSV, JSON) and import them back (CSV): for those who run the Lab.

The exports answer 404 to whoever does not run the Lab, as the Lab's other working pages do (a
case's editor, its journal's forms). The import page tells one of the Lab's ambassadors or network
members, who knows the Lab, that it is not for them (403); someone outside the Lab gets a 404 there
too. An anonymous visitor is sent to the login first.
"""
from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from common.csv_files import SHEET_ACCEPT
from common.views import PermissionRequiredMixin
from programmes.models import Lab

from .. import exchange

KIND_CHOICES = [(exchange.CASES, _("Les cas pratiques")), (exchange.ENTRIES, _("Le journal de bord"))]
FILE_NAMES = {exchange.CASES: "cas", exchange.ENTRIES: "journal"}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Ce que contient le fichier"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    csv_file = forms.FileField(
        label=_("Fichier CSV ou Excel"),
        help_text=_(
            "Un fichier exporté d'ici, modifié ou non dans un tableur : CSV (UTF-8, Windows-1252 ou UTF-16 ; "
            "séparateur « ; », « , » ou tabulation) ou classeur Excel (.xlsx), 5 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": SHEET_ACCEPT}),
    )


class ExchangeMixin(PermissionRequiredMixin):
    """The Lab of the URL; each page names its permission (those who run the Lab)."""

    def get_permission_object(self):
        self.lab = get_object_or_404(Lab.objects.select_related("programme", "collectivite"), slug=self.kwargs["lab_slug"])
        return self.lab


def _download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A Lab's private cases: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response


class ExportCsvView(ExchangeMixin, View):
    """One table as CSV: ``?kind=cases`` (the default) or ``?kind=entries`` (the journal)."""

    permission_required = "cases.export_data"

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("kind", exchange.CASES)
        if kind not in exchange.COLUMNS:
            return HttpResponseBadRequest(
                gettext("Export inconnu : demandez kind=cases (les cas) ou kind=entries (le journal)."),
                content_type="text/plain; charset=utf-8",
            )
        rows_of = exchange.case_rows if kind == exchange.CASES else exchange.entry_rows
        content = exchange.export_csv(kind, rows_of(self.lab, request.user))
        filename = f"{self.lab.slug}-{FILE_NAMES[kind]}-{timezone.localdate().isoformat()}.csv"
        return _download(content, content_type="text/csv; charset=utf-8", filename=filename)


class ExportJsonView(ExchangeMixin, View):
    """Both tables in one JSON document."""

    permission_required = "cases.export_data"

    def get(self, request, *args, **kwargs):
        filename = f"{self.lab.slug}-cas-et-journal-{timezone.localdate().isoformat()}.json"
        return _download(exchange.export_json(self.lab, request.user), content_type="application/json; charset=utf-8", filename=filename)


class ImportView(ExchangeMixin, View):
    """The export links and the import form; a file with a single error saves nothing."""

    # The Lab's own people are told the page is not for them (403); everyone else gets the 404.
    visibility_required = "programmes.enter_lab"
    permission_required = "cases.import_data"

    template_name = "cases/exchange_import.html"

    def render(self, form, status=200, errors=()):
        context = {
            "lab": self.lab,
            "form": form,
            "import_errors": list(errors),
            "case_columns": exchange.CASE_COLUMNS,
            "entry_columns": exchange.ENTRY_COLUMNS,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(ImportForm(initial={"kind": exchange.CASES}))

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        report = exchange.import_table(
            lab=self.lab, kind=form.cleaned_data["kind"], csv_file=form.cleaned_data["csv_file"], imported_by=request.user
        )
        if not report.ok:
            messages.error(request, gettext("Le fichier n'a pas été importé : rien n'a été enregistré. Les erreurs sont détaillées plus bas."))
            return self.render(form, status=400, errors=report.errors)
        messages.success(request, _summary(form.cleaned_data["kind"], report))
        return redirect(reverse("cases:board", kwargs={"lab_slug": self.lab.slug}))


def _summary(kind: str, report) -> str:
    if kind == exchange.CASES:
        counts = [
            (ngettext("%(count)s cas créé", "%(count)s cas créés", report.created), report.created),
            (ngettext("%(count)s cas modifié", "%(count)s cas modifiés", report.updated), report.updated),
            (ngettext("%(count)s cas inchangé", "%(count)s cas inchangés", report.unchanged), report.unchanged),
        ]
    else:
        counts = [
            (ngettext("%(count)s entrée ajoutée", "%(count)s entrées ajoutées", report.created), report.created),
            (ngettext("%(count)s entrée déjà présente", "%(count)s entrées déjà présentes", report.unchanged), report.unchanged),
        ]
    parts = [text % {"count": value} for text, value in counts if value]
    return gettext("Import terminé (%(source)s) : %(details)s.") % {"source": report.source, "details": ", ".join(parts)}
