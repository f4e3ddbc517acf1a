"""The one chart style: colours, the layout every chart shares, and the label helpers.

Palette: Okabe-Ito (distinguishable with the common colour-vision deficiencies). Comparisons use
the same colours with a text label everywhere, so colour never carries meaning alone.

Titles, subtitles, sources and axis labels are plain text: `base_layout`, `wrap` and
`axis_title` escape them for Plotly (which reads a little HTML), so names from users show
literally. Hover text is HTML too, substitutions included: names reach a hovertemplate only as
`escaped` customdata, never inside the template itself.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

# Importing Streamlit's Plotly element makes its own template Plotly's default; it is imported
# here, before the default below is set, so that default holds wherever charts are made (the
# app, packs, the command line), whatever was imported first.
import streamlit.elements.plotly_chart  # noqa: F401

from outcomes.text import escape_html

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
COMPARISON_COLOURS = {
    "better": "#009E73",
    "similar": "#F0E442",
    "worse": "#D55E00",
    "higher": "#0072B2",
    "lower": "#E69F00",
    "not compared": "#BBBBBB",
}
BOROUGH_COLOUR = "#333333"
ENGLAND_COLOUR = "#777777"
FONT = "Arial, Helvetica, sans-serif"
GRID_COLOUR = "#e5e5e5"
TEMPLATE = "outcomes"
_TRACE_TYPES = ("scatter", "bar", "choropleth", "scattergeo", "scattermap")
_UNUSED_LAYOUT = ("polar", "ternary", "scene")


def _register_template() -> None:
    """Plotly's simple_white, cut to the trace types and axes these charts use, as every
    figure's default. Naming a template in a layout deep-copies it for every figure (the
    whole simple_white: about a fifth of a Trends view's CPU); the default is set without
    that copy, and the figure's JSON still carries it, so browsers and exports draw the same."""
    full = pio.templates["simple_white"].to_plotly_json()
    pio.templates[TEMPLATE] = go.layout.Template(
        layout={k: v for k, v in full["layout"].items() if k not in _UNUSED_LAYOUT},
        data={k: v for k, v in full["data"].items() if k in _TRACE_TYPES},
    )
    pio.templates.default = TEMPLATE


_register_template()


def escaped(values) -> np.ndarray:
    """Each of `values` (names for customdata, tick labels or bar text) escaped for Plotly, as
    an object array, so that numbers stacked beside it in customdata stay numbers."""
    return np.array([escape_html(v) for v in values], dtype=object)


def wrap(text: str, width: int = 140) -> str:
    """Plain text broken into lines of `width` characters for a chart, each line escaped."""
    return "<br>".join(escape_html(line) for line in textwrap.wrap(text, width)) if text else ""


def _title(title: str, subtitle: str, subtitle_width: int | None) -> dict:
    sub = wrap(subtitle, subtitle_width) if subtitle_width else escape_html(subtitle)
    return {
        "text": f"<b>{escape_html(title)}</b><br>"
        f"<span style='font-size:13px;color:#555'>{sub}</span>",
        "x": 0,
        "xanchor": "left",
        "y": 0.97,
        "yanchor": "top",
        "font": {"size": 17},
    }


def source_note(source: str, width: int = 140) -> dict:
    """The source and licence footer, hanging under the plot (export adds its line under it)."""
    return {
        "text": wrap(source, width),
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yshift": -58,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 10, "color": "#666"},
        "align": "left",
    }


def base_layout(
    title: str,
    subtitle: str,
    source: str,
    height: int = 480,
    *,
    subtitle_width: int | None = None,
    source_width: int = 140,
) -> dict:
    """Layout shared by every chart: title and subtitle (broken into lines of `subtitle_width`
    characters when given), legend under them, source at the foot. All three are plain text."""
    return {
        "title": _title(title, subtitle, subtitle_width),
        "font": {"family": FONT, "size": 13, "color": "#222"},
        "colorway": OKABE_ITO,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 120, "b": 105},
        "legend": {
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 12},
        },
        "annotations": [source_note(source, source_width)],
    }


def axis_title(name: str, unit: str) -> str:
    """'Missed GP appointments (%)' style axis label; escaped. No unit where the name says it
    already ('Bus frequency (trips per hour)') or it adds nothing ('score', 'people')."""
    said = unit != "%" and unit.lower() in name.lower()
    plain = unit in ("", "score", "people", "rank", "decile")
    label = name if said or plain else f"{name} ({unit})"
    return escape_html(label)


def format_value(value: float, unit: str = "") -> str:
    """A value as it reads in a label: whole numbers for people, one decimal otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit in ("people", "count", "rank"):
        return f"{value:,.0f}"
    return f"{value:,.1f}{'%' if unit == '%' else ''}"


def error_bars(rows, lower: str, upper: str, **style) -> dict:
    """Asymmetric error bars from the `lower` and `upper` columns of `rows` around `value`."""
    return {
        "type": "data",
        "symmetric": False,
        "array": (rows[upper] - rows["value"]).tolist(),
        "arrayminus": (rows["value"] - rows[lower]).tolist(),
        **style,
    }
