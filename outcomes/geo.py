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
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from outcomes import db

ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2021."
)


@lru_cache(maxsize=1)
def _features_by_lad(public_db: Path, built: float) -> dict[str, list[dict]]:
    """Every LSOA 2021 boundary of the published table `lsoa_boundaries`, by LA; read once per
    build of the public database (`built` is its modification time)."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS pub (READ_ONLY)", [str(public_db)])
        rows = con.execute(
            "SELECT lsoa21_code, lad_code, geometry FROM pub.lsoa_boundaries ORDER BY lsoa21_code"
        ).fetchall()
    finally:
        con.close()
    by_lad: dict[str, list[dict]] = {}
    for code, lad_code, geometry in rows:
        feature = {
            "type": "Feature",
            "id": code,
            "properties": {"lsoa21cd": code, "lad24cd": lad_code},
            "geometry": json.loads(geometry),
        }
        by_lad.setdefault(lad_code, []).append(feature)
    return by_lad


def _features() -> dict[str, list[dict]]:
    path = Path(db.PUBLIC_DB)
    return _features_by_lad(path, path.stat().st_mtime)


def lsoa_geojson(lad_code: str) -> dict:
    """A FeatureCollection of the borough's LSOA 2021 polygons (feature id = LSOA code)."""
    return {"type": "FeatureCollection", "features": _features().get(lad_code, [])}


def neighbourhood_geojson(lad_code: str, membership: dict[str, str]) -> dict:
    """Neighbourhood polygons dissolved from LSOAs; `membership` maps LSOA code -> name."""
    groups: dict[str, list] = {}
    for feature in _features().get(lad_code, []):
        name = membership.get(feature["id"])
        if name is not None:
            groups.setdefault(name, []).append(shape(feature["geometry"]).buffer(0))
    features = [
        {
            "type": "Feature",
            "id": name,
            "properties": {"neighbourhood_name": name},
            "geometry": mapping(unary_union(polys).buffer(0.00005).buffer(-0.00005)),
        }
        for name, polys in sorted(groups.items())
    ]
    return {"type": "FeatureCollection", "features": features}


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a FeatureCollection."""
    shapes = [shape(f["geometry"]) for f in geojson["features"]]
    if not shapes:
        return (-2.5, 50.5, 0.5, 54.5)
    return unary_union(shapes).bounds
