"""Choropleth maps: an indicator's values or change on LSOAs or neighbourhoods, and a map of a
neighbourhood model. The frames they draw come from `outcomes.maps`.

Maps use MapLibre (`go.Choroplethmap`) with the 'white-bg' style, which needs no map tiles, so
they work offline and in static export. A tile basemap is an option a page may offer; it needs
internet. In the app, a map without tiles is drawn on plotly's geo subplot (`GEO_STYLE`): the
same areas, colours and hover, by the small plotly.js bundle the app's charts load
(`outcomes.chart_element`), not the 4.7 MB one MapLibre comes in.

Colours are colour-blind safe: Cividis for values (darker = worse, or higher where higher is
neither better nor worse) and orange–white–blue for change, centred on zero, with blue
always the improvement.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import MultiPolygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import polylabel

from outcomes.charts.style import OKABE_ITO, base_layout, escaped
from outcomes.text import escape_html

OFFLINE_STYLE = "white-bg"  # no tiles: works offline and in kaleido
TILE_STYLE = "carto-positron"  # needs internet: only on request
GEO_STYLE = "geo"  # no tiles, on a geo subplot: what the app draws
# Orange (worse) -> white -> blue (better): ColorBrewer PuOr's orange arm and RdBu's blue arm,
# distinguishable with the common colour-vision deficiencies.
ORANGE_TO_BLUE = ["#B35806", "#E08214", "#FDB863", "#F7F7F7", "#92C5DE", "#4393C3", "#2166AC"]
UNASSIGNED_COLOUR = "#D9D9D9"
# Okabe-Ito without black: fills for a model's neighbourhoods (neighbours never share one).
MODEL_FILLS = [c for c in OKABE_ITO if c != "#000000"]
MAP_HEIGHT = 620
MAP_AREA_PX = (820, 440)  # the map's drawing area in a wide page, to choose the zoom
# The geo subplot's world base layers, all off: plotly.js then loads no topojson from its CDN
# (it looks at these and at the first trace, which is why the labels, positioned by longitude
# and latitude, are the first trace of a labelled map).
GEO_BASE_LAYERS = (
    "coastlines",
    "land",
    "ocean",
    "lakes",
    "rivers",
    "countries",
    "subunits",
    "frame",
)


def zoom_for(
    bounds: tuple[float, float, float, float], width_px: int = 700, height_px: int = 420
) -> tuple[tuple[float, float], float]:
    """Centre and the MapLibre zoom at which the bounds fit a map of the given size."""
    min_lon, min_lat, max_lon, max_lat = bounds
    centre = ((min_lon + max_lon) / 2, (min_lat + max_lat) / 2)
    stretch = 1 / math.cos(math.radians(centre[1]))  # Web Mercator stretches latitude
    fit_x = math.log2(width_px * 360 / (512 * max(max_lon - min_lon, 1e-4)))
    fit_y = math.log2(height_px * 360 / (512 * max(max_lat - min_lat, 1e-4) * stretch))
    return centre, max(4.0, min(13.0, min(fit_x, fit_y) - 0.15))


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


def outline_trace(
    geojson: dict, name: str = "Neighbourhood boundary", *, on_geo: bool = False
) -> go.Scattermap | go.Scattergeo:
    """Neighbourhood outlines as dark lines over a choropleth (a MapLibre map's, or with
    `on_geo` a geo subplot's)."""
    lons, lats = _rings(geojson)
    return (go.Scattergeo if on_geo else go.Scattermap)(
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
    layout = base_layout(title, subtitle, source, height=height)
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


def _change_colours(frame: pd.DataFrame, polarity: str, is_lsoa: bool) -> tuple:
    """(z, colour settings, customdata, hovertemplate) of a change map: orange-white-blue
    centred on zero, baseline and latest values on hover."""
    z = frame["change"]
    half = symmetric_range(z)
    colour = {"colorscale": change_colourscale(polarity), "zmin": -half, "zmax": half, "zmid": 0}
    custom = np.column_stack(
        [
            escaped(frame["area_name"]),
            escaped(frame["neighbourhood_name"].fillna("")),
            frame["value_baseline"],
            frame["value_current"],
            escaped(frame["direction"]),
            escaped(frame["baseline"]),
            escaped(frame["current"]),
        ]
    )
    hover = (
        "<b>%{customdata[0]}</b><br>"
        + ("%{customdata[1]}<br>" if is_lsoa else "")
        + "%{customdata[5]}: %{customdata[2]:,.3~f}<br>"
        + "%{customdata[6]}: %{customdata[3]:,.3~f}<br>"
        + "Change: %{z:+,.3~f} (%{customdata[4]})<extra></extra>"
    )
    return z, colour, custom, hover


def _value_colours(
    frame: pd.DataFrame, polarity: str, colour_title: str, is_lsoa: bool, decile: bool
) -> tuple:
    """(z, colour settings, customdata, hovertemplate) of a value map: Cividis, darker worse."""
    colour = {"colorscale": "Cividis" if polarity == "higher_is_better" else "Cividis_r"}
    if decile:
        colour.update(zmin=1, zmax=10)
    custom = np.column_stack(
        [
            escaped(frame["area_name"]),
            escaped(frame["neighbourhood_name"].fillna("")),
            [colour_title] * len(frame),  # escaped by the caller (it may hold <br>)
        ]
    )
    hover = (
        "<b>%{customdata[0]}</b><br>"
        + ("%{customdata[1]}<br>" if is_lsoa else "")
        + "%{customdata[2]}: %{z:,.3~f}<extra></extra>"
    )
    return frame["value"], colour, custom, hover


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
    """A choropleth of `frame` (a value_frame or change_frame of `outcomes.maps`) over
    `geojson`, whose feature ids are LSOA codes (level 'lsoa') or neighbourhood names (level
    'neighbourhood', from geo.neighbourhood_geojson). `outlines`, if given, are drawn on top.
    `colour_title` may hold line breaks (<br>): names in it must be escaped. `map_style`
    GEO_STYLE draws it on a geo subplot fitted to the areas (`centre` and `zoom` unused)."""
    is_lsoa = level == "lsoa"
    if view == "change":
        z, colour, custom, hover = _change_colours(frame, polarity, is_lsoa)
    else:
        z, colour, custom, hover = _value_colours(frame, polarity, colour_title, is_lsoa, decile)
    colourbar = {"title": {"text": colour_title, "side": "right"}, "thickness": 14, "len": 0.8}
    if decile and view == "value":
        colourbar["tickvals"] = list(range(1, 11))
    # Grey borders on the change map, whose zero is white like the background.
    border = {
        "width": 0.4 if is_lsoa else 1.2,
        "color": "#BBBBBB" if view == "change" else "#FFFFFF",
    }
    on_geo = map_style == GEO_STYLE
    fig = go.Figure(_geo_anchor(geojson) if on_geo else None)
    fig.add_trace(
        (go.Choropleth if on_geo else go.Choroplethmap)(
            geojson=_clockwise(geojson) if on_geo else geojson,
            locations=frame["area_code" if is_lsoa else "area_name"],
            z=z,
            customdata=custom,
            marker={"line": border, "opacity": 0.9},
            colorbar=colourbar,
            hovertemplate=hover,
            name="",
            **colour,
        )
    )
    if outlines and outlines.get("features"):
        fig.add_trace(outline_trace(outlines, on_geo=on_geo))
    if on_geo:
        fig.update_layout(**_geo_layout(title, subtitle, source))
    else:
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


def label_points(geojson: dict) -> pd.DataFrame:
    """Where each feature's name goes: a point inside its largest polygon, far from its edges
    (the pole of inaccessibility), so a name never sits outside a crescent-shaped area.
    Columns id, lon, lat."""
    rows = []
    for feature in geojson.get("features", []):
        geometry = shape(feature["geometry"])
        parts = list(getattr(geometry, "geoms", [geometry]))
        largest = max(parts, key=lambda p: p.area)
        point = polylabel(largest, tolerance=0.0005) if largest.area > 0 else largest.centroid
        rows.append({"id": feature["id"], "lon": point.x, "lat": point.y})
    return pd.DataFrame(rows, columns=["id", "lon", "lat"])


def label_trace(geojson: dict, size: int = 12) -> go.Scattergeo:
    """Names of the features as a text layer at their label points (escaped: they are user
    text). Drawn as SVG text by the geo subplot, so the map needs no font download."""
    points = label_points(geojson)
    return go.Scattergeo(
        lon=points["lon"].tolist(),
        lat=points["lat"].tolist(),
        text=[escape_html(name) for name in points["id"]],
        mode="text",
        textfont={"size": size, "color": "#111111", "shadow": "0px 0px 3px #FFFFFF"},
        hoverinfo="skip",
        name="Neighbourhood names",
        showlegend=False,
    )


_wound: OrderedDict[tuple[int, ...], tuple[tuple, dict]] = OrderedDict()
_wound_lock = threading.Lock()
WOUND_KEPT = 32


def _geo_anchor(geojson: dict) -> go.Scattergeo:
    """An invisible one-point trace to come first on a geo subplot: plotly.js decides whether
    to fetch its world map from the internet by the first trace alone, and a choropleth
    first would (offline, the map would not draw). See also GEO_BASE_LAYERS."""
    lons, lats = _rings(geojson)
    return go.Scattergeo(
        lon=lons[:1],
        lat=lats[:1],
        mode="markers",
        marker={"opacity": 0, "size": 1},
        hoverinfo="skip",
        showlegend=False,
        name="",
    )


def _clockwise(geojson: dict) -> dict:
    """`_wind_clockwise(geojson)`, remembered for the same feature objects: a borough's LSOA
    features are cached and shared (`geo.lsoa_geojson`), so a map view does not rewind a
    borough's polygons. (A model's outlines come as fresh copies, few and quick to rewind.)
    The entry holds the features, so their ids stay theirs while kept."""
    features = tuple(geojson.get("features", []))
    key = tuple(map(id, features))
    with _wound_lock:
        kept = _wound.get(key)
        if kept is not None:
            _wound.move_to_end(key)
            return kept[1]
    wound = _wind_clockwise(geojson)
    with _wound_lock:
        _wound[key] = (features, wound)
        while len(_wound) > WOUND_KEPT:
            _wound.popitem(last=False)
    return wound


def _wind_clockwise(geojson: dict) -> dict:
    """The same features with exterior rings clockwise, the winding plotly's geo subplot
    fills inside (counter-clockwise rings would fill the rest of the world)."""
    features = []
    for feature in geojson.get("features", []):
        geometry = shape(feature["geometry"])
        parts = [orient(p, sign=-1.0) for p in getattr(geometry, "geoms", [geometry])]
        oriented = parts[0] if len(parts) == 1 else MultiPolygon(parts)
        features.append({**feature, "geometry": mapping(oriented)})
    return {"type": "FeatureCollection", "features": features}


def _unassigned_trace(unassigned: dict) -> go.Choropleth:
    """LSOAs in no neighbourhood, in grey."""
    ids = [f["id"] for f in unassigned["features"]]
    return go.Choropleth(
        geojson=_clockwise(unassigned),
        locations=ids,
        featureidkey="id",
        z=[0] * len(ids),
        colorscale=[[0, UNASSIGNED_COLOUR], [1, UNASSIGNED_COLOUR]],
        showscale=False,
        marker={"line": {"width": 0.4, "color": "#FFFFFF"}},
        customdata=escaped(ids),
        hovertemplate="%{customdata}<br>Unassigned LSOA<extra></extra>",
        name="Unassigned LSOAs",
    )


def _geo_layout(title: str, subtitle: str, source: str, height: int = MAP_HEIGHT) -> dict:
    """A geo subplot fitted to the drawn areas, with no basemap: works offline and in export."""
    layout = _map_layout(title, subtitle, source, (0, 0), 1, OFFLINE_STYLE, height)
    del layout["map"]
    layout["geo"] = {
        "fitbounds": "locations",
        "projection": {"type": "mercator"},
        "bgcolor": "rgba(0,0,0,0)",
        **{f"show{layer}": False for layer in GEO_BASE_LAYERS},
    }
    return layout


def model_map(
    outlines: dict,
    *,
    lsoas: pd.DataFrame,
    unassigned: dict | None,
    title: str,
    subtitle: str,
    source: str,
    centre: tuple[float, float] | None = None,
    zoom: float | None = None,
    labels: bool = True,
) -> go.Figure:
    """The neighbourhoods of one model as coloured polygons, each named on the map (a text
    layer at its label point) and on hover with its LSOA count, LSOAs outside every
    neighbourhood in grey. `lsoas` has neighbourhood_name, lsoas. Drawn on a geo subplot
    fitted to the areas (`centre` and `zoom` are not needed there)."""
    index = neighbour_colours(outlines)
    names = [f["id"] for f in outlines.get("features", [])]
    counts = dict(zip(lsoas["neighbourhood_name"], lsoas["lsoas"], strict=False))
    steps = len(MODEL_FILLS)
    scale = []
    for i, colour in enumerate(MODEL_FILLS):  # a stepped scale: index i -> MODEL_FILLS[i]
        scale += [[i / steps, colour], [(i + 1) / steps, colour]]
    fig = go.Figure()
    if labels and names:  # first: see GEO_BASE_LAYERS; drawn above the areas all the same
        fig.add_trace(label_trace(outlines, size=12 if len(names) <= 12 else 10))
    if unassigned and unassigned.get("features"):
        fig.add_trace(_unassigned_trace(unassigned))
    fig.add_trace(
        go.Choropleth(
            geojson=_clockwise(outlines),
            locations=names,
            featureidkey="id",
            z=[index[n] + 0.5 for n in names],
            zmin=0,
            zmax=steps,
            colorscale=scale,
            showscale=False,
            customdata=[[counts.get(n, 0), escape_html(n)] for n in names],
            marker={"line": {"width": 1.5, "color": "#222222"}, "opacity": 0.6},
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[0]} LSOAs<extra></extra>",
            name="Neighbourhoods",
        )
    )
    fig.update_layout(**_geo_layout(title, subtitle, source))
    return fig
