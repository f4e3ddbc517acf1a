"""An indicator over time: one line per neighbourhood, the borough and England."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from outcomes import labels
from outcomes.charts.style import (
    BOROUGH_COLOUR,
    ENGLAND_COLOUR,
    GRID_COLOUR,
    OKABE_ITO,
    base_layout,
    error_bars,
)
from outcomes.text import escape_html

AREA_ORDER = {"neighbourhood": 0, "rest": 1, "lad": 2, "england": 3}
MOST_TICK_LABELS = 12


def _areas(frame: pd.DataFrame) -> pd.DataFrame:
    """The areas in drawing order: neighbourhoods, the rest of the borough, borough, England."""
    return (
        frame[["area_type", "area_name"]]
        .drop_duplicates()
        .assign(_o=lambda d: d["area_type"].map(AREA_ORDER))
        .sort_values(["_o", "area_name"])
    )


def _line_style(area_type: str, area_name: str, colour_index: int) -> tuple[str, str, float, str]:
    """(colour, dash, width, legend label) of an area's line."""
    if area_type == "neighbourhood":
        return OKABE_ITO[colour_index % len(OKABE_ITO)], "solid", 2.5, area_name
    if area_type == "rest":
        return "#000000", "dashdot", 2, area_name
    if area_type == "lad":
        return BOROUGH_COLOUR, "dash", 2, f"{area_name} (borough)"
    return ENGLAND_COLOUR, "dot", 2, labels.ENGLAND


def _area_trace(rows: pd.DataFrame, style: tuple, lower: str, upper: str) -> go.Scatter:
    """One area's line, with its confidence intervals as error bars where it has them."""
    colour, dash, width, label = style
    label = escape_html(label)
    error_y = None
    if rows[lower].notna().any():
        error_y = error_bars(rows, lower, upper, thickness=1.2, width=4)
    return go.Scatter(
        x=pd.to_datetime(rows["period_start"]),
        customdata=[[escape_html(period), label] for period in rows["period"]],
        y=rows["value"],
        mode="lines+markers",
        name=label,
        line={"color": colour, "dash": dash, "width": width},
        marker={"size": 7},
        error_y=error_y,
        hovertemplate="%{customdata[1]}<br>%{customdata[0]}: %{y:,.3~f}<extra></extra>",
    )


def _mark_baseline(fig: go.Figure, ticks: pd.DataFrame, baseline: str | None) -> None:
    """A dotted vertical line at the baseline period, labelled at the top."""
    at_baseline = ticks[ticks["period"].astype(str) == str(baseline)]
    if baseline is None or at_baseline.empty:
        return
    x = pd.to_datetime(at_baseline["period_start"].iloc[0]).strftime("%Y-%m-%d")
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        yref="paper",
        line={"color": "#767676", "width": 1.5, "dash": "dot"},  # 4.5:1 on white
    )
    fig.add_annotation(  # inside the plot, right of the line: clear of the legend above it
        x=x,
        y=1.0,
        yref="paper",
        text=escape_html(f"Baseline {baseline}"),
        showarrow=False,
        xanchor="left",
        yanchor="top",
        xshift=3,
        bgcolor="rgba(255,255,255,0.85)",
        font={"size": 11, "color": "#555"},
    )


def _labelled_ticks(ticks: pd.DataFrame, most: int = MOST_TICK_LABELS) -> pd.DataFrame:
    """At most `most` periods labelled on the axis, evenly spaced and ending at the latest:
    31 monthly labels would turn on end and run into the axis title."""
    step = -(-len(ticks) // most)  # ceiling division
    return ticks.iloc[::-1].iloc[::step].iloc[::-1]


def trend_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str,
    y_title: str,
    baseline: str | None = None,
    ci_level: str = "95",
) -> go.Figure:
    """Lines over periods: one per neighbourhood, plus the borough (dashed) and England
    (dotted). `frame` has area_type, area_name, period, value and CI columns."""
    fig = go.Figure()
    lower, upper = f"lower_ci{ci_level}", f"upper_ci{ci_level}"
    areas = _areas(frame)
    colour_index = 0
    for area_type, area_name in areas[["area_type", "area_name"]].itertuples(index=False):
        rows = frame[(frame.area_type == area_type) & (frame.area_name == area_name)]
        style = _line_style(area_type, area_name, colour_index)
        colour_index += area_type == "neighbourhood"
        fig.add_trace(_area_trace(rows.sort_values("period"), style, lower, upper))
    layout = base_layout(title, subtitle, source)
    if len(areas) > 8:  # many neighbourhoods: a scrolling legend at the side, not over the title
        layout["legend"] = {"orientation": "v", "x": 1.02, "y": 1, "font": {"size": 11}}
        layout["margin"] = {**layout["margin"], "t": 90, "r": 10}
        layout["height"] = max(layout["height"], 520)
    fig.update_layout(**layout)
    ticks = frame[["period", "period_start"]].drop_duplicates().sort_values("period_start")
    labelled = _labelled_ticks(ticks)
    fig.update_xaxes(
        title_text="Period",
        type="date",
        tickvals=pd.to_datetime(labelled["period_start"]),
        ticktext=[escape_html(period) for period in labelled["period"]],
    )
    fig.update_yaxes(title_text=y_title, rangemode="tozero", gridcolor=GRID_COLOUR, showgrid=True)
    _mark_baseline(fig, ticks, baseline)
    return fig
