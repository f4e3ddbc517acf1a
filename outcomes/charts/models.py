"""Neighbourhood models side by side: the spread of LSOA values inside each neighbourhood (the
frames come from `outcomes.model_comparison.neighbourhood_spread`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from outcomes import analysis
from outcomes.charts.style import (
    BOROUGH_COLOUR,
    GRID_COLOUR,
    OKABE_ITO,
    axis_title,
    base_layout,
    escaped,
)
from outcomes.text import escape_html

LABEL_MARGIN = 200  # px for neighbourhood names; longer names are shortened
LABEL_CHARS = 30


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def shared_range(*spreads: pd.DataFrame) -> tuple[float, float] | None:
    """One x range for side-by-side spread charts, so their scales match."""
    lows = [s["lsoa_min"].min() for s in spreads if not s.empty]
    highs = [s["lsoa_max"].max() for s in spreads if not s.empty]
    if not lows:
        return None
    low, high = float(min(lows)), float(max(highs))
    pad = (high - low) * 0.04 or 1.0
    return low - pad, high + pad


def _segments(labels: list[str], low: pd.Series, high: pd.Series) -> tuple[list, list]:
    """Horizontal segments from `low` to `high`, one per label, as one line with None breaks."""
    xs: list = []
    ys: list = []
    for label, lo, hi in zip(labels, low, high, strict=True):
        xs += [lo, hi, None]
        ys += [label, label, None]
    return xs, ys


def _segment_trace(
    labels: list[str], rows: pd.DataFrame, low: str, high: str, style: dict
) -> go.Scatter:
    xs, ys = _segments(labels, rows[low], rows[high])
    return go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", **style)


def _value_trace(labels: list[str], rows: pd.DataFrame, marker_values, marker_label: str, first):
    """Each neighbourhood's value as a diamond, with its LSOAs' spread on hover."""
    return go.Scatter(
        x=marker_values,
        y=labels,
        mode="markers",
        marker={"symbol": "diamond", "size": 11, "color": OKABE_ITO[0]},
        name=marker_label,
        legendgroup="value",
        showlegend=first,
        customdata=np.column_stack(
            [
                rows["lsoas"],
                rows["lsoa_min"],
                rows["lsoa_q1"],
                rows["lsoa_q3"],
                rows["lsoa_max"],
                rows["lsoa_weighted_sd"],
                escaped(rows["neighbourhood_name"]),
            ]
        ),
        hovertemplate=(
            "<b>%{customdata[6]}</b><br>"
            + marker_label
            + ": %{x:,.3~f}<br>%{customdata[0]} LSOAs: "
            "%{customdata[1]:,.3~f} to %{customdata[4]:,.3~f}<br>IQR "
            "%{customdata[2]:,.3~f} to %{customdata[3]:,.3~f}<br>SD "
            "%{customdata[5]:,.3~f}<extra></extra>"
        ),
    )


def _panel(
    fig: go.Figure,
    col: int,
    spread: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    borough_value: float | None,
) -> None:
    """One model's panel: per neighbourhood the range of its LSOA values (thin line), the middle
    half (thick bar) and its value (diamond), and the borough's value as a dashed line."""
    rows = spread.iloc[::-1]
    labels = [escape_html(_short(n)) for n in rows["neighbourhood_name"]]
    first = col == 1
    total = meta.aggregation == "sum"
    range_style = {"color": "#999999", "width": 2}
    iqr_style = {"color": OKABE_ITO[4], "width": 9}
    for low, high, line, name, group in (
        ("lsoa_min", "lsoa_max", range_style, "LSOA range (min–max)", "range"),
        ("lsoa_q1", "lsoa_q3", iqr_style, "Middle half of LSOAs (IQR)", "iqr"),
    ):
        style = {"line": line, "name": name, "legendgroup": group, "showlegend": first}
        fig.add_trace(_segment_trace(labels, rows, low, high, style), row=1, col=col)
    marker_values = rows["lsoa_weighted_mean"] if total else rows["value"]
    marker_label = "Mean LSOA value" if total else "Neighbourhood value"
    fig.add_trace(_value_trace(labels, rows, marker_values, marker_label, first), row=1, col=col)
    fig.update_yaxes(type="category", row=1, col=col, tickfont={"size": 11})
    fig.update_xaxes(
        title_text=axis_title(meta.name, meta.unit),
        gridcolor=GRID_COLOUR,
        showgrid=True,
        row=1,
        col=col,
    )
    if borough_value is not None and np.isfinite(borough_value):
        fig.add_vline(
            x=borough_value,
            line={"color": BOROUGH_COLOUR, "dash": "dash", "width": 1.5},
            row=1,
            col=col,
        )


def _spread_layout(fig: go.Figure, title: str, subtitle: str, source: str, longest: int) -> dict:
    """The shared layout with the subplot titles kept, the legend between the subtitle and the
    panel titles whatever the height."""
    titles = list(fig.layout.annotations)  # the subplot titles
    fig.layout.annotations = []  # else update_layout merges the footer into the first title
    height = max(460, 28 * longest + 300)
    layout = base_layout(title, subtitle, source, height=height)
    layout["annotations"] = layout["annotations"] + [a.to_plotly_json() for a in titles]
    layout["margin"] = {**layout["margin"], "l": LABEL_MARGIN, "t": 165}
    layout["legend"] = {
        **layout["legend"],
        "xref": "container",
        "yref": "container",
        "x": 0.01,
        "y": 1 - 78 / height,
        "yanchor": "top",
    }
    return layout


def spread_chart(
    spreads: dict[str, pd.DataFrame],
    *,
    meta: analysis.IndicatorMeta,
    title: str,
    subtitle: str,
    source: str,
    borough_value: float | None = None,
) -> go.Figure:
    """The models side by side, one panel each on a shared x scale. Per neighbourhood (highest
    value at the top): the range of its LSOA values (thin line), the middle half (thick bar)
    and the neighbourhood's value (diamond; for counts, the mean LSOA value, since the
    neighbourhood total is on another scale)."""
    names = list(spreads)
    fig = make_subplots(
        rows=1,
        cols=max(len(names), 1),
        subplot_titles=[
            f"<b>{escape_html(name)}</b> ({len(spreads[name])} neighbourhoods)" for name in names
        ],
        horizontal_spacing=0.2,
    )
    for col, name in enumerate(names, start=1):
        _panel(fig, col, spreads[name], meta, borough_value)
    if borough_value is not None and np.isfinite(borough_value):
        fig.add_trace(  # a legend entry for the borough lines
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"color": BOROUGH_COLOUR, "dash": "dash"},
                name=f"Borough ({borough_value:,.2f})",
            ),
            row=1,
            col=1,
        )
    x_range = shared_range(*spreads.values())
    if x_range:
        fig.update_xaxes(range=list(x_range))
    longest = max((len(s) for s in spreads.values()), default=1)
    fig.update_layout(**_spread_layout(fig, title, subtitle, source, longest))
    return fig
