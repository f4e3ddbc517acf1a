"""Boundaries for maps: LSOA 2021 polygons of a borough, and neighbourhood outlines.

The boundaries are ONS super-generalised (BSC) LSOA 2021 polygons for England, published by the
build as `lsoa_boundaries` and read once per build. Neighbourhood outlines are dissolved from
their LSOAs with shapely, so any model (shipped or uploaded) can be drawn without a boundary
file of its own.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import duckdb
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from outcomes import db

ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2021."
)


@lru_cache(maxsize=1)
def _features_by_lad(public_db: Path, built: float) -> dict[str, str]:
    """Every LSOA 2021 boundary of the published table `lsoa_boundaries`, as one GeoJSON
    feature-list text per LA; read once per build of the public database (`built` is its
    modification time). Kept as text, not parsed: England's polygons as Python objects would
    be millions of objects for the garbage collector to walk, for the sake of one borough."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS pub (READ_ONLY)", [str(public_db)])
        rows = con.execute(
            "SELECT lsoa21_code, lad_code, geometry FROM pub.lsoa_boundaries ORDER BY lsoa21_code"
        ).fetchall()
    finally:
        con.close()
    by_lad: dict[str, list[str]] = {}
    for code, lad_code, geometry in rows:
        lsoa, lad = json.dumps(code), json.dumps(lad_code)
        by_lad.setdefault(lad_code, []).append(
            f'{{"type":"Feature","id":{lsoa},"properties":{{"lsoa21cd":{lsoa},'
            f'"lad24cd":{lad}}},"geometry":{geometry}}}'
        )
    return {lad: "[" + ",".join(features) + "]" for lad, features in by_lad.items()}


@lru_cache(maxsize=64)
def _lad_features(public_db: Path, built: float, lad_code: str) -> tuple[dict, ...]:
    """One borough's LSOA features, parsed once per build (boroughs most recently shown)."""
    text = _features_by_lad(public_db, built).get(lad_code)
    return tuple(json.loads(text)) if text else ()


def _features(lad_code: str) -> tuple[dict, ...]:
    path = Path(db.PUBLIC_DB)
    return _lad_features(path, path.stat().st_mtime, lad_code)


def lsoa_geojson(lad_code: str) -> dict:
    """A FeatureCollection of the borough's LSOA 2021 polygons (feature id = LSOA code).
    The features are shared by every caller: read them, never change them."""
    return {"type": "FeatureCollection", "features": list(_features(lad_code))}


def neighbourhood_geojson(lad_code: str, membership: dict[str, str]) -> dict:
    """Neighbourhood polygons dissolved from LSOAs; `membership` maps LSOA code -> name."""
    groups: dict[str, list] = {}
    for feature in _features(lad_code):
        name = membership.get(feature["id"])
        if name is not None:
            groups.setdefault(name, []).append(shape(feature["geometry"]).buffer(0))
    features = [
        {
            "type": "Feature",
            "id": name,
            "properties": {"neighbourhood_name": name},
            "geometry": mapping(_outline(polys)),
        }
        for name, polys in sorted(groups.items())
    ]
    return {"type": "FeatureCollection", "features": features}


def _outline(polygons: list) -> object:
    """The dissolved outline of some LSOAs: slivers between them closed (a 5 m buffer out and
    back), then simplified within 2 m and rounded to 6 decimals (0.1 m) like the source
    boundaries, so a browser is sent a few kB, not the buffer's thousands of arc points."""
    closed = unary_union(polygons).buffer(0.00005).buffer(-0.00005)
    return shapely.set_precision(closed.simplify(0.00002), 1e-6)


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a FeatureCollection: the extremes of its
    coordinates (the bounds of their union, without building the union)."""
    lons: list[float] = []
    lats: list[float] = []
    for feature in geojson["features"]:
        for lon, lat in _points(feature["geometry"]["coordinates"]):
            lons.append(lon)
            lats.append(lat)
    if not lons:
        return (-2.5, 50.5, 0.5, 54.5)
    return (min(lons), min(lats), max(lons), max(lats))


def _points(coordinates) -> list:
    """Every [lon, lat] pair of a (Multi)Polygon's nested coordinate lists."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [coordinates]
    return [point for part in coordinates for point in _points(part)]
