"""An outcomes profile over time: small multiples, one panel per headline indicator with the
neighbourhood, the borough and England, each panel on its own scale with its baseline marked.

Indicators with a single period have no line to draw; they are left to the cards and the table.
Colours are Okabe-Ito with a line style each (solid, dashed, dotted), so the areas read apart
without colour too; `series_table` is the chart's table alternative."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from outcomes import labels
from outcomes.charts.style import (
    BOROUGH_COLOUR,
    ENGLAND_COLOUR,
    GRID_COLOUR,
    OKABE_ITO,
    base_layout,
)
from outcomes.text import escape_html

COLUMNS = 3
PANEL_HEIGHT = 270
AREAS = ("neighbourhood", "lad", "england")
STYLES = {  # colour, dash, width
    "neighbourhood": (OKABE_ITO[0], "solid", 3.0),
    "lad": (BOROUGH_COLOUR, "dash", 2.0),
    "england": (ENGLAND_COLOUR, "dot", 2.0),
}


def series_rows(values: pd.DataFrame, focus: str) -> pd.DataFrame:
    """The rows a profile draws: the focus neighbourhood, the borough and England."""
    keep = (values.area_type.isin(["lad", "england"])) | (
        (values.area_type == "neighbourhood") & (values.area_code == focus)
    )
    return values[keep & values.value.notna()]


def drawable(values: pd.DataFrame, focus: str, ids: Sequence[str]) -> list[str]:
    """The ids with two or more periods for the focus neighbourhood (a line to draw), leaving
    out those that are zero throughout for the neighbourhood and the borough (a flat line at
    zero says nothing a card does not)."""
    hood = values[(values.area_type == "neighbourhood") & (values.area_code == focus)]
    hood = hood[hood.value.notna()]
    counts = hood.groupby("indicator_id").period.nunique()
    local = series_rows(values, focus)
    local = local[local.area_type.isin(["neighbourhood", "lad"])]
    nonzero = set(local[local.value.abs() > 1e-9].indicator_id)
    return [i for i in ids if counts.get(i, 0) >= 2 and i in nonzero]


def _label(area_type: str, area_name: str) -> str:
    if area_type == "lad":
        return f"{area_name} (borough)"
    if area_type == "england":
        return labels.ENGLAND
    return area_name


def _legend(fig: go.Figure, rows: pd.DataFrame) -> None:
    """One legend for every panel: a line sample of each area (traces with no points)."""
    for area_type in AREAS:
        area = rows[rows.area_type == area_type]
        if area.empty:
            continue
        colour, dash, width = STYLES[area_type]
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines+markers",
                name=escape_html(_label(area_type, str(area.area_name.iloc[0]))),
                legendgroup=area_type,
                line={"color": colour, "dash": dash, "width": width},
                hoverinfo="skip",
            )
        )


def _traces(rows: pd.DataFrame, joined: bool, total: bool) -> list[go.Scatter]:
    """One line per area of one indicator (the legend is `_legend`'s). Periods that are not
    comparable (`joined` False) are drawn as points, never joined by a line that would read
    as a change; a total (`total`) is drawn for the neighbourhood only, as the borough's and
    England's totals would dwarf it."""
    out = []
    for area_type in AREAS[:1] if total else AREAS:
        area = rows[rows.area_type == area_type].sort_values("period_start")
        if area.empty:
            continue
        colour, dash, width = STYLES[area_type]
        label = escape_html(_label(area_type, str(area.area_name.iloc[0])))
        out.append(
            go.Scatter(
                x=pd.to_datetime(area.period_start),
                y=area.value,
                customdata=[[escape_html(p), label] for p in area.period.astype(str)],
                mode="lines+markers" if joined else "markers",
                name=label,
                legendgroup=area_type,
                showlegend=False,
                line={"color": colour, "dash": dash, "width": width},
                marker={"size": (6 if area_type == "neighbourhood" else 4) + (0 if joined else 3)},
                hovertemplate="%{customdata[1]}<br>%{customdata[0]}: %{y:,.3~f}<extra></extra>",
            )
        )
    return out


def _baseline_shape(fig: go.Figure, rows: pd.DataFrame, baseline: str | None, r: int, c: int):
    """A dotted vertical line at the indicator's own baseline period."""
    at = rows[rows.period.astype(str) == str(baseline)]
    if baseline is None or at.empty:
        return
    x = pd.to_datetime(at.period_start.iloc[0])
    fig.add_vline(x=x, line={"color": "#888", "width": 1.2, "dash": "dot"}, row=r, col=c)


def _panel_title(name: str, unit: str, polarity: str, joined: bool = True) -> str:
    """'Bus frequency (trips per hour)' and its polarity in words, in at most two lines of a
    panel's width."""
    shown = unit and unit not in ("score", "people") and unit not in name
    text = f"{name} ({unit})" if shown and not name.endswith(")") else name
    lines = textwrap.wrap(text, 44)
    if len(lines) > 2:
        lines = [lines[0], lines[1][:41].rstrip() + "…"]
    word = {"higher_is_worse": "lower is better", "higher_is_better": "higher is better"}.get(
        polarity, "neither higher nor lower is better"
    )
    if not joined:
        word += "; points: periods not comparable"
    head = "<br>".join(f"<b>{escape_html(line)}</b>" for line in lines)
    return f"{head}<br><span style='font-size:11px;color:#555'>{word}</span>"


def profile_chart(
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
    focus: str,
    ids: Sequence[str],
    baselines: Mapping[str, str],
    *,
    title: str,
    subtitle: str,
    source: str,
    columns: int = COLUMNS,
) -> go.Figure | None:
    """Small multiples of the indicators `ids` that have two or more periods for `focus`
    (None when none has): the neighbourhood (solid), the borough (dashed) and England
    (dotted), each panel with its own y axis and its baseline (`baselines`) dotted."""
    ids = drawable(values, focus, ids)
    if not ids:
        return None
    meta = catalogue.set_index("indicator_id")
    columns = max(1, min(columns, len(ids)))
    rows_n = math.ceil(len(ids) / columns)
    fig = make_subplots(
        rows=rows_n,
        cols=columns,
        subplot_titles=[
            _panel_title(
                str(meta.at[i, "name"]),
                str(meta.at[i, "unit"]),
                meta.at[i, "polarity"],
                _flag(meta.at[i, "comparable_over_time"]),
            )
            for i in ids
        ],
        vertical_spacing=min(0.6 / rows_n, 0.2),
        horizontal_spacing=0.07,
    )
    rows = series_rows(values, focus)
    for n, indicator_id in enumerate(ids):
        r, c = n // columns + 1, n % columns + 1
        panel = rows[rows.indicator_id == indicator_id]
        joined = _flag(meta.at[indicator_id, "comparable_over_time"])
        total = meta.at[indicator_id, "aggregation"] == "sum"
        if n == 0:
            _legend(fig, rows)
        for trace in _traces(panel, joined, total):
            fig.add_trace(trace, row=r, col=c)
        _baseline_shape(fig, panel, baselines.get(indicator_id), r, c)
        fig.update_xaxes(tickformat=_tick_format(panel), row=r, col=c)
    _lay_out(fig, title, subtitle, source, rows_n)
    return fig


def _flag(value: object) -> bool:
    return True if value is None or pd.isna(value) else bool(value)


def _tick_format(panel: pd.DataFrame) -> str:
    """Months and years for monthly periods ('2024-03'), else years."""
    monthly = panel.period.astype(str).str.fullmatch(r"\d{4}-\d{2}")
    return "%b %Y" if len(panel) and monthly.all() else "%Y"


def _lay_out(fig: go.Figure, title: str, subtitle: str, source: str, rows_n: int) -> None:
    """The shared layout, keeping the panel titles (the layout's own annotations would
    replace them) and room under the plot for a long source line."""
    panel_titles = list(fig.layout.annotations)
    for note in panel_titles:
        note.font = {"size": 12}
    source_lines = max(1, math.ceil(len(source) / 150))
    layout = base_layout(
        title,
        subtitle,
        source,
        height=PANEL_HEIGHT * rows_n + 210 + 14 * source_lines,
        subtitle_width=150,
        source_width=150,
    )
    layout["margin"] = {"l": 50, "r": 20, "t": 190, "b": 70 + 14 * source_lines}
    layout["annotations"] = panel_titles + layout["annotations"]
    plot_height = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    layout["legend"] = {**layout["legend"], "y": 1 + 62 / plot_height}
    fig.update_layout(**layout)
    fig.update_xaxes(type="date", showgrid=False, nticks=5)
    fig.update_yaxes(gridcolor=GRID_COLOUR, showgrid=True, rangemode="tozero")


def series_table(
    values: pd.DataFrame, catalogue: pd.DataFrame, focus: str, ids: Sequence[str]
) -> pd.DataFrame:
    """The chart's table alternative: one row per indicator and period, with the
    neighbourhood's, the borough's and England's values side by side."""
    rows = series_rows(values, focus)
    rows = rows[rows.indicator_id.isin(list(ids))]
    if rows.empty:
        return pd.DataFrame(columns=["indicator", "period"])
    names = dict(zip(catalogue.indicator_id, catalogue.name, strict=True))
    hood = rows[rows.area_type == "neighbourhood"]
    columns = {"neighbourhood": "neighbourhood", "lad": "borough", "england": "England"}
    wide = rows.pivot_table(
        index=["indicator_id", "period", "period_start"],
        columns="area_type",
        values="value",
        aggfunc="first",
    ).reset_index()
    wide = wide.rename(columns=columns)
    order = {i: n for n, i in enumerate(ids)}
    wide = wide.assign(_o=wide.indicator_id.map(order)).sort_values(["_o", "period_start"])
    wide.insert(0, "indicator", wide.indicator_id.map(names))
    keep = ["indicator", "period", *[v for v in columns.values() if v in wide]]
    out = wide[keep].reset_index(drop=True)
    if len(hood):
        out = out.rename(columns={"neighbourhood": str(hood.area_name.iloc[0])})
    return out


def spread_chart(
    spread: pd.DataFrame,
    *,
    focus_name: str,
    borough_name: str,
    title: str,
    subtitle: str,
    source: str,
    y_title: str,
    joined: bool = True,
) -> go.Figure:
    """The spread between a model's neighbourhoods over time: a grey band from the lowest to
    the highest neighbourhood, with the focus neighbourhood (solid), the borough (dashed) and
    England (dotted). `spread`: rows of `outcomes.briefing_pack.spread.spread_rows`."""
    x = pd.to_datetime(spread.period_start)
    periods = [escape_html(p) for p in spread.period.astype(str)]
    mode = "lines+markers" if joined else "markers"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=spread.max_value,
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=spread.min_value,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(120,120,120,0.22)",
            name="Range of the neighbourhoods (lowest to highest)",
            customdata=[
                [p, escape_html(lo), escape_html(hi)]
                for p, lo, hi in zip(periods, spread.min_name, spread.max_name, strict=True)
            ],
            hovertemplate="%{customdata[0]}: lowest %{customdata[1]}, highest %{customdata[2]}"
            "<extra></extra>",
        )
    )
    for column, area_type, name in (
        ("focus_value", "neighbourhood", focus_name),
        ("borough_value", "lad", f"{borough_name} (borough)"),
        ("england_value", "england", labels.ENGLAND),
    ):
        colour, dash, width = STYLES[area_type]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=spread[column],
                mode=mode,
                name=escape_html(name),
                line={"color": colour, "dash": dash, "width": width},
                customdata=[[p, escape_html(name)] for p in periods],
                hovertemplate="%{customdata[1]}<br>%{customdata[0]}: %{y:,.3~f}<extra></extra>",
            )
        )
    fig.update_layout(**base_layout(title, subtitle, source, subtitle_width=140))
    fig.update_xaxes(
        title_text="Period",
        type="date",
        tickvals=x,
        ticktext=periods,
    )
    fig.update_yaxes(title_text=y_title, rangemode="tozero", gridcolor=GRID_COLOUR, showgrid=True)
    return fig
