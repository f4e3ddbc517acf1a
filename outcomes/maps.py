"""Choropleth maps: any indicator on LSOAs or neighbourhoods, one period or change since a
baseline, and a map of a neighbourhood model. DataFrames and GeoJSON in, plotly Figures and
tables out; no Streamlit here.

Maps use MapLibre (`go.Choroplethmap`) with the 'white-bg' style, which needs no map tiles, so
they work offline and in static export. A tile basemap is an option a page may offer; it needs
internet. Colours are colour-blind safe: Cividis for values (darker = worse, or higher where
higher is neither better nor worse) and orange–white–blue for change, centred on zero, with blue
always the improvement.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import shape

from outcomes import analysis, charts

OFFLINE_STYLE = "white-bg"  # no tiles: works offline and in kaleido
TILE_STYLE = "carto-positron"  # needs internet: only on request
LEVELS = {"lsoa": "LSOAs", "neighbourhood": "Neighbourhoods"}
LEVEL_NOUNS = {"lsoa": "LSOAs", "neighbourhood": "neighbourhoods"}  # mid-sentence
VIEWS = {"value": "Value in one period", "change": "Change since baseline"}
# Orange (worse) -> white -> blue (better): ColorBrewer PuOr's orange arm and RdBu's blue arm,
# distinguishable with the common colour-vision deficiencies.
ORANGE_TO_BLUE = ["#B35806", "#E08214", "#FDB863", "#F7F7F7", "#92C5DE", "#4393C3", "#2166AC"]
UNASSIGNED_COLOUR = "#D9D9D9"
# Okabe-Ito without black: fills for a model's neighbourhoods (neighbours never share one).
MODEL_FILLS = [c for c in charts.OKABE_ITO if c != "#000000"]
MAP_HEIGHT = 620
MAP_AREA_PX = (820, 440)  # the map's drawing area in a wide page, to choose the zoom


def levels_for(aggregation: str) -> list[str]:
    """Levels an indicator can be mapped at: LSOA-only indicators have no neighbourhood value."""
    return ["lsoa"] if aggregation == "lsoa_only" else ["lsoa", "neighbourhood"]


def change_indicator_id(indicator_id: str, aggregation: str, known_ids) -> str:
    """The indicator whose change is mapped. Ranks are not comparable between waves (the
    number of LSOAs changes), so an LSOA-only rank changes through its decile."""
    if aggregation == "lsoa_only" and indicator_id.endswith("_rank"):
        decile = indicator_id.removesuffix("_rank") + "_decile"
        if decile in set(known_ids):
            return decile
    return indicator_id


def lsoa_areas(lsoa_values: pd.DataFrame) -> pd.DataFrame:
    """LSOA rows (from queries.lsoa_values) in the area shape the comparisons use."""
    return lsoa_values.rename(
        columns={"lsoa21_code": "area_code", "lsoa21_name": "area_name"}
    ).assign(area_type="lsoa")


def neighbourhood_areas(area_values: pd.DataFrame) -> pd.DataFrame:
    """Neighbourhood rows of queries.area_values, each named as its own neighbourhood."""
    hoods = area_values[area_values.area_type == "neighbourhood"].copy()
    hoods["neighbourhood_name"] = hoods["area_name"]
    return hoods


def periods_of(areas: pd.DataFrame) -> list[str]:
    """Periods with at least one value, oldest first."""
    return sorted(areas.loc[areas["value"].notna(), "period"].astype(str).unique())


def value_frame(areas: pd.DataFrame, period: str) -> pd.DataFrame:
    """The areas' values in one period (areas without a value are left out)."""
    rows = areas[(areas["period"].astype(str) == period) & areas["value"].notna()]
    return rows.sort_values("area_code").reset_index(drop=True)


def change_frame(
    areas: pd.DataFrame,
    baseline: str,
    latest: str,
    meta: analysis.IndicatorMeta,
    ci_level: str,
) -> pd.DataFrame:
    """Latest value minus the baseline value per area, with its significance ('no test
    needed' for complete counts) and judgement; areas missing either value are left out."""
    change = analysis.change_since_baseline(areas, baseline, latest, meta, ci_level)
    names = areas[["area_code", "neighbourhood_name"]].drop_duplicates("area_code")
    change = change.merge(names, on="area_code", how="left")
    change = change[change["change"].notna()]
    return change.sort_values("area_code").reset_index(drop=True)


def value_legend(polarity: str) -> str:
    """What darker means on a value map."""
    return {
        "higher_is_worse": "darker = worse (higher is worse)",
        "higher_is_better": "darker = worse (higher is better)",
    }.get(polarity, "darker = higher (higher is neither better nor worse)")


def change_legend(polarity: str, comparable: bool = True) -> str:
    """What blue and orange mean on a change map: the polarity in words. A measure that is not
    comparable over time (e.g. IMD scores, relative within a wave) is shown but not judged."""
    if not comparable:
        direction = "fell" if polarity == "higher_is_worse" else "rose"
        other = "rose" if direction == "fell" else "fell"
        return (
            f"blue = {direction}, orange = {other} (not judged: this measure is not "
            "comparable over time)"
        )
    return {
        "higher_is_worse": "blue = improved (fell), orange = worsened (rose)",
        "higher_is_better": "blue = improved (rose), orange = worsened (fell)",
    }.get(polarity, "blue = rose, orange = fell (neither is better or worse)")


def comparable_over_time(meta_row: pd.Series) -> bool:
    """The catalogue's comparable_over_time flag; True where the catalogue has none."""
    value = meta_row.get("comparable_over_time", True)
    return True if value is None or pd.isna(value) else bool(value)


def with_comparability(meta: analysis.IndicatorMeta, meta_row: pd.Series) -> analysis.IndicatorMeta:
    """`meta` with the catalogue's comparable_over_time flag applied."""
    return dataclasses.replace(meta, comparable_over_time=comparable_over_time(meta_row))


def change_colourscale(polarity: str) -> list[list]:
    """Orange-white-blue from the lowest to the highest change, flipped so that blue is the
    improvement (a fall, where higher is worse)."""
    colours = ORANGE_TO_BLUE[::-1] if polarity == "higher_is_worse" else ORANGE_TO_BLUE
    steps = len(colours) - 1
    return [[i / steps, colour] for i, colour in enumerate(colours)]


def symmetric_range(values: pd.Series) -> float:
    """Half-width of a colour range centred on zero that holds every value (1 if all zero)."""
    largest = float(np.nanmax(np.abs(values.to_numpy(float)))) if len(values) else 0.0
    return largest if largest > 0 and np.isfinite(largest) else 1.0


def _rings(geojson: dict) -> tuple[list, list]:
    """Outer rings of every polygon as one line with None breaks (for a Scattermap)."""
    lons: list = []
    lats: list = []
    for feature in geojson.get("features", []):
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for polygon in polygons:
            ring = polygon[0]
            lons += [p[0] for p in ring] + [None]
            lats += [p[1] for p in ring] + [None]
    return lons, lats


def outline_trace(geojson: dict, name: str = "Neighbourhood boundary") -> go.Scattermap:
    """Neighbourhood outlines as dark lines over a choropleth."""
    lons, lats = _rings(geojson)
    return go.Scattermap(
        lon=lons,
        lat=lats,
        mode="lines",
        line={"color": "#111111", "width": 2.2},
        name=name,
        hoverinfo="skip",
        showlegend=True,
    )


def _map_layout(
    title: str,
    subtitle: str,
    source: str,
    centre: tuple[float, float],
    zoom: float,
    map_style: str,
    height: int = MAP_HEIGHT,
) -> dict:
    layout = charts.base_layout(title, subtitle, source, height=height)
    layout["margin"] = {"l": 10, "r": 10, "t": 95, "b": 70}
    layout["annotations"][0]["yshift"] = -8
    layout["legend"] = {  # top right, clear of the title and of the source footer
        "orientation": "h",
        "x": 1,
        "xanchor": "right",
        "y": 1.0,
        "yanchor": "bottom",
        "bgcolor": "rgba(255,255,255,0.85)",
    }
    layout["map"] = {
        "style": map_style,
        "center": {"lon": centre[0], "lat": centre[1]},
        "zoom": zoom,
    }
    return layout


def choropleth(
    frame: pd.DataFrame,
    geojson: dict,
    *,
    level: str,
    view: str,
    polarity: str,
    colour_title: str,
    title: str,
    subtitle: str,
    source: str,
    centre: tuple[float, float],
    zoom: float,
    outlines: dict | None = None,
    map_style: str = OFFLINE_STYLE,
    decile: bool = False,
) -> go.Figure:
    """A choropleth of `frame` (a value_frame or change_frame) over `geojson`, whose feature ids
    are LSOA codes (level 'lsoa') or neighbourhood names (level 'neighbourhood', from
    geo.neighbourhood_geojson). `outlines`, if given, are drawn on top."""
    is_lsoa = level == "lsoa"
    key = "area_code" if is_lsoa else "area_name"
    if view == "change":
        z = frame["change"]
        half = symmetric_range(z)
        colour = {
            "colorscale": change_colourscale(polarity),
            "zmin": -half,
            "zmax": half,
            "zmid": 0,
        }
        custom = np.column_stack(
            [
                frame["area_name"],
                frame["neighbourhood_name"].fillna(""),
                frame["value_baseline"],
                frame["value_current"],
                frame["direction"],
            ]
        )
        hover = (
            "<b>%{customdata[0]}</b><br>"
            + ("%{customdata[1]}<br>" if is_lsoa else "")
            + f"{frame['baseline'].iloc[0] if len(frame) else ''}: %{{customdata[2]:,.3~f}}<br>"
            + f"{frame['current'].iloc[0] if len(frame) else ''}: %{{customdata[3]:,.3~f}}<br>"
            + "Change: %{z:+,.3~f} (%{customdata[4]})<extra></extra>"
        )
    else:
        z = frame["value"]
        colour = {"colorscale": "Cividis" if polarity == "higher_is_better" else "Cividis_r"}
        if decile:
            colour.update(zmin=1, zmax=10)
        custom = np.column_stack([frame["area_name"], frame["neighbourhood_name"].fillna("")])
        hover = (
            "<b>%{customdata[0]}</b><br>"
            + ("%{customdata[1]}<br>" if is_lsoa else "")
            + f"{colour_title}: %{{z:,.3~f}}<extra></extra>"
        )
    colourbar = {"title": {"text": colour_title, "side": "right"}, "thickness": 14, "len": 0.8}
    if decile and view == "value":
        colourbar["tickvals"] = list(range(1, 11))
    fig = go.Figure(
        go.Choroplethmap(
            geojson=geojson,
            locations=frame[key],
            z=z,
            customdata=custom,
            marker={
                # Grey borders on the change map, whose zero is white like the background.
                "line": {
                    "width": 0.4 if is_lsoa else 1.2,
                    "color": "#BBBBBB" if view == "change" else "#FFFFFF",
                },
                "opacity": 0.9,
            },
            colorbar=colourbar,
            hovertemplate=hover,
            name="",
            **colour,
        )
    )
    if outlines and outlines.get("features"):
        fig.add_trace(outline_trace(outlines))
    fig.update_layout(**_map_layout(title, subtitle, source, centre, zoom, map_style))
    return fig


def neighbour_colours(geojson: dict, n_colours: int = len(MODEL_FILLS)) -> dict[str, int]:
    """A colour index per feature id: each its own colour when there are few enough, otherwise
    such that features that touch get different colours (greedy, largest first; a map of a
    borough needs far fewer than seven)."""
    features = geojson.get("features", [])
    if len(features) <= n_colours:
        return {f["id"]: i for i, f in enumerate(features)}
    shapes = {f["id"]: shape(f["geometry"]).buffer(0.0005) for f in features}
    order = sorted(shapes, key=lambda k: -shapes[k].area)
    colours: dict[str, int] = {}
    for fid in order:
        used = {colours[o] for o in colours if shapes[fid].intersects(shapes[o])}
        free = [c for c in range(n_colours) if c not in used]
        colours[fid] = free[0] if free else len(colours) % n_colours
    return colours


def model_map(
    outlines: dict,
    *,
    lsoas: pd.DataFrame,
    unassigned: dict | None,
    title: str,
    subtitle: str,
    source: str,
    centre: tuple[float, float],
    zoom: float,
    map_style: str = OFFLINE_STYLE,
) -> go.Figure:
    """The neighbourhoods of one model as coloured polygons (name and LSOA count on hover),
    with LSOAs outside every neighbourhood in grey. `lsoas` has neighbourhood_name, lsoas."""
    index = neighbour_colours(outlines)
    names = [f["id"] for f in outlines.get("features", [])]
    counts = dict(zip(lsoas["neighbourhood_name"], lsoas["lsoas"], strict=False))
    steps = len(MODEL_FILLS)
    scale = []
    for i, colour in enumerate(MODEL_FILLS):  # a stepped scale: index i -> MODEL_FILLS[i]
        scale += [[i / steps, colour], [(i + 1) / steps, colour]]
    fig = go.Figure()
    if unassigned and unassigned.get("features"):
        ids = [f["id"] for f in unassigned["features"]]
        fig.add_trace(
            go.Choroplethmap(
                geojson=unassigned,
                locations=ids,
                z=[0] * len(ids),
                colorscale=[[0, UNASSIGNED_COLOUR], [1, UNASSIGNED_COLOUR]],
                showscale=False,
                marker={"line": {"width": 0.4, "color": "#FFFFFF"}},
                hovertemplate="%{location}<br>Unassigned LSOA<extra></extra>",
                name="Unassigned LSOAs",
            )
        )
    fig.add_trace(
        go.Choroplethmap(
            geojson=outlines,
            locations=names,
            z=[index[n] + 0.5 for n in names],
            zmin=0,
            zmax=steps,
            colorscale=scale,
            showscale=False,
            customdata=[[counts.get(n, 0)] for n in names],
            marker={"line": {"width": 1.5, "color": "#222222"}, "opacity": 0.75},
            hovertemplate="<b>%{location}</b><br>%{customdata[0]} LSOAs<extra></extra>",
            name="Neighbourhoods",
        )
    )
    fig.update_layout(**_map_layout(title, subtitle, source, centre, zoom, map_style))
    return fig


def table_for(
    frame: pd.DataFrame,
    *,
    view: str,
    level: str,
    meta: analysis.IndicatorMeta,
) -> pd.DataFrame:
    """Exactly the mapped values as a self-describing table (shown and downloaded)."""
    area = "lsoa21" if level == "lsoa" else "neighbourhood"
    out = pd.DataFrame(
        {
            "indicator_id": meta.indicator_id,
            "indicator_name": meta.name,
            "unit": meta.unit,
            f"{area}_code": frame["area_code"],
            f"{area}_name": frame["area_name"],
        }
    )
    if level == "lsoa":
        out["neighbourhood_name"] = frame["neighbourhood_name"].to_numpy()
    if view == "change":
        out["baseline_period"] = frame["baseline"].to_numpy()
        out["latest_period"] = frame["current"].to_numpy()
        out["value_baseline"] = frame["value_baseline"].to_numpy()
        out["value_latest"] = frame["value_current"].to_numpy()
        out["change"] = frame["change"].to_numpy()
        if meta.has_ci:
            out["change_lower"] = frame["change_lower"].to_numpy()
            out["change_upper"] = frame["change_upper"].to_numpy()
        out["significance"] = frame["significance"].to_numpy()
        out["judgement"] = frame["direction"].to_numpy()
    else:
        out["period"] = frame["period"].astype(str).to_numpy()
        out["value"] = frame["value"].to_numpy()
        if meta.has_ci:
            for level_ in ("95", "998"):
                for side in ("lower", "upper"):
                    column = f"{side}_ci{level_}"
                    if column in frame:
                        out[column] = frame[column].to_numpy()
    return out.reset_index(drop=True)


def subset(geojson: dict, ids) -> dict:
    """The features of a FeatureCollection whose id is in `ids`."""
    wanted = set(ids)
    return {
        "type": "FeatureCollection",
        "features": [f for f in geojson.get("features", []) if f.get("id") in wanted],
    }
