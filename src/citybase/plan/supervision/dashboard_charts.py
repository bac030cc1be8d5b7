"""plotly figures of the dashboard, with titles, axes and hover texts in the reader's language.

Figures are built with ``plotly.graph_objects`` (which checks every property name) and
handed to the page as JSON; ``web/static/charts.js`` draws them with plotly.js.
Light colours are those of the light badges in ``citybase.css``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.plan.supervision.assessment.scorecard import UnitScorecard
from citybase.plan.supervision.dashboard import BANDS, Dashboard, GroupFigures
from citybase.plan.supervision.models import LIGHT_BLUE, LIGHT_GREEN, LIGHT_RED, LIGHT_YELLOW, LIGHTS

LIGHT_COLOURS = {LIGHT_GREEN: "#1f9d55", LIGHT_BLUE: "#2b7bd6", LIGHT_YELLOW: "#f2c200", LIGHT_RED: "#d93025"}
LIGHT_NAMES = {
    LIGHT_GREEN: N_("Green light"), LIGHT_BLUE: N_("Blue light"),
    LIGHT_YELLOW: N_("Yellow light"), LIGHT_RED: N_("Red light"),
}
BAND_NAMES = {
    "none": N_("No value yet"), "0-25": N_("Below 25%"), "25-50": N_("25% to 50%"),
    "50-75": N_("50% to 75%"), "75-100": N_("75% or more, not met"), "met": N_("Target met"),
}
# From grey (nothing known) through light to dark blue, ending in the green of a met target.
BAND_COLOURS = {
    "none": "#9aa3ad", "0-25": "#c6dbef", "25-50": "#8db7e0", "50-75": "#4a8fd0", "75-100": "#0b5cad", "met": "#1f9d55",
}
PROGRESS_COLOUR = "#0b4a8b"
EXPECTED_COLOUR = "#8a8f98"
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
ROW_HEIGHT = 26  # pixels per bar of a horizontal bar chart, at the normal text size


def _percent(fraction: Decimal) -> float:
    return round(float(fraction) * 100, 1)


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16, "color": "#08335f"}},
        "font": {"family": FONT, "size": 14, "color": "#1a1a1a"},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 80, "b": 56},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "traceorder": "normal"},
        "separators": ".,",
        **extra,
    }


def _figure(traces: Sequence[Any], layout: dict[str, Any]) -> dict[str, Any]:
    figure = go.Figure(data=list(traces), layout=layout)
    return figure.to_plotly_json()


def section_short_name(name: str) -> str:
    """Shorten a section heading to its label and quoted catchword: （一）“全域感知”要素… → （一）全域感知."""
    match = re.match(r"^(（[^）]+）)?\s*“([^”]+)”", name)
    if match is None:
        return name
    return f"{match.group(1) or ''}{match.group(2)}"


def lights_figure(dashboard: Dashboard) -> dict[str, Any]:
    labels = [gettext_(LIGHT_NAMES[light]) for light in LIGHTS]
    counts = [dashboard.lights[light] for light in LIGHTS]
    bar = go.Bar(
        x=labels, y=counts, marker={"color": [LIGHT_COLOURS[light] for light in LIGHTS], "line": {"color": "#333", "width": 1}},
        text=counts, textposition="outside", cliponaxis=False,
        hovertemplate=gettext_(N_("%{x}: %{y} tasks")) + "<extra></extra>",
    )
    layout = _layout(gettext_(N_("Tasks by status light")), 340, showlegend=False,
                     xaxis={"title": {"text": gettext_(N_("Status light"))}},
                     yaxis={"title": {"text": gettext_(N_("Tasks"))}, "rangemode": "tozero", "automargin": True})
    return _figure([bar], layout)


def sections_figure(sections: Sequence[GroupFigures]) -> dict[str, Any]:
    # Horizontal bars keep the Chinese section names readable; reversed, the first section is on top.
    ordered = list(reversed(sections))
    names = [section_short_name(group.name) for group in ordered]
    expected = go.Bar(
        name=gettext_(N_("Mean 序时进度")), orientation="h", y=names, x=[_percent(group.expected) for group in ordered],
        marker={"color": EXPECTED_COLOUR}, hovertemplate="%{y}<br>%{fullData.name}: %{x}%<extra></extra>",
    )
    actual = go.Bar(
        name=gettext_(N_("Mean progress")), orientation="h", y=names, x=[_percent(group.progress) for group in ordered],
        marker={"color": PROGRESS_COLOUR}, text=[f"{_percent(group.progress)}%" for group in ordered],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>%{fullData.name}: %{x}%<extra></extra>",
    )
    layout = _layout(
        gettext_(N_("Completion by section")), 140 + 2 * ROW_HEIGHT * max(len(sections), 1), barmode="group",
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "traceorder": "reversed"},
        margin={"l": 60, "r": 40, "t": 80, "b": 50},
        xaxis={"title": {"text": gettext_(N_("Progress (%)"))}, "range": [0, 110], "ticksuffix": "%"},
        yaxis={"automargin": True},
    )
    # Traces go in reverse so that, within each section's pair, progress sits above 序时进度.
    return _figure([expected, actual], layout)


def units_figure(units: Sequence[GroupFigures]) -> dict[str, Any]:
    # Plotly draws the first category at the bottom; reversed, the unit with most tasks is on top.
    ordered = list(reversed(units))
    names = [group.name for group in ordered]
    traces = [
        go.Bar(
            name=gettext_(LIGHT_NAMES[light]), orientation="h", y=names, x=[group.lights[light] for group in ordered],
            marker={"color": LIGHT_COLOURS[light]},
            hovertemplate="%{y}<br>%{fullData.name}: %{x}<extra></extra>",
        )
        for light in LIGHTS
    ]
    height = 120 + ROW_HEIGHT * max(len(units), 1)
    layout = _layout(
        gettext_(N_("Tasks of each lead unit by status light")), height, barmode="stack",
        margin={"l": 160, "r": 20, "t": 80, "b": 50},
        xaxis={"title": {"text": gettext_(N_("Tasks"))}, "automargin": True},
        yaxis={"automargin": True},
    )
    return _figure(traces, layout)


def bands_figure(bands: dict[str, int]) -> dict[str, Any]:
    # Horizontal bars keep the band names level; reversed, "no value yet" is on top and "met" at the bottom.
    ordered = list(reversed(BANDS))
    counts = [bands[band] for band in ordered]
    bar = go.Bar(
        orientation="h", y=[gettext_(BAND_NAMES[band]) for band in ordered], x=counts,
        marker={"color": [BAND_COLOURS[band] for band in ordered], "line": {"color": "#333", "width": 1}},
        text=counts, textposition="outside", cliponaxis=False,
        hovertemplate=gettext_(N_("%{y}: %{x} indicators")) + "<extra></extra>",
    )
    layout = _layout(gettext_(N_("Quantified indicators by progress")), 120 + ROW_HEIGHT * len(BANDS), showlegend=False,
                     margin={"l": 60, "r": 40, "t": 60, "b": 50},
                     xaxis={"title": {"text": gettext_(N_("Indicators"))}, "rangemode": "tozero"},
                     yaxis={"automargin": True})
    return _figure([bar], layout)


def trend_figure(trend: Sequence[tuple[str, dict[str, int]]]) -> dict[str, Any]:
    periods = [key for key, _counts in trend]
    traces = [
        go.Bar(
            name=gettext_(LIGHT_NAMES[light]), x=periods, y=[counts[light] for _key, counts in trend],
            marker={"color": LIGHT_COLOURS[light]}, hovertemplate="%{x}<br>%{fullData.name}: %{y}<extra></extra>",
        )
        for light in LIGHTS
    ]
    layout = _layout(
        gettext_(N_("Status lights by reporting period")), 360, barmode="stack",
        xaxis={"title": {"text": gettext_(N_("Reporting period"))}, "type": "category"},
        yaxis={"title": {"text": gettext_(N_("Tasks"))}, "rangemode": "tozero", "automargin": True},
    )
    return _figure(traces, layout)


def ranking_figure(scorecards: Sequence[UnitScorecard], full_marks: Decimal) -> dict[str, Any]:
    # Reversed, so the first-ranked unit is on top.
    ordered = list(reversed(scorecards))
    names = [f"{card.rank}. {card.unit_name}" for card in ordered]
    scores = [float(card.score) for card in ordered]
    bar = go.Bar(
        orientation="h", y=names, x=scores, marker={"color": PROGRESS_COLOUR},
        text=[str(card.score) for card in ordered], textposition="outside", cliponaxis=False,
        hovertemplate=gettext_(N_("%{y}: %{x} points")) + "<extra></extra>",
    )
    layout = _layout(
        gettext_(N_("Unit scores of the period")), 120 + ROW_HEIGHT * max(len(scorecards), 1), showlegend=False,
        margin={"l": 160, "r": 50, "t": 60, "b": 50},
        xaxis={"title": {"text": gettext_(N_("Score (full marks {full})"), full=f"{full_marks.normalize():f}")},
               "range": [0, float(full_marks) * 1.08]},
        yaxis={"automargin": True},
    )
    return _figure([bar], layout)


def dashboard_figures(dashboard: Dashboard) -> dict[str, dict[str, Any]]:
    """Return every chart of the dashboard by name; the trend is left out while no period has lights stored."""
    figures = {
        "lights": lights_figure(dashboard),
        "sections": sections_figure(dashboard.sections),
        "units": units_figure(dashboard.units),
        "bands": bands_figure(dashboard.bands),
    }
    if dashboard.trend:
        figures["trend"] = trend_figure(dashboard.trend)
    return figures
