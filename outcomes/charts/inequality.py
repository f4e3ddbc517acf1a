"""An indicator by national IMD decile (the frame comes from `outcomes.inequality.decile_table`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from outcomes.charts.style import (
    BOROUGH_COLOUR,
    GRID_COLOUR,
    OKABE_ITO,
    base_layout,
    error_bars,
    format_value,
)
from outcomes.text import escape_html


def _decile_bars(frame: pd.DataFrame, unit: str) -> go.Bar:
    """One bar per decile with a value, its CI where there is one, its value as a label."""
    has_ci = frame.lower.notna().any()
    error_y = None
    if has_ci:
        error_y = error_bars(frame, "lower", "upper", color="#222", thickness=1.2, width=4)
    return go.Bar(
        x=frame.imd_decile,
        y=frame.value,
        marker={"color": OKABE_ITO[0]},
        name="Decile value",
        error_y=error_y,
        text=[format_value(v, unit) for v in frame.value],
        textposition="outside" if not has_ci else "inside",
        customdata=frame.lsoas,
        hovertemplate="Decile %{x}: %{y:,.3~f}<br>%{customdata} LSOAs<extra></extra>",
    )


def _decile_ticks(deciles: pd.DataFrame) -> list[str]:
    """'1 (most)' ... '10 (least)', each with its number of LSOAs underneath."""
    counts = dict(zip(deciles.imd_decile, deciles.lsoas, strict=True))
    return [
        f"{d}{' (most)' if d == 1 else ' (least)' if d == 10 else ''}<br>"
        f"<span style='font-size:11px;color:#666'>{counts.get(d, 0)} LSOAs</span>"
        for d in range(1, 11)
    ]


def decile_chart(
    deciles: pd.DataFrame,
    *,
    borough_name: str,
    borough_value: float | None,
    unit: str = "",
    title: str,
    subtitle: str,
    source: str,
    y_title: str,
) -> go.Figure:
    """Bars of the indicator for deciles 1 (most deprived) to 10, CIs where they exist, the
    number of LSOAs under each bar and the borough value as a dashed line."""
    fig = go.Figure(_decile_bars(deciles[deciles.value.notna()], unit))
    if borough_value is not None and not np.isnan(borough_value):
        fig.add_trace(
            go.Scatter(
                x=[0.5, 10.5],
                y=[borough_value, borough_value],
                mode="lines",
                line={"color": BOROUGH_COLOUR, "dash": "dash", "width": 2},
                name=escape_html(f"{borough_name}: {format_value(borough_value, unit)}"),
                hoverinfo="skip",
            )
        )
    layout = base_layout(title, subtitle, source, height=520, subtitle_width=120)
    layout["margin"] = {**layout["margin"], "b": 140}  # two-line decile labels
    layout["annotations"][0]["yshift"] = -92
    fig.update_layout(**layout, bargap=0.25)
    fig.update_xaxes(
        tickvals=list(range(1, 11)),
        ticktext=_decile_ticks(deciles),
        range=[0.5, 10.5],
        title_text="National IMD decile (1 = England's most deprived 10% of LSOAs)",
    )
    fig.update_yaxes(title_text=y_title, rangemode="tozero", gridcolor=GRID_COLOUR, showgrid=True)
    return fig
