"""Boundaries for maps: LSOA 2021 polygons of a borough, and neighbourhood outlines.

The bundled boundaries are ONS super-generalised (BSC) LSOA 2021 polygons for England, read once
per process. Neighbourhood outlines are dissolved from their LSOAs with shapely, so any model
(shipped or uploaded) can be drawn without a boundary file of its own.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path

from shapely.geometry import mapping, shape
from shapely.ops import unary_union

BOUNDARIES = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "raw"
    / "geography"
    / "boundaries"
    / "lsoa21_bsc_england.geojson.gz"
)
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2021."
)


@lru_cache(maxsize=1)
def _features_by_lad(path: Path = BOUNDARIES) -> dict[str, list[dict]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        collection = json.load(handle)
    by_lad: dict[str, list[dict]] = {}
    for feature in collection["features"]:
        props = feature["properties"]
        feature["id"] = props["lsoa21cd"]
        by_lad.setdefault(props["lad24cd"], []).append(feature)
    return by_lad


def lsoa_geojson(lad_code: str) -> dict:
    """A FeatureCollection of the borough's LSOA 2021 polygons (feature id = LSOA code)."""
    return {"type": "FeatureCollection", "features": _features_by_lad().get(lad_code, [])}


def neighbourhood_geojson(lad_code: str, membership: dict[str, str]) -> dict:
    """Neighbourhood polygons dissolved from LSOAs; `membership` maps LSOA code -> name."""
    groups: dict[str, list] = {}
    for feature in _features_by_lad().get(lad_code, []):
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
