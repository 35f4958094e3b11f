"""The InterTransfo board: every Lab of a programme side by side, as a table with bars, and as CSV."""
import csv
import io

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _, ngettext
from django.views.generic import TemplateView, View

from cases.exchange import ESCAPED_STARTS, EXPORT_DELIMITER
from cases.models import Stage
from common.views import PermissionRequiredMixin
from programmes.models import Programme
from programmes.rules import labs_run_by

from .board_figures import STAGES, board_rows, parse_sort, scales_of, sorted_rows, totals_of

BAR_WIDTH = 80  # px: every bar of a column is drawn on this width for the same maximum
PER_PAGE = 50  # rows a page: about a screen and a half, and an A4 landscape sheet or two
# Short column heads for the stages (the full name is the <abbr>'s title and the bar's label).
STAGE_SHORT = {
    Stage.FRAMING: _("Cadr."),
    Stage.INQUIRY: _("Enq."),
    Stage.IDEATION: _("Idéa."),
    Stage.PROTOTYPING: _("Proto."),
    Stage.TESTING: _("Test"),
    Stage.DEPLOYMENT: _("Dépl."),
    Stage.ABANDONED: _("Aband."),
}


def bar_length(value, maximum):
    """The length of ``value``'s bar on a column whose largest value is ``maximum``."""
    if not maximum or not value:
        return 0
    return round(BAR_WIDTH * min(value, maximum) / maximum, 1)


BAR = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="bar bar--{kind}" viewBox="0 0 {width} 10" preserveAspectRatio="none" '
    'role="img" aria-label="{label}"><title>{label}</title>{extent}'
    '<rect class="bar__value" x="0" y="0" width="{value}" height="10"/></svg>'
)
EXTENT = '<rect class="bar__extent" x="0" y="0.5" width="{}" height="9"/>'


def bar(kind, label, value, extent=0):
    """One bar, drawn here rather than by a template included 500 times a page: ``extent``
    outlined (what is planned, the whole duration), ``value`` filled; the figure is also written
    beside it. Lengths are written with a dot whatever the language."""
    # Plain formatting: only the label is text (escaped); the rest are numbers of ours.
    return mark_safe(BAR.format(
        kind=kind, width=BAR_WIDTH, label=escape(label), value=repr(float(value)),
        extent=EXTENT.format(repr(float(extent))) if extent else "",
    ))


class BoardMixin(PermissionRequiredMixin):
    """The programme of the URL; who may open its board (``dashboards.open_board``) — the others,
    ambassadors included, get a 404 as for a programme that does not exist."""

    permission_required = "dashboards.open_board"

    def get_permission_object(self):
        programme = Programme.objects.filter(slug=self.kwargs["programme_slug"]).first()
        if programme is None:
            raise Http404
        return programme

    def resolve(self, **kwargs):
        self.programme = self.permission_object
        self.sort, self.descending = parse_sort(self.request.GET.get("tri"))
        rows = board_rows(self.programme, today=timezone.localdate())
        self.scales = scales_of(rows)
        self.totals = totals_of(rows)
        self.rows = sorted_rows(rows, self.sort, self.descending)


class BoardView(BoardMixin, TemplateView):
    template_name = "dashboards/board.html"

    def columns(self):
        """The sortable column heads: key, label, its short form, first direction (figures: largest first)."""
        columns = [
            ("labo", _("Labo"), None, False),
            ("collectivite", _("Collectivité"), None, False),
            ("phase", _("Phase (mois n sur N)"), None, True),
            ("sessions", _("Sessions tenues / prévues"), None, True),
            ("presence", _("Taux de présence"), None, True),
            *((f"etape-{stage.value}", stage.label, STAGE_SHORT[stage], True) for stage in STAGES),
            ("entrees", _("Entrées (30 derniers jours)"), None, True),
            ("activite", _("Dernière activité"), None, True),
        ]
        heads = []
        for key, label, short, largest_first in columns:
            current = key == self.sort
            # Clicking the current column turns it round; another column starts in its natural order.
            descending = (not self.descending) if current else largest_first
            heads.append({
                "key": key, "label": label, "short": short, "is_stage": key.startswith("etape-"),
                "sort_value": f"-{key}" if descending else key,
                "aria_sort": ("descending" if self.descending else "ascending") if current else None,
            })
        return heads

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.rows, PER_PAGE).get_page(self.request.GET.get("page"))
        scales = self.scales
        # A Lab's row leads to its dashboard for those who run it, to its page for the others.
        run = set(labs_run_by(self.request.user).filter(programme=self.programme).values_list("pk", flat=True))
        # Translated once a page, not once a cell (700 Labs make 50 rows of 11 bars).
        rate_label, month_label = gettext("Taux de présence : %(rate)s %%"), gettext("Mois %(n)s sur %(total)s")
        sessions_label, stage_label = gettext("%(held)s sessions tenues sur %(planned)s prévues"), gettext("%(stage)s : %(count)s cas")
        stage_names = [str(stage.label) for stage in STAGES]
        lines = []
        for row in page.object_list:
            rate = None if row.rate is None else bar(
                "presence", rate_label % {"rate": row.rate}, bar_length(row.rate, 100), BAR_WIDTH
            )
            lines.append({
                "row": row,
                "url": reverse("lab_dashboard:dashboard", kwargs={"lab_slug": row.slug}) if row.pk in run
                else reverse("programmes:lab_detail", kwargs={"slug": row.slug}),
                "phase_bar": bar(
                    "phase", month_label % {"n": row.month, "total": row.months},
                    bar_length(row.month, scales.months), bar_length(row.months, scales.months),
                ),
                "sessions_bar": bar(
                    "sessions", sessions_label % {"held": row.held, "planned": row.planned},
                    bar_length(row.held, scales.planned), bar_length(row.planned, scales.planned),
                ),
                "rate_bar": rate,
                "stages": [
                    {"count": count, "bar": bar(
                        "stage", stage_label % {"stage": name, "count": count}, bar_length(count, scales.cases_per_stage)
                    )}
                    for name, count in zip(stage_names, row.stage_counts)
                ],
                "entries_bar": bar(
                    "entries",
                    ngettext("%(count)s entrée ces 30 derniers jours", "%(count)s entrées ces 30 derniers jours", row.recent_entries)
                    % {"count": row.recent_entries},
                    bar_length(row.recent_entries, scales.recent_entries),
                ),
            })
        context.update(
            programme=self.programme, page_obj=page, lines=lines, columns=self.columns(), scales=scales,
            totals=self.totals, bar_width=BAR_WIDTH, sort=("-" if self.descending else "") + self.sort,
        )
        return context


CSV_COLUMNS = [
    ("labo", _("Labo")),
    ("collectivite", _("Collectivité")),
    ("phase", _("Phase")),
    ("mois", _("Mois")),
    ("mois_total", _("Mois en tout")),
    ("sessions_tenues", _("Sessions tenues")),
    ("sessions_prevues", _("Sessions prévues")),
    ("jours_presents", _("Présences constatées")),
    ("jours_notes", _("Présences notées")),
    ("taux_presence", _("Taux de présence (%)")),
    *((f"cas_{stage.value}", stage.label) for stage in STAGES),
    ("entrees_30_jours", _("Entrées (30 derniers jours)")),
    ("derniere_activite", _("Dernière activité")),
]


def _cell(value):
    text = "" if value is None else str(value)
    # A spreadsheet would run « =… » as a formula (a Lab's name is typed by people).
    return f"'{text}" if text.startswith(ESCAPED_STARTS) else text


class BoardCsvView(BoardMixin, View):
    """The whole board (every Lab, not one page), in the order of the page: UTF-8 with BOM and
    « ; », as the case exports."""

    def get(self, request, *args, **kwargs):
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
        writer.writerow([str(label) for _key, label in CSV_COLUMNS])
        for row in self.rows:
            writer.writerow([_cell(value) for value in [
                row.name, row.collectivite, row.phase_label, row.month, row.months, row.held, row.planned,
                row.attended, row.marked, row.rate, *row.stage_counts, row.recent_entries,
                row.last_activity.isoformat() if row.last_activity else "",
            ]])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        filename = gettext("tableau-de-bord-%(programme)s.csv") % {"programme": self.programme.slug}
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
