"""Figures for the Compare page: ranked values, funnel plot and spine chart. No Streamlit here.

Every comparison colour comes with its label in text (legend, bar labels, hover), so colour never
carries meaning alone; the palette is `charts.COMPARISON_COLOURS` (Okabe-Ito based).
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from outcomes.charts import BOROUGH_COLOUR, COMPARISON_COLOURS, ENGLAND_COLOUR, base_layout, wrap

LABEL_ORDER = ("better", "similar", "worse", "higher", "lower", "not compared")
OUTLINE = {"color": "#444444", "width": 0.6}
SUBTITLE_WIDTH = 120  # characters per subtitle line


def format_value(value: float, unit: str = "") -> str:
    """A value as it reads in a label: whole numbers for people, one decimal otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit in ("people", "count", "rank"):
        return f"{value:,.0f}"
    return f"{value:,.1f}{'%' if unit == '%' else ''}"


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
    fig = go.Figure()
    has_ci = frame.lower.notna().any()
    for label in _present_labels(frame.comparison):
        rows = frame[frame.comparison == label]
        error_x = None
        if has_ci:
            error_x = {
                "type": "data",
                "symmetric": False,
                "array": (rows.upper - rows.value).tolist(),
                "arrayminus": (rows.value - rows.lower).tolist(),
                "color": "#222222",
                "thickness": 1.2,
                "width": 3,
            }
        fig.add_trace(
            go.Bar(
                x=rows.value,
                y=rows.area_code,
                orientation="h",
                name=comparison_text(label, comparator_name),
                marker={"color": COMPARISON_COLOURS[label], "line": OUTLINE},
                error_x=error_x,
                customdata=np.column_stack([rows.area_name, rows.comparison]),
                hovertemplate="%{customdata[0]}: %{x:,.3~f}<br>%{customdata[1]}<extra></extra>",
            )
        )
    right = np.fmax(frame.value.to_numpy(float), frame.upper.to_numpy(float))
    right = np.where(np.isnan(right), frame.value.to_numpy(float), right)
    fig.add_trace(
        go.Scatter(
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
    )
    if area_comparators and frame.comparator_value.notna().any():
        fig.add_trace(
            go.Scatter(
                x=frame.comparator_value,
                y=frame.area_code,
                mode="markers",
                marker={
                    "symbol": "line-ns-open",
                    "size": 18,
                    "color": "#000",
                    "line": {"width": 2},
                },
                name=f"{comparator_name[:1].upper()}{comparator_name[1:]} "
                "(each neighbourhood's own)",
                hovertemplate="Rest of borough: %{x:,.3~f}<extra></extra>",
            )
        )
    n = len(frame)
    layout = base_layout(
        title, wrap(subtitle, SUBTITLE_WIDTH), source, height=max(420, 230 + 26 * n)
    )
    layout["margin"] = {**layout["margin"], "l": 190, "r": 30}
    fig.update_layout(**_tall(layout), barmode="overlay", bargap=0.25)
    names = dict(zip(frame.area_code, frame.area_name, strict=True))
    order = frame.area_code.tolist()
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=order,
        range=[n - 0.5, -0.5],  # highest at the top, no padding
        tickvals=order,
        ticktext=[f"<b>{names[c]} ▸</b>" if c in highlight else names[c] for c in order],
        title_text=None,
    )
    top = float(np.nanmax(np.append(right, reference[1] if reference else np.nan)))
    low = float(min(0.0, np.nanmin(frame.value))) if n else 0.0
    fig.update_xaxes(
        title_text=x_title,
        range=[low, top * 1.3 if top > 0 else 1],
        gridcolor="#e5e5e5",
        showgrid=True,
        zeroline=True,
        zerolinecolor="#999",
    )
    if reference is not None:
        name, value = reference
        fig.add_vline(x=value, line={"color": BOROUGH_COLOUR, "width": 2, "dash": "dash"})
        fig.add_trace(  # legend entry for the line, which names the comparator in text
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"color": BOROUGH_COLOUR, "width": 2, "dash": "dash"},
                name=f"{name}: {format_value(value, unit)}",
            )
        )
    return fig


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
    fig = go.Figure()
    for level, dash, label in (("95", "dash", "95% limits"), ("998", "solid", "99.8% limits")):
        for side in ("lower", "upper"):
            fig.add_trace(
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
    fig.add_trace(
        go.Scatter(
            x=[limits.denominator.min(), limits.denominator.max()],
            y=[centre_value, centre_value],
            mode="lines",
            line={"color": BOROUGH_COLOUR, "width": 2},
            name=f"{centre_name}: {format_value(centre_value, unit)}",
            hoverinfo="skip",
        )
    )
    show_names = len(points) <= 12
    for label in _present_labels(points.funnel_comparison):
        rows = points[points.funnel_comparison == label]
        fig.add_trace(
            go.Scatter(
                x=rows.denominator,
                y=rows.value,
                mode="markers+text" if show_names else "markers",
                text=rows.area_name if show_names else None,
                textposition="top center",
                textfont={"size": 11},
                marker={"color": COMPARISON_COLOURS[label], "size": 12, "line": OUTLINE},
                name=comparison_text(label, centre_name),
                customdata=np.column_stack([rows.area_name, rows.funnel_position]),
                hovertemplate="%{customdata[0]}<br>%{y:,.3~f} of %{x:,.0f}<br>"
                "%{customdata[1]}<extra></extra>",
            )
        )
    fig.update_layout(**base_layout(title, wrap(subtitle, SUBTITLE_WIDTH), source, height=540))
    fig.update_xaxes(title_text=x_title, gridcolor="#e5e5e5", showgrid=True)
    fig.update_yaxes(title_text=y_title, gridcolor="#e5e5e5", showgrid=True)
    return fig


def _spine_label(row: pd.Series) -> str:
    name = "<br>".join(textwrap.wrap(row.indicator_name, 48))
    star = " *" if not row.oriented else ""
    return f"{name}{star}<br><span style='color:#555'>{row.period}: " + (
        f"<b>{format_value(row.value, row.unit)}</b></span>"
    )


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
    fig = go.Figure()
    labels = [_spine_label(row) for row in spine.itertuples()]
    spine = spine.assign(label=labels)
    custom = np.column_stack(
        [
            spine.indicator_name,
            [format_value(v, u) for v, u in zip(spine.value, spine.unit, strict=True)],
            [format_value(v, u) for v, u in zip(spine.borough_value, spine.unit, strict=True)],
            [format_value(v, u) for v, u in zip(spine.centre_value, spine.unit, strict=True)],
            [format_value(v, u) for v, u in zip(spine.min_value, spine.unit, strict=True)],
            [format_value(v, u) for v, u in zip(spine.max_value, spine.unit, strict=True)],
            spine.centre_name,
        ]
    )
    hover = (
        "%{customdata[0]}<br>"
        + neighbourhood_name
        + ": %{customdata[1]}<br>"
        + borough_name
        + ": %{customdata[2]}<br>%{customdata[6]}: %{customdata[3]}<br>"
        "Neighbourhoods range from %{customdata[4]} to %{customdata[5]}<extra></extra>"
    )
    fig.add_trace(
        go.Bar(
            y=spine.label,
            x=spine.pos_range_high - spine.pos_range_low,
            base=spine.pos_range_low,
            orientation="h",
            marker={"color": "#E3E3E3"},
            name="Range across the borough's neighbourhoods",
            customdata=custom,
            hovertemplate=hover,
            width=0.6,
        )
    )
    fig.add_trace(
        go.Bar(
            y=spine.label,
            x=spine.pos_iqr_high - spine.pos_iqr_low,
            base=spine.pos_iqr_low,
            orientation="h",
            marker={"color": "#9E9E9E"},
            name="25th to 75th percentile",
            customdata=custom,
            hovertemplate=hover,
            width=0.6,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={"color": "#000", "width": 2},
            name="England (centre)",
        )
    )
    fig.add_trace(
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
            name=borough_name,
            customdata=custom,
            hovertemplate=hover,
        )
    )
    for label in _present_labels(spine.comparison):
        rows = spine[spine.comparison == label]
        fig.add_trace(
            go.Scatter(
                x=rows.pos_value,
                y=rows.label,
                mode="markers",
                marker={"color": COMPARISON_COLOURS[label], "size": 14, "line": OUTLINE},
                name=f"{neighbourhood_name}: "
                + _first_lower(comparison_text(label, comparator_name)),
                customdata=custom[spine.comparison.to_numpy() == label],
                hovertemplate=hover,
            )
        )
    layout = base_layout(
        title, wrap(subtitle, SUBTITLE_WIDTH), source, height=260 + 52 * len(spine)
    )
    layout["margin"] = {**layout["margin"], "l": 380, "r": 250, "t": 100}
    layout["legend"] = {
        "orientation": "v",
        "x": 1.02,
        "y": 1,
        "yanchor": "top",
        "font": {"size": 12},
    }
    layout["annotations"][0]["text"] = wrap(source, 110)
    layout["annotations"][0]["x"] = -0.6  # start under the indicator names
    layout = _tall(layout)
    fig.update_layout(**layout, barmode="overlay", bargap=0.35)
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
        ticktext=["◀ Worse", "England", "Better ▶"],
        showgrid=False,
        zeroline=False,
        title_text="Distance from England, scaled per indicator (better to the right)",
        title_font={"size": 12, "color": ENGLAND_COLOUR},
    )
    return fig
