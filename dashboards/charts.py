"""The dashboard's charts as geometry: where each mark, label and axis goes in an SVG.

The templates under ``templates/dashboards/charts/`` draw what these return: plain numbers and
words, no styling. Colours come with a second way to tell series apart (a shape, a letter, a
hatching or a label written on the chart), and every number drawn is one of its table's.
"""
import dataclasses
import datetime

from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import lab_figures as figures

WIDTH = 800
INK, MUTED, LINE = "#1d1d1f", "#4a4a52", "#8c8c8c"

# Fills that keep 3:1 against white and carry their text (white or ink) at 4.5:1 or more.
STAGE_FILLS = {
    "cadrage": "#1f4e79",
    "enquete": "#2e7d32",
    "ideation": "#8a2c0d",
    "prototypage": "#6a1b9a",
    "test": "#00695c",
    "deploiement": "#37474f",
    "abandonne": "url(#dash-hatch)",  # hatched: an outcome, not a stage
}
MARK_STYLES = {
    # mark: (fill, letter, letter colour)
    figures.PRESENT: ("#1b5e20", "P", "#ffffff"),
    figures.ABSENT: ("#b3261e", "A", "#ffffff"),
    figures.EXCUSED: ("#f2c75c", "E", INK),
    figures.UNMARKED: ("#ffffff", "?", INK),
}
SERIES_STYLES = [  # (stroke, dash pattern, marker shape)
    (INK, "", "circle"),
    ("#8a2c0d", "6 4", "square"),
    ("#1f4e79", "2 3", "triangle"),
]


@dataclasses.dataclass
class Chart:
    """One SVG: ``kind`` names its template; the rest is what that template reads."""

    kind: str
    key: str  # unique on the page: the ids of its title and description
    title: str
    summary: str
    width: int
    height: int
    data: dict


def _scale(value, low, high, start, end):
    if high == low:
        return start
    return start + (value - low) * (end - start) / (high - low)


def _nice_max(value):
    """A round top for an axis: 1, 2, 5, 10, 20, 50…"""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _ticks(top):
    """Whole numbers only: a count of people or of cases has no quarter."""
    count = next((count for count in (4, 5, 2) if top % count == 0), 1)
    return [top * index // count for index in range(count + 1)]


def _number(value):
    return int(value) if float(value).is_integer() else value


# --- Rhythm ------------------------------------------------------------------------------


def timeline(rhythm) -> Chart:
    left, right, axis_y = 20, WIDTH - 20, 90
    start, end = rhythm.start_date, rhythm.end_date
    span = (end - start).days or 1

    def x(day):
        return round(left + (day - start).days * (right - left) / span, 1)

    months = figures.months_between(start, end)
    ticks = [
        {"x": x(max(month, start)), "label": date_format(month, "M y") if index % 2 == 0 else ""}
        for index, month in enumerate(months)
    ]
    marks = [
        {"x": x(session.start_date), "width": max(3, x(session.end_date + datetime.timedelta(days=1)) - x(session.start_date)),
         "state": session.state, "number": session.number, "label": session.label,
         "y": axis_y - 30 if index % 2 else axis_y - 48}
        for index, session in enumerate(rhythm.sessions)
    ]
    today = None
    if start <= rhythm.today <= end:
        today = {"x": x(rhythm.today), "label": _("aujourd'hui")}
    labels = figures.state_legend()
    legend = [
        {"state": state, "label": labels[state], "count": rhythm.count(state), "x": 20 + index * 190}
        for index, state in enumerate((figures.EventStatus.HELD, figures.PLANNED, figures.UNCONFIRMED, figures.EventStatus.CANCELLED))
    ]
    return Chart(
        "timeline", "rythme", _("Rythme des sessions"), rhythm_summary(rhythm), WIDTH, 160,
        {"axis_y": axis_y, "left": left, "right": right, "ticks": ticks, "marks": marks, "today": today, "legend": legend},
    )


def rhythm_summary(rhythm) -> str:
    text = _("Sessions tenues : %(held)s sur %(planned)s prévues ; annulées : %(cancelled)s.") % {
        "held": rhythm.held, "planned": rhythm.planned, "cancelled": rhythm.cancelled,
    }
    if rhythm.unconfirmed:
        text += " " + _("Passées sans être marquées tenues : %(count)s.") % {"count": rhythm.unconfirmed}
    return text


# --- Attendance ----------------------------------------------------------------------------


def heatmap(attendance) -> Chart:
    name_width, cell, top = 190, 24, 78
    rate_x = name_width + cell * len(attendance.days) + 10
    columns = [
        {"x": name_width + index * cell + cell / 2, "label": day.day.strftime("%d/%m"), "number": day.number,
         "first": index == 0 or attendance.days[index - 1].number != day.number}
        for index, day in enumerate(attendance.days)
    ]
    rates = dict((person.pk, rate) for person, rate in attendance.per_person)
    rows = []
    for row_index, (person, marks) in enumerate(attendance.cells):
        y = top + row_index * cell
        rate = rates[person.pk]
        rows.append({"y": y, "name": person.name, "left": not person.is_active, "cells": _heat_cells(marks, name_width, y, cell),
                     "rate": "—" if rate.percent is None else f"{rate.percent} %"})
    labels = figures.mark_labels()
    legend = [
        {"fill": MARK_STYLES[mark][0], "letter": MARK_STYLES[mark][1], "colour": MARK_STYLES[mark][2], "label": labels[mark], "x": index * 150}
        for index, mark in enumerate((figures.PRESENT, figures.ABSENT, figures.EXCUSED, figures.UNMARKED))
    ]
    height = top + cell * len(rows) + 50
    overall = attendance.overall
    summary = _("%(people)s personnes sur %(days)s jours de sessions tenues ; présence moyenne %(rate)s.") % {
        "people": len(attendance.people),
        "days": len(attendance.days),
        "rate": "—" if overall.percent is None else f"{overall.percent} %",
    }
    return Chart(
        "heatmap", "presences", _("Présences par personne et par jour"), summary,
        max(620, rate_x + 60), height,
        {"cell": cell, "top": top, "name_width": name_width, "rate_x": rate_x, "columns": columns, "rows": rows,
         "legend": legend, "legend_y": height - 24},
    )


def _heat_cells(marks, left, y, cell):
    """One row of the heatmap's cells, written here rather than by a template loop: a Lab's
    heatmap has a thousand cells or more, which the template engine takes too long to draw.
    Every value written is a number or one of the constants above: nothing to escape."""
    cells = []
    for index, mark in enumerate(marks):
        x = left + index * cell
        fill, letter, colour = MARK_STYLES[mark] if mark else ("#e6e6e6", "", INK)
        cells.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#8c8c8c" stroke-width="0.5"/>')
        if letter:
            cells.append(
                f'<text class="mark" x="{x + cell // 2}" y="{y + 16}" fill="{colour}" text-anchor="middle" '
                f'font-size="11" font-weight="bold">{letter}</text>'
            )
    return mark_safe("".join(cells))


def session_rates(attendance) -> Chart:
    points = [(f"n° {number}", rate.percent) for number, _start, rate in attendance.per_session]
    chart = line_chart(
        "taux-sessions", _("Présence par session tenue (%)"), [(_("Présence"), [value for _, value in points])],
        [label for label, _ in points], top=100,
    )
    known = [value for _, value in points if value is not None]
    if len(known) >= 2:
        chart.summary = _("De %(first)s %% à la première session tenue à %(last)s %% à la dernière.") % {"first": known[0], "last": known[-1]}
    elif known:
        chart.summary = _("Une session tenue : %(rate)s %% de présence.") % {"rate": known[0]}
    else:
        chart.summary = _("Aucune session tenue pour l'instant.")
    return chart


# --- Generic charts ------------------------------------------------------------------------


TARGET_DASH = "10 3 2 3"  # dash-dot: unlike any series' pattern


def line_chart(key, title, series, labels, *, top=None, targets=()) -> Chart:
    """Lines over the same labels; each series has its dash pattern, marker and end label.

    ``targets`` are (label, value, index of the series it is for): each a dash-dot horizontal
    line in that series' colour, with its label written on it, so it is told apart by more than colour.
    """
    left, right, plot_top, bottom = 50, WIDTH - 150, 20, 210
    values = [value for _, serie in series for value in serie if value is not None] + [value for _, value, _i in targets]
    top = top or _nice_max(max(values, default=0))
    count = len(labels)

    def x(index):
        return round(_scale(index, 0, max(count - 1, 1), left, right), 1)

    def y(value):
        return round(_scale(value, 0, top, bottom, plot_top), 1)

    drawn = []
    for index, (name, serie) in enumerate(series):
        stroke, dash, shape = SERIES_STYLES[index % len(SERIES_STYLES)]
        points = [{"x": x(i), "y": y(v), "value": _number(v), "label": labels[i]} for i, v in enumerate(serie) if v is not None]
        end = points[-1] if points else None
        drawn.append({
            "name": name, "stroke": stroke, "dash": dash, "shape": shape, "points": points,
            "path": " ".join(f"{p['x']},{p['y']}" for p in points),
            "end": end and {"x": end["x"] + 10, "y": end["y"] + 4 + index * 2},
        })
    lines = sorted(
        ({"label": label, "y": y(value), "stroke": SERIES_STYLES[index % len(SERIES_STYLES)][0]} for label, value, index in targets),
        key=lambda line: line["y"],
    )
    # Each label just above its line, at the left; one too close to the previous goes under its line.
    previous = None
    for line in lines:
        line["label_y"] = line["y"] - 5
        if previous is not None and line["label_y"] < previous + 14:
            line["label_y"] = line["y"] + 14
        previous = line["label_y"]
    step = max(1, count // 12)
    axis = [{"x": x(i), "label": label} for i, label in enumerate(labels) if i % step == 0]
    grid = [{"y": y(value), "label": _number(value)} for value in _ticks(top)]
    return Chart("lines", key, title, "", WIDTH, 250,
                 {"series": drawn, "axis": axis, "grid": grid, "left": left, "right": right, "bottom": bottom,
                  "show_values": count <= 24, "targets": lines, "target_dash": TARGET_DASH})


def column_chart(key, title, summary, bars) -> Chart:
    """Vertical bars, each with its value written above it."""
    left, right, plot_top, bottom = 50, WIDTH - 20, 24, 210
    top = _nice_max(max((value for _, value in bars), default=0))
    band = (right - left) / max(len(bars), 1)
    width = max(4, band * 0.7)
    step = max(1, len(bars) // 12)
    drawn = []
    for index, (label, value) in enumerate(bars):
        y = _scale(value, 0, top, bottom, plot_top)
        drawn.append({"x": round(left + index * band + (band - width) / 2, 1), "y": round(y, 1),
                      "height": round(bottom - y, 1), "width": round(width, 1), "value": value,
                      "centre": round(left + index * band + band / 2, 1),
                      "label": label if index % step == 0 else "", "name": label})
    grid = [{"y": round(_scale(value, 0, top, bottom, plot_top), 1), "label": _number(value)} for value in _ticks(top)]
    return Chart("columns", key, title, summary, WIDTH, 250,
                 {"bars": drawn, "grid": grid, "left": left, "right": right, "bottom": bottom})


def bar_chart(key, title, summary, bars, *, unit="") -> Chart:
    """Horizontal bars, the name on the left and the value written at the end of each."""
    name_width, right, row = 260, WIDTH - 70, 26
    top = _nice_max(max((value or 0 for _, value in bars), default=0))
    drawn = []
    for index, (label, value) in enumerate(bars):
        length = _scale(value or 0, 0, top, 0, right - name_width)
        drawn.append({"y": 10 + index * row, "label": label if len(label) <= 38 else label[:37] + "…", "name": label,
                      "width": round(length, 1), "value": "—" if value is None else value, "unit": unit,
                      "end": round(name_width + length + 6, 1)})
    return Chart("bars", key, title, summary, WIDTH, 20 + row * max(len(bars), 1),
                 {"bars": drawn, "name_width": name_width})


# --- Cases ---------------------------------------------------------------------------------


def stacked_area(cases) -> Chart:
    left, right, plot_top, bottom = 50, WIDTH - 170, 20, 230
    months = cases.months
    totals = [sum(counts.values()) for counts in cases.by_month]
    top = _nice_max(max(totals, default=0))
    count = len(months)

    def x(index):
        return round(_scale(index, 0, max(count - 1, 1), left, right), 1)

    def y(value):
        return round(_scale(value, 0, top, bottom, plot_top), 1)

    labels = figures.stage_labels()
    base = [0] * count
    bands = []
    for stage in figures.STAGE_ORDER:
        values = [counts.get(stage, 0) for counts in cases.by_month]
        if not any(values):
            continue
        upper = [low + value for low, value in zip(base, values)]
        if count == 1:  # one month: a column rather than a line
            points = [(left, y(upper[0])), (right, y(upper[0])), (right, y(base[0])), (left, y(base[0]))]
        else:
            points = [(x(i), y(v)) for i, v in enumerate(upper)] + [(x(i), y(v)) for i, v in reversed(list(enumerate(base)))]
        last = values[-1]
        bands.append({
            "stage": stage, "label": labels[stage], "fill": STAGE_FILLS[stage], "last": last,
            "points": " ".join(f"{px},{py}" for px, py in points),
            "label_y": round((y(upper[-1]) + y(base[-1])) / 2 + 4, 1),
        })
        base = upper
    # Labels at the right end, pushed apart so that thin bands' labels do not overlap.
    previous = None
    for band in reversed(bands):
        if previous is not None and band["label_y"] < previous + 14:
            band["label_y"] = previous + 14
        previous = band["label_y"]
    step = max(1, count // 9)
    axis = [{"x": x(i), "label": date_format(month, "M y")} for i, month in enumerate(months) if i % step == 0]
    grid = [{"y": y(value), "label": _number(value)} for value in _ticks(top)]
    current = cases.current
    summary = _("%(total)s cas ; aujourd'hui : %(stages)s.") % {
        "total": cases.total,
        "stages": ", ".join(f"{labels[stage]} {current[stage]}" for stage in figures.STAGE_ORDER if current.get(stage)) or "—",
    }
    return Chart("area", "etapes", _("Cas par étape au fil des mois"), summary, WIDTH, 260,
                 {"bands": bands, "axis": axis, "grid": grid, "left": left, "right": right, "bottom": bottom})


def stage_durations(cases) -> Chart:
    labels = figures.stage_labels()
    bars = [(labels[stage], cases.average_days(stage)) for stage in figures.STAGE_ORDER if stage in cases.days_in_stage]
    longest = max(bars, key=lambda bar: bar[1] or 0, default=None)
    summary = (
        _("L'étape la plus longue en moyenne : %(stage)s, %(days)s jours.") % {"stage": longest[0], "days": longest[1]}
        if longest else _("Aucun cas pour l'instant.")
    )
    return bar_chart("duree-etapes", _("Durée moyenne dans chaque étape (jours)"), summary, bars, unit=_("j"))


def entries_chart(cases) -> Chart:
    bars = [(date_format(month, "M y"), count) for month, count in cases.entries]
    total = sum(count for _, count in bars)
    summary = _("%(total)s entrées du journal de bord en %(months)s mois.") % {"total": total, "months": len(bars)}
    return column_chart("entrees", _("Entrées du journal de bord par mois"), summary, bars)


# --- Who takes part --------------------------------------------------------------------------


def diversity_charts(diversity) -> list[Chart]:
    metiers = bar_chart(
        "metiers", _("Métiers des personnes du labo"),
        _("%(people)s personnes, %(count)s métiers différents ; %(left)s ont quitté le labo.") % {
            "people": diversity.active, "count": len(diversity.metiers), "left": diversity.left},
        diversity.metiers,
    )
    directions = bar_chart(
        "directions", _("Directions des personnes du labo"),
        _("%(count)s directions ou services différents.") % {"count": len(diversity.directions)},
        diversity.directions,
    )
    evolution = line_chart(
        "evolution", _("Personnes, métiers et directions au fil des mois"),
        [
            (_("Personnes"), [people for _, people, _m, _d in diversity.over_time]),
            (_("Métiers"), [metiers for _, _p, metiers, _d in diversity.over_time]),
            (_("Directions"), [directions for _, _p, _m, directions in diversity.over_time]),
        ],
        [date_format(month, "M y") for month in diversity.months],
        targets=diversity_targets(diversity),
    )
    if diversity.over_time:
        evolution.summary = evolution_summary(diversity)
    return [metiers, directions, evolution]


def diversity_targets(diversity) -> list[tuple]:
    """The Lab's targets as lines of the evolution chart: métiers with the métiers' series (1), directions with theirs (2)."""
    targets = []
    if diversity.target_metiers is not None:
        targets.append((_("Objectif : %(count)s métiers") % {"count": diversity.target_metiers}, diversity.target_metiers, 1))
    if diversity.target_directions is not None:
        targets.append((_("Objectif : %(count)s directions") % {"count": diversity.target_directions}, diversity.target_directions, 2))
    return targets


def evolution_summary(diversity) -> str:
    _month, people, metier_count, direction_count = diversity.over_time[-1]
    if diversity.target_metiers is None and diversity.target_directions is None:
        return _("Ce mois-ci : %(people)s personnes, %(metiers)s métiers, %(directions)s directions.") % {
            "people": people, "metiers": metier_count, "directions": direction_count}
    if diversity.target_metiers is None:
        metiers = _("%(count)s métiers") % {"count": metier_count}
    else:
        metiers = _("%(count)s métiers différents sur un objectif de %(target)s") % {
            "count": metier_count, "target": diversity.target_metiers}
    if diversity.target_directions is None:
        directions = _("%(count)s directions") % {"count": direction_count}
    else:
        directions = _("%(count)s directions différentes sur un objectif de %(target)s") % {
            "count": direction_count, "target": diversity.target_directions}
    return _("Ce mois-ci : %(people)s personnes, %(metiers)s, %(directions)s.") % {
        "people": people, "metiers": metiers, "directions": directions}
