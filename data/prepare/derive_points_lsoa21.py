"""Assign STATS19 casualties (Trafford, Wigan) and TfGM bus stops (Trafford) to LSOA 2021.

Polygons: ONS LSOA 2021 generalised (BGC, 20 m) boundaries, which exist here for Trafford and
Wigan only; casualties in the other eight GM districts keep their district but get no LSOA. Each
point is matched only against the LSOAs of its own district (so district totals equal the
source's), and to the nearest LSOA of that district when no polygon contains it.
"""

import csv
import gzip
import io
import json
import sys
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.strtree import STRtree

# The curated copies of the official files (second argument; default: ../shared/data).
SHARED = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("../shared/data")
OUT = Path(sys.argv[1])
GM = {f"E0800000{i}" if i < 10 else "E08000010" for i in range(1, 11)}


def lsoa_polygons() -> dict[str, dict[str, object]]:
    la_of = {}
    with gzip.open(SHARED / "geography/lookups/lsoa21_ward24_lad24_ew.csv.gz", "rt") as h:
        for row in csv.DictReader(h):
            la_of[row["lsoa21cd"]] = (row["lad24cd"], row["lad24nm"])
    polys: dict[str, dict[str, object]] = {}  # la name -> {lsoa: geometry}
    for name in ("Trafford", "Wigan"):
        with open(SHARED / f"geography/focus_las/{name.lower()}_lsoa21_bgc.geojson") as h:
            for f in json.load(h)["features"]:
                code = f["properties"]["lsoa21cd"]
                assert la_of[code][1] == name
                polys.setdefault(name, {})[code] = shape(f["geometry"])
    return polys, {name: la for la, name in la_of.values() if la in GM}


def assign(polys, la_name: str, lon: float, lat: float) -> tuple[str, str]:
    codes = list(polys[la_name])
    geoms = [polys[la_name][c] for c in codes]
    key = la_name
    if key not in _TREES:
        _TREES[key] = STRtree(geoms)
    tree = _TREES[key]
    point = Point(lon, lat)
    hits = [codes[i] for i in tree.query(point, predicate="intersects")]
    if hits:
        return sorted(hits)[0], "within"
    return codes[tree.nearest(point)], "nearest"


_TREES: dict[str, STRtree] = {}


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def main() -> None:
    polys, code_of = lsoa_polygons()
    src = SHARED / "transport/road_casualties_stats19_greater_manchester_2019_2024h1.csv.gz"
    with gzip.open(src, "rt", newline="") as h:
        rows = list(csv.DictReader(h))
    out = []
    for n, r in enumerate(rows, 1):
        # LSOA only where 20 m boundaries exist: super-generalised (200 m) ones put 13% of
        # Trafford and Wigan collisions (which happen on roads, often LSOA edges) in the wrong LSOA.
        lsoa, how = "", ""
        if r["lad_name"] in ("Trafford", "Wigan"):
            lsoa, how = assign(polys, r["lad_name"], float(r["lon"]), float(r["lat"]))
        out.append(
            [
                n,
                r["collision_ref"],
                r["date"],
                r["year"],
                r["mode"],
                r["casualty_severity"],
                r["lad_name"],
                code_of[r["lad_name"]],
                r["lon"],
                r["lat"],
                lsoa,
                how,
            ]
        )
    write(
        OUT / "transport/road_casualties_stats19_gm_2019_2024h1_lsoa21.csv.gz",
        [
            "casualty_row",
            "collision_ref",
            "date",
            "year",
            "mode",
            "casualty_severity",
            "lad_name",
            "lad24cd",
            "lon",
            "lat",
            "lsoa21cd",
            "lsoa21_match",
        ],
        out,
    )
    with open(SHARED / "transport/trafford_bus_stops_tfgm_2022.csv", newline="") as h:
        stops = list(csv.DictReader(h))
    out = []
    for r in stops:
        assert r["lad_name"] == "Trafford"
        lsoa, how = assign(polys, "Trafford", float(r["lon"]), float(r["lat"]))
        out.append(
            [
                r["atco_code"],
                r["common_name"],
                r["street"],
                r["lad_code"],
                r["lon"],
                r["lat"],
                lsoa,
                how,
            ]
        )
    write(
        OUT / "transport/trafford_bus_stops_tfgm_2022_lsoa21.csv.gz",
        ["atco_code", "common_name", "street", "lad24cd", "lon", "lat", "lsoa21cd", "lsoa21_match"],
        out,
    )


if __name__ == "__main__":
    main()
