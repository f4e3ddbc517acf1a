"""The Neighbourhoods page's shared computations: a model's coverage and map, made once per
model and shared by every session (`shared_views`; read-only results)."""

from __future__ import annotations

import plotly.graph_objects as go

from outcomes import charts, geo, maps, model_comparison, shared_views, ui


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
