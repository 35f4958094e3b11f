"""A Lab's dashboard, and each of its tables as CSV: for those who run the Lab and its coordination."""
import csv
import html
import io

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views import View

from common.views import PermissionRequiredMixin
from programmes.models import Lab

from . import charts
from . import lab_figures as figures_module
from .freshness import cached
from .lab_figures import lab_figures

# A spreadsheet would run a cell starting so as a formula: an apostrophe keeps it text (as the cases' export).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class LabDashboardMixin(PermissionRequiredMixin):
    permission_required = "dashboards.view_lab_dashboard"

    def get_permission_object(self):
        self.lab = get_object_or_404(Lab.objects.select_related("programme", "collectivite"), slug=self.kwargs["lab_slug"])
        return self.lab


class LabDashboardView(LabDashboardMixin, View):
    """Rhythm, attendance, cases and who takes part, each chart with its summary, table and CSV."""

    template_name = "dashboards/lab_dashboard.html"
    body_template = "dashboards/lab_dashboard_body.html"

    def get(self, request, *args, **kwargs):
        day, language = figures_module.current_day(), get_language()
        key = f"dashboards:lab:{self.lab.pk}:{day.isoformat()}:{language}"
        body = cached(key, lambda: render_to_string(self.body_template, self.body_context(day)))
        response = TemplateResponse(request, self.template_name, {"lab": self.lab, "body": mark_safe(body)})
        response["Cache-Control"] = "private, no-store"
        return response

    def body_context(self, day):
        """Everything under the page's title: the same for every reader allowed to open it."""
        figures = lab_figures(self.lab, day)
        tables = figures.tables()

        def section(chart, *keys, wide=False):
            shown = [{"table": tables[key], "body": table_body(tables[key])} for key in keys]
            return {"chart": chart, "tables": shown, "wide": wide,
                    "template": f"dashboards/charts/{chart.kind}.html"}

        return {
            "lab": self.lab,
            "figures": figures,
            "rhythm": figures.rhythm,
            "rhythm_chart": section(charts.timeline(figures.rhythm), "rythme"),
            "attendance_charts": [
                section(charts.heatmap(figures.attendance), "presences", "taux-personnes", wide=True),
                section(charts.session_rates(figures.attendance), "taux-sessions"),
            ],
            "case_charts": [
                section(charts.stacked_area(figures.cases), "etapes"),
                section(charts.stage_durations(figures.cases), "duree-etapes"),
                section(charts.entries_chart(figures.cases), "entrees"),
            ],
            "stale": tables["cas-en-sommeil"],
            "stale_cases": figures.cases.stale,
            "diversity_charts": [
                section(chart, key)
                for chart, key in zip(charts.diversity_charts(figures.diversity), ("metiers", "directions", "evolution"))
            ],
        }


def table_body(table):
    """The rows of a table as HTML, the first cell of each its header. Written here rather than
    by a template loop: the heatmap's table has as many cells as its chart."""
    def cells(row):
        head, *rest = (html.escape(str(value)) for value in row)
        return f'<tr><th scope="row">{head}</th>' + "".join(f"<td>{cell}</td>" for cell in rest) + "</tr>"

    return mark_safe("".join(cells(row) for row in table.rows))


def csv_text(table) -> str:
    """One table as CSV text: UTF-8 with a BOM, « ; » between cells, as the cases' export."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class LabDashboardCsvView(LabDashboardMixin, View):
    """The rows of one of the dashboard's tables, named by its key (``etapes``, ``presences``…)."""

    def get(self, request, *args, **kwargs):
        tables = lab_figures(self.lab).tables()
        table = tables.get(kwargs["table"])
        if table is None:
            raise Http404
        response = HttpResponse(csv_text(table), content_type="text/csv; charset=utf-8")
        filename = f"{self.lab.slug}-{table.key}-{figures_module.current_day().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
