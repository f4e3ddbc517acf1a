"""What keeps a page view cheap, checked for behaviour (speed itself is measured in bench/):
the server's settings, boundaries parsed per borough, outlines simplified but still the
neighbourhoods', results cached per selection and never another's, downloads described only
when pressed but the same as before."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import shape
from shapely.ops import unary_union

from outcomes import comparison, export, geo, queries, ui

PROJECT_DIR = Path(__file__).resolve().parents[1]
TRAFFORD, LOCALITIES = "E08000009", "E08000009_localities2023"
WIGAN = "E08000010"


def test_the_server_sets_up_no_file_watchers_and_no_full_collection_per_run() -> None:
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False
    assert config["runner"]["magicEnabled"] is False  # no syntax tree rewritten per script


@pytest.fixture
def public(app_db) -> duckdb.DuckDBPyConnection:
    """A cursor on the app's own connection (the real build, a throw-away user database)."""
    st.cache_resource.clear()
    yield ui._fresh_cursor()
    st.cache_resource.clear()


def test_each_borough_gets_its_own_lsoas_parsed(public) -> None:
    for lad in (TRAFFORD, WIGAN):
        features = geo.lsoa_geojson(lad)["features"]
        (expected,) = public.execute(
            "SELECT count(*) FROM lsoa_boundaries WHERE lad_code = ?", [lad]
        ).fetchone()
        assert len(features) == expected > 100
        assert {f["properties"]["lad24cd"] for f in features} == {lad}
        assert len({f["id"] for f in features}) == expected
        assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    assert geo.lsoa_geojson("E99999999")["features"] == []


def test_bounds_are_those_of_the_union(app_db) -> None:
    features = geo.lsoa_geojson(TRAFFORD)
    union = unary_union([shape(f["geometry"]) for f in features["features"]])
    assert geo.bounds(features) == pytest.approx(union.bounds)
    assert geo.bounds({"features": []}) == (-2.5, 50.5, 0.5, 54.5)


def test_outlines_are_small_and_still_the_neighbourhoods(public) -> None:
    membership = queries.model_membership(public, LOCALITIES)
    names = dict(zip(membership.lsoa21_code, membership.neighbourhood_name, strict=True))
    outlines = geo.neighbourhood_geojson(TRAFFORD, names)
    lsoas = {f["id"]: shape(f["geometry"]) for f in geo.lsoa_geojson(TRAFFORD)["features"]}
    assert sorted(f["id"] for f in outlines["features"]) == sorted(set(names.values()))
    for feature in outlines["features"]:
        drawn = shape(feature["geometry"])
        own = unary_union([lsoas[code] for code, name in names.items() if name == feature["id"]])
        assert drawn.symmetric_difference(own).area < 0.005 * own.area
    text = json.dumps(outlines)
    assert len(text) < 20_000  # a few kB for the browser, not the buffer's arcs
    longest = max(
        len(str(v).split(".")[-1])
        for lon, lat in geo._points(_all_coords(outlines))
        for v in (lon, lat)
    )
    assert longest <= 6


def _all_coords(geojson: dict) -> list:
    return [f["geometry"]["coordinates"] for f in geojson["features"]]


def test_the_area_profile_is_cached_per_selection_never_shared(app_db, public) -> None:
    """One borough's profile is never shown for another (the cache is keyed by every choice)."""
    hoods = queries.neighbourhoods(public, LOCALITIES).neighbourhood_code.tolist()
    wigan_model = queries.models(public, WIGAN).model_id.iloc[0]
    wigan_hood = queries.neighbourhoods(public, wigan_model).neighbourhood_code.iloc[0]
    first = ui.spine_rows(TRAFFORD, LOCALITIES, hoods[0], "lad", "95")
    other = ui.spine_rows(TRAFFORD, LOCALITIES, hoods[1], "lad", "95")
    wigan = ui.spine_rows(WIGAN, wigan_model, wigan_hood, "lad", "95")
    again = ui.spine_rows(TRAFFORD, LOCALITIES, hoods[0], "lad", "95")
    cat = queries.catalogue(public)
    ids = tuple(cat[cat.aggregation != "lsoa_only"].indicator_id)
    direct = comparison.spine_rows(
        queries.area_values(public, TRAFFORD, LOCALITIES, ids),
        queries.neighbourhood_spread(public, LOCALITIES, ids),
        cat,
        hoods[0],
        "lad",
        "95",
        None,
    )
    pd.testing.assert_frame_equal(again, direct)
    pd.testing.assert_frame_equal(first, direct)
    assert not first.equals(other)
    assert not wigan.equals(first)


def test_a_download_is_described_when_pressed_as_it_was_before(app_db, public) -> None:
    values = queries.area_values(public, TRAFFORD, LOCALITIES, ("imd_score",))
    context = export.ExportContext(lad_code=TRAFFORD, lad_name="Trafford", period="2019")
    deferred = ui.export_frame(values, context, indicator_id="imd_score")
    assert isinstance(deferred, ui.DownloadFrame)
    expected = export.describe(values, context, queries.catalogue(public), indicator_id="imd_score")
    pd.testing.assert_frame_equal(deferred(), expected)
    assert deferred.user_indicators() == ()
    assert ui._audited_download(deferred, "x.csv") == {"on_click": "ignore"}


def test_a_download_of_partner_rows_is_still_logged() -> None:
    """Synthetic rows: the partner indicator is named for the audit log, rows counted."""
    frame = pd.DataFrame({"indicator_id": ["user_clinic", "imd_score", "user_clinic"]})
    deferred = ui.DownloadFrame(frame, export.ExportContext(), pd.DataFrame(), 5, ())
    options = ui._audited_download(deferred, "clinic.csv")
    assert options["on_click"] is ui._log_download
    assert options["args"] == ("clinic.csv", 3, ("user_clinic",))
