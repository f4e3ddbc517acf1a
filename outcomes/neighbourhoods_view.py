"""The Neighbourhoods page's shared computations: a model's coverage and map, two models side
by side and how one nests in the other, made once per selection and shared by every session
(`shared_views`; read-only results)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from outcomes import analysis, charts, geo, maps, model_comparison, nesting, shared_views, ui


@shared_views.shared
def coverage(lad_code: str, model_id: str) -> model_comparison.Coverage:
    """How the model covers the borough's LSOAs (`model_comparison.coverage`)."""
    return model_comparison.coverage(ui.borough_lsoas(lad_code), ui.model_membership(model_id))


@shared_views.shared
def model_map(lad_code: str, model_id: str, model_name: str, lad_name: str) -> go.Figure | None:
    """The model's neighbourhoods named on a map, unassigned LSOAs in grey; None without
    boundaries to draw."""
    outlines = ui.neighbourhood_outlines(lad_code, model_id)
    if not outlines["features"]:
        return None
    covered = coverage(lad_code, model_id)
    return charts.model_map(
        maps.subset(outlines, covered.table.neighbourhood_name),
        lsoas=covered.table,
        unassigned=maps.subset(geo.lsoa_geojson(lad_code), covered.unassigned_codes),
        title=f"{model_name}, {lad_name}",
        subtitle=f"{len(covered.table)} neighbourhoods made of LSOAs (2021), named on the "
        "map. Colours only tell neighbours apart.",
        source=geo.ATTRIBUTION,
    )


@dataclass(frozen=True)
class SideBySide:
    """Two models of one borough on one indicator and period (read-only: shared)."""

    labels: dict[str, str]  # model_id -> the name each model is shown by
    spreads: dict[str, pd.DataFrame]  # label -> `model_comparison.neighbourhood_spread`
    splits: dict[str, model_comparison.VarianceSplit]  # label -> variance split
    tables: dict[str, pd.DataFrame]  # label -> `model_comparison.spread_table`
    borough_value: float | None  # None for totals, or without a borough value
    figure: go.Figure
    download: pd.DataFrame  # `model_comparison.for_download`, before export labelling


@shared_views.shared
def side_by_side(
    lad_code: str,
    lad_name: str,
    model_names: tuple[tuple[str, str], tuple[str, str]],
    indicator_id: str,
    period: str,
) -> SideBySide | None:
    """Each model's neighbourhoods with the spread of their LSOAs' values, the variance
    split, the chart and its tables; None when the borough has no LSOA values then. Keyed by
    these few values, so a view costs a lookup, not hashing the frames behind it."""
    lsoa = ui.lsoa_weighted_values(lad_code, indicator_id, period)
    if lsoa.empty:
        return None
    meta_row = ui.indicator_row(indicator_id)
    meta = analysis.IndicatorMeta.from_row(meta_row)
    labels = dict(model_names)
    if len(set(labels.values())) < len(labels):  # two models of one name: tell them apart
        labels = {m: f"{name} ({m})" for m, name in labels.items()}
    spreads, splits, borough_value = {}, {}, None
    for model_id, label in labels.items():
        values = ui.area_values(lad_code, model_id, (indicator_id,))
        values = values[values.period == period]
        members = ui.model_membership(model_id)
        hoods = values[values.area_type == "neighbourhood"]
        spreads[label] = model_comparison.neighbourhood_spread(lsoa, members, hoods)
        splits[label] = model_comparison.variance_split(lsoa, members)
        borough = values[values.area_type == "lad"]
        if len(borough) and meta.aggregation != "sum":
            borough_value = float(borough.value.iloc[0])
    first, second = labels.values()
    figure = charts.spread_chart(
        spreads,
        meta=meta,
        title=f"{meta.name}: {first} and {second}, {lad_name}",
        subtitle=f"{period}; each neighbourhood's value and the spread of its LSOAs' values "
        f"(SD {model_comparison.weight_basis(meta)}); {ui.polarity_text(meta.polarity).lower()}",
        source=ui.source_line(meta_row),
        borough_value=borough_value,
    )
    return SideBySide(
        labels=labels,
        spreads=spreads,
        splits=splits,
        tables={name: model_comparison.spread_table(s, meta) for name, s in spreads.items()},
        borough_value=borough_value,
        figure=figure,
        download=model_comparison.for_download(spreads, splits, meta=meta, period=period),
    )


@dataclass(frozen=True)
class Nesting:
    """How the finer of two models sits in the coarser (read-only: shared)."""

    fine_id: str
    coarse_id: str
    fine_count: int
    overlap: pd.DataFrame  # `nesting.overlap`
    overlap_table: pd.DataFrame  # `nesting.overlap_display`
    extremes: pd.DataFrame  # `nesting.hidden_extremes`
    extremes_table: pd.DataFrame  # `nesting.extremes_display`


@shared_views.shared
def model_nesting(
    lad_code: str, model_ids: tuple[str, str], indicator_id: str, period: str
) -> Nesting | None:
    """The overlap of two models and the extremes a coarse average hides; None when both have
    as many neighbourhoods (neither is the finer)."""
    counts = {m: ui.model_membership(m).neighbourhood_code.nunique() for m in model_ids}
    fine_id, coarse_id = sorted(model_ids, key=lambda m: -counts[m])
    if counts[fine_id] == counts[coarse_id]:
        return None
    meta = analysis.IndicatorMeta.from_row(ui.indicator_row(indicator_id))
    fine, coarse = ui.model_membership(fine_id), ui.model_membership(coarse_id)
    table = nesting.overlap(coarse, fine)
    lsoa = ui.lsoa_weighted_values(lad_code, indicator_id, period)
    extremes = nesting.hidden_extremes(table, lsoa, coarse, fine, meta)
    return Nesting(
        fine_id=fine_id,
        coarse_id=coarse_id,
        fine_count=counts[fine_id],
        overlap=table,
        overlap_table=nesting.overlap_display(table),
        extremes=extremes,
        extremes_table=nesting.extremes_display(extremes, meta),
    )
