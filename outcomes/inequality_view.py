"""The Inequality page's shared computations: the borough's deciles, their chart and table, and
the slope index of inequality, made once per selection and shared by every session
(`shared_views`; read-only results; the SII's simulation is no longer run for every view)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from outcomes import analysis, charts, inequality, shared_views, stats, ui


@dataclass(frozen=True)
class Deciles:
    deciles: pd.DataFrame  # `inequality.decile_table`; empty when no LSOA has a value
    figure: go.Figure | None
    table: pd.DataFrame | None  # `inequality.decile_display`


@shared_views.shared
def deciles(
    lad_code: str,
    lad_name: str,
    model_id: str,
    indicator_id: str,
    period: str,
    wave: str,
    population_period: str | None,
    ci_level: str,
) -> Deciles:
    """The indicator by national IMD decile (wave `wave`) across the borough."""
    meta_row = ui.indicator_row(indicator_id)
    meta = analysis.IndicatorMeta.from_row(meta_row)
    sums = ui.decile_sums(lad_code, indicator_id, period, wave, population_period)
    if sums.empty or sums.lsoas_with_data.sum() == 0:
        return Deciles(sums.iloc[0:0], None, None)
    rows = inequality.decile_table(sums, meta, ci_level)
    values = ui.area_values(lad_code, model_id, (indicator_id,))
    figure = charts.decile_chart(
        rows,
        borough_name=lad_name,
        borough_value=inequality.borough_reference(values, meta, period),
        unit=meta.unit,
        title=f"{meta.name} by national IMD decile, {lad_name}, {period}",
        subtitle=f"LSOAs grouped by IoD {wave} decile (1 = most deprived); "
        f"{ui.polarity_text(meta.polarity)}; {ui.ci_caption(meta, ci_level)}",
        source=ui.source_line(meta_row),
        y_title=charts.axis_title(meta.name, meta.unit),
    )
    table = inequality.decile_display(rows, meta, ci_level, period, wave)
    return Deciles(rows, figure, table)


@shared_views.shared
def slope_index(
    lad_code: str,
    lad_name: str,
    model_id: str,
    indicator_id: str,
    period: str,
    wave: str,
    population_period: str | None,
    ci_level: str,
) -> stats.SIIResult:
    """The slope index of inequality across the deciles (`inequality.slope_index`)."""
    found = deciles(
        lad_code, lad_name, model_id, indicator_id, period, wave, population_period, ci_level
    )
    meta = analysis.IndicatorMeta.from_row(ui.indicator_row(indicator_id))
    return inequality.slope_index(found.deciles, meta, ci_level)
