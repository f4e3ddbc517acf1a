"""Figures for the Compare page: ranked values, funnel plot and spine chart.

Every comparison colour comes with its label in text (legend, bar labels, hover), so colour never
carries meaning alone; the palette is `COMPARISON_COLOURS` (Okabe-Ito based).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from outcomes import labels
from outcomes.charts.style import (
    BOROUGH_COLOUR,
    COMPARISON_COLOURS,
    ENGLAND_COLOUR,
    GRID_COLOUR,
    base_layout,
    error_bars,
    escaped,
    format_value,
)
from outcomes.text import escape_html

LABEL_ORDER = ("better", "similar", "worse", "higher", "lower", "not compared")
OUTLINE = {"color": "#444444", "width": 0.6}
SUBTITLE_WIDTH = 120  # characters per subtitle line
DASHED = {"color": BOROUGH_COLOUR, "width": 2, "dash": "dash"}


def comparison_text(label: str, comparator_name: str) -> str:
    """'Worse than Trafford', 'Similar to England', 'Not compared'."""
    if label == "not compared":
        return "Not compared"
    if label == "similar":
        return f"Similar to {comparator_name}"
    return f"{label.capitalize()} than {comparator_name}"


def _tall(layout: dict) -> dict:
    """Keep title and legend a fixed distance apart however tall the chart (base_layout
    places them by fractions, which drift apart or collide as the height changes)."""
    height, margin = layout["height"], layout["margin"]
    plot_height = height - margin["t"] - margin["b"]
    layout["title"] = {**layout["title"], "y": 1 - 12 / height}
    if layout["legend"].get("orientation") == "h":
        layout["legend"] = {**layout["legend"], "y": 1 + 8 / plot_height}
    layout["annotations"][0]["yshift"] = -58
    return layout


def _first_lower(text: str) -> str:
    """'Worse than Trafford' -> 'worse than Trafford'."""
    return text[:1].lower() + text[1:]


def _present_labels(labels: pd.Series) -> list[str]:
    seen = set(labels)
    return [label for label in LABEL_ORDER if label in seen]


def _legend_line(name: str, line: dict) -> go.Scatter:
    """A legend entry for a line drawn as a shape (shapes have no legend entry of their own)."""
    return go.Scatter(x=[None], y=[None], mode="lines", line=line, name=name)


# ---------------------------------------------------------------------------- ranked values


def _ranked_bars(frame: pd.DataFrame, comparator_name: str) -> list[go.Bar]:
    """One bar trace per comparison label, with CIs as error bars where there are any."""
    has_ci = frame.lower.notna().any()
    bars = []
    for label in _present_labels(frame.comparison):
        rows = frame[frame.comparison == label]
        error_x = None
        if has_ci:
            style = {"color": "#222222", "thickness": 1.2, "width": 3}
            error_x = error_bars(rows, "lower", "upper", **style)
        bars.append(
            go.Bar(
                x=rows.value,
                y=rows.area_code,
                orientation="h",
                name=escape_html(comparison_text(label, comparator_name)),
                marker={"color": COMPARISON_COLOURS[label], "line": OUTLINE},
                error_x=error_x,
                customdata=np.column_stack([escaped(rows.area_name), escaped(rows.comparison)]),
                hovertemplate="%{customdata[0]}: %{x:,.3~f}<br>%{customdata[1]}<extra></extra>",
            )
        )
    return bars


def _bar_ends(frame: pd.DataFrame) -> np.ndarray:
    """Where each bar ends on the right: the upper CI where there is one, else the value."""
    right = np.fmax(frame.value.to_numpy(float), frame.upper.to_numpy(float))
    return np.where(np.isnan(right), frame.value.to_numpy(float), right)


def _bar_labels(frame: pd.DataFrame, right: np.ndarray, unit: str) -> go.Scatter:
    """Each bar's value and comparison in words, just beyond its end."""
    return go.Scatter(
        x=np.maximum(right, 0),
        y=frame.area_code,
        mode="text",
        text=[
            f"  {format_value(v, unit)}" + ("" if c == "not compared" else f" · {c}")
            for v, c in zip(frame.value, frame.comparison, strict=True)
        ],
        textposition="middle right",
        textfont={"size": 11, "color": "#222"},
        showlegend=False,
        hoverinfo="skip",
    )


def _own_comparators(frame: pd.DataFrame, comparator_name: str) -> go.Scatter:
    """Each neighbourhood's own comparator (the rest of the borough) as a tick on its bar."""
    return go.Scatter(
        x=frame.comparator_value,
        y=frame.area_code,
        mode="markers",
        marker={"symbol": "line-ns-open", "size": 18, "color": "#000", "line": {"width": 2}},
        name=escape_html(
            f"{comparator_name[:1].upper()}{comparator_name[1:]} (each neighbourhood's own)"
        ),
        hovertemplate=f"{labels.REST}: %{{x:,.3~f}}<extra></extra>",
    )


def _ranked_axes(
    fig: go.Figure, frame: pd.DataFrame, x_title: str, highlight: tuple, top: float
) -> None:
    """Names down the side (highlighted ones in bold with ▸), highest at the top; the value
    axis from zero (or the lowest value) to beyond the longest bar, leaving room for labels."""
    n = len(frame)
    names = dict(zip(frame.area_code, frame.area_name.map(escape_html), strict=True))
    order = frame.area_code.tolist()
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=order,
        range=[n - 0.5, -0.5],  # highest at the top, no padding
        tickvals=order,
        ticktext=[f"<b>{names[c]} ▸</b>" if c in highlight else names[c] for c in order],
        title_text=None,
    )
    low = float(min(0.0, np.nanmin(frame.value))) if n else 0.0
    fig.update_xaxes(
        title_text=x_title,
        range=[low, top * 1.3 if top > 0 else 1],
        gridcolor=GRID_COLOUR,
        showgrid=True,
        zeroline=True,
        zerolinecolor="#999",
    )


def ranked_chart(
    ranked: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str,
    x_title: str,
    unit: str,
    reference: tuple[str, float] | None,
    comparator_name: str,
    highlight: tuple[str, ...] = (),
    area_comparators: bool = False,
) -> go.Figure:
    """Horizontal bars of every neighbourhood's value, highest at the top, coloured by the
    comparison with the comparator, with CIs where they exist and the label in text beside
    each bar. `reference` draws a single comparator line; `area_comparators` (rest of borough)
    draws each neighbourhood's own comparator as a tick on its bar."""
    frame = ranked[ranked.value.notna()].reset_index(drop=True)
    fig = go.Figure(_ranked_bars(frame, comparator_name))
    right = _bar_ends(frame)
    fig.add_trace(_bar_labels(frame, right, unit))
    if area_comparators and frame.comparator_value.notna().any():
        fig.add_trace(_own_comparators(frame, comparator_name))
    height = max(420, 230 + 26 * len(frame))
    layout = base_layout(title, subtitle, source, height, subtitle_width=SUBTITLE_WIDTH)
    layout["margin"] = {**layout["margin"], "l": 190, "r": 30}
    fig.update_layout(**_tall(layout), barmode="overlay", bargap=0.25)
    top = float(np.nanmax(np.append(right, reference[1] if reference else np.nan)))
    _ranked_axes(fig, frame, x_title, highlight, top)
    if reference is not None:
        name, value = reference
        fig.add_vline(x=value, line=DASHED)
        fig.add_trace(_legend_line(escape_html(f"{name}: {format_value(value, unit)}"), DASHED))
    return fig


# ---------------------------------------------------------------------------- funnel plot


def _limit_traces(limits: pd.DataFrame) -> list[go.Scatter]:
    """The 95% (dashed) and 99.8% (solid) control limits, one legend entry per level."""
    traces = []
    for level, dash, label in (("95", "dash", "95% limits"), ("998", "solid", "99.8% limits")):
        for side in ("lower", "upper"):
            traces.append(
                go.Scatter(
                    x=limits.denominator,
                    y=limits[f"{side}_{level}"],
                    mode="lines",
                    line={"color": "#555555", "dash": dash, "width": 1.4},
                    name=label,
                    legendgroup=label,
                    showlegend=side == "lower",
                    hovertemplate=f"{label} at %{{x:,.0f}}: %{{y:,.3~f}}<extra></extra>",
                )
            )
    return traces


def _funnel_points(points: pd.DataFrame, centre_name: str) -> list[go.Scatter]:
    """The neighbourhoods, one trace per judgement; named on the chart when there are few."""
    show_names = len(points) <= 12
    traces = []
    for label in _present_labels(points.funnel_comparison):
        rows = points[points.funnel_comparison == label]
        traces.append(
            go.Scatter(
                x=rows.denominator,
                y=rows.value,
                mode="markers+text" if show_names else "markers",
                text=rows.area_name.map(escape_html) if show_names else None,
                textposition="top center",
                textfont={"size": 11},
                marker={"color": COMPARISON_COLOURS[label], "size": 12, "line": OUTLINE},
                name=escape_html(comparison_text(label, centre_name)),
                customdata=np.column_stack(
                    [escaped(rows.area_name), escaped(rows.funnel_position)]
                ),
                hovertemplate="%{customdata[0]}<br>%{y:,.3~f} of %{x:,.0f}<br>"
                "%{customdata[1]}<extra></extra>",
            )
        )
    return traces


def funnel_chart(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    centre_name: str,
    centre_value: float,
    title: str,
    subtitle: str,
    source: str,
    x_title: str,
    y_title: str,
    unit: str,
) -> go.Figure:
    """Neighbourhood values against their denominators, with the comparator's value and its
    95% (dashed) and 99.8% (solid) control limits; points coloured by the judgement."""
    fig = go.Figure(_limit_traces(limits))
    fig.add_trace(
        go.Scatter(
            x=[limits.denominator.min(), limits.denominator.max()],
            y=[centre_value, centre_value],
            mode="lines",
            line={"color": BOROUGH_COLOUR, "width": 2},
            name=escape_html(f"{centre_name}: {format_value(centre_value, unit)}"),
            hoverinfo="skip",
        )
    )
    fig.add_traces(_funnel_points(points, centre_name))
    fig.update_layout(
        **base_layout(title, subtitle, source, height=540, subtitle_width=SUBTITLE_WIDTH)
    )
    fig.update_xaxes(title_text=x_title, gridcolor=GRID_COLOUR, showgrid=True)
    fig.update_yaxes(title_text=y_title, gridcolor=GRID_COLOUR, showgrid=True)
    return fig


# ---------------------------------------------------------------------------- spine chart


def _spine_label(row) -> str:
    name = "<br>".join(escape_html(line) for line in textwrap.wrap(row.indicator_name, 48))
    star = " *" if not row.oriented else ""
    return f"{name}{star}<br><span style='color:#555'>{escape_html(row.period)}: " + (
        f"<b>{format_value(row.value, row.unit)}</b></span>"
    )


def _spine_hover(spine: pd.DataFrame, neighbourhood_name: str, borough_name: str):
    """(customdata, hovertemplate) shared by every trace of the spine chart."""

    def formatted(column: str) -> list[str]:
        return [format_value(v, u) for v, u in zip(spine[column], spine.unit, strict=True)]

    columns = ("value", "borough_value", "centre_value", "min_value", "max_value")
    custom = np.column_stack(
        [
            escaped(spine.indicator_name),
            *(formatted(c) for c in columns),
            escaped(spine.centre_name),
            escaped([neighbourhood_name] * len(spine)),
            escaped([borough_name] * len(spine)),
        ]
    )
    hover = (
        "%{customdata[0]}<br>%{customdata[7]}: %{customdata[1]}<br>"
        "%{customdata[8]}: %{customdata[2]}<br>%{customdata[6]}: %{customdata[3]}<br>"
        "Neighbourhoods range from %{customdata[4]} to %{customdata[5]}<extra></extra>"
    )
    return custom, hover


def _spine_traces(spine: pd.DataFrame, custom, hover: str, borough_name: str) -> list:
    """The borough's range and middle half (grey bars), England's legend entry and the
    borough's value (open diamond)."""
    bars = [
        ("pos_range", "#E3E3E3", "Range across the borough's neighbourhoods"),
        ("pos_iqr", "#9E9E9E", "25th to 75th percentile"),
    ]
    traces: list = [
        go.Bar(
            y=spine.label,
            x=spine[f"{column}_high"] - spine[f"{column}_low"],
            base=spine[f"{column}_low"],
            orientation="h",
            marker={"color": colour},
            name=name,
            customdata=custom,
            hovertemplate=hover,
            width=0.6,
        )
        for column, colour, name in bars
    ]
    traces.append(_legend_line("England (centre)", {"color": "#000", "width": 2}))
    traces.append(
        go.Scatter(
            x=spine.pos_borough,
            y=spine.label,
            mode="markers",
            marker={
                "symbol": "diamond-open",
                "size": 11,
                "color": BOROUGH_COLOUR,
                "line": {"width": 2},
            },
            name=escape_html(borough_name),
            customdata=custom,
            hovertemplate=hover,
        )
    )
    return traces


def _spine_points(
    spine: pd.DataFrame, custom, hover: str, neighbourhood_name: str, comparator_name: str
) -> list[go.Scatter]:
    """The neighbourhood's value, one trace per comparison label, coloured by it."""
    traces = []
    for label in _present_labels(spine.comparison):
        rows = spine[spine.comparison == label]
        name = f"{neighbourhood_name}: " + _first_lower(comparison_text(label, comparator_name))
        traces.append(
            go.Scatter(
                x=rows.pos_value,
                y=rows.label,
                mode="markers",
                marker={"color": COMPARISON_COLOURS[label], "size": 14, "line": OUTLINE},
                name=escape_html(name),
                customdata=custom[spine.comparison.to_numpy() == label],
                hovertemplate=hover,
            )
        )
    return traces


def _spine_layout(title: str, subtitle: str, source: str, rows: int) -> dict:
    """Indicator names on the left, the legend on the right, the source under the names."""
    layout = base_layout(
        title,
        subtitle,
        source,
        height=260 + 52 * rows,
        subtitle_width=SUBTITLE_WIDTH,
        source_width=110,
    )
    layout["margin"] = {**layout["margin"], "l": 380, "r": 250, "t": 100}
    layout["legend"] = {
        "orientation": "v",
        "x": 1.02,
        "y": 1,
        "yanchor": "top",
        "font": {"size": 12},
    }
    layout["annotations"][0]["x"] = -0.6  # start under the indicator names
    return _tall(layout)


def spine_chart(
    spine: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str,
    neighbourhood_name: str,
    borough_name: str,
    comparator_name: str,
) -> go.Figure:
    """Fingertips-style area profile: per indicator the range of the borough's neighbourhoods
    (light grey) and their middle half (dark grey), centred on England (black line), with the
    borough (open diamond) and the neighbourhood (circle coloured by its comparison).
    Better is to the right; indicators marked * have no judgement and show higher to the right."""
    spine = spine.assign(label=[_spine_label(row) for row in spine.itertuples()])
    custom, hover = _spine_hover(spine, neighbourhood_name, borough_name)
    fig = go.Figure(_spine_traces(spine, custom, hover, borough_name))
    fig.add_traces(_spine_points(spine, custom, hover, neighbourhood_name, comparator_name))
    fig.update_layout(
        **_spine_layout(title, subtitle, source, len(spine)), barmode="overlay", bargap=0.35
    )
    fig.add_vline(x=0, line={"color": "#000", "width": 2})
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=spine.label.tolist(),
        range=[len(spine) - 0.5, -0.5],  # first indicator at the top
        title_text=None,
        tickfont={"size": 12},
    )
    fig.update_xaxes(
        range=[-1.15, 1.15],
        tickvals=[-1, 0, 1],
        ticktext=["◀ Worse", labels.ENGLAND, "Better ▶"],
        showgrid=False,
        zeroline=False,
        title_text="Distance from England, scaled per indicator (better to the right)",
        title_font={"size": 12, "color": ENGLAND_COLOUR},
    )
    return fig
