"""The Map page and outcomes.maps: values and change since baseline on LSOAs or neighbourhoods,
offline by default, with a data table and CSV of exactly what is mapped.

Unit tests use small synthetic frames (marked '# synthetic'); real-data tests use the full real
build (`real_db`); page tests run the app headless with AppTest.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import Point, Polygon, mapping, shape
from streamlit.testing.v1 import AppTest

from outcomes import analysis, charts, db, geo, maps, queries
from tests.apptest import chart_specs, route_pages_through_the_router

PROJECT_DIR = Path(__file__).resolve().parents[1]
TRAFFORD, WIGAN = "E08000009", "E08000010"
LOCALITIES = "E08000009_localities2023"
MAP_PAGE = "pages/map.py"


def _meta(polarity="higher_is_worse", ci_method="none", aggregation="weighted_mean", unit="%"):
    return analysis.IndicatorMeta(
        indicator_id="x_pct",
        name="X",
        unit=unit,
        polarity=polarity,
        aggregation=aggregation,
        ci_method=ci_method,
        multiplier=100.0 if ci_method == "wilson" else 1.0,
    )


def _square(x: float, y: float, size: float = 1.0) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _grid(n: int) -> dict:
    """# synthetic: an n x n grid of touching unit squares with ids 'r<row>c<col>'."""
    features = [
        {"type": "Feature", "id": f"r{r}c{c}", "properties": {}, "geometry": _square(c, r)}
        for r in range(n)
        for c in range(n)
    ]
    return {"type": "FeatureCollection", "features": features}


def _areas(values_by_period: dict[str, list[float]], numerators=None, denominators=None):
    """# synthetic: LSOA-shaped area rows for two areas over some periods."""
    rows = []
    for period, values in values_by_period.items():
        for i, value in enumerate(values):
            rows.append(
                {
                    "area_type": "lsoa",
                    "area_code": f"E0100000{i}",
                    "area_name": f"Area {i}",
                    "neighbourhood_name": "North" if i == 0 else "South",
                    "period": period,
                    "value": value,
                    "numerator": None if numerators is None else numerators[period][i],
                    "denominator": None if denominators is None else denominators[period][i],
                }
            )
    frame = pd.DataFrame(rows)
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].astype(float)
    return frame


# --- outcomes.maps, synthetic ---------------------------------------------------------------


def test_levels_and_change_indicator():
    assert maps.levels_for("lsoa_only") == ["lsoa"]
    assert maps.levels_for("weighted_mean") == ["lsoa", "neighbourhood"]
    ids = ["imd_rank", "imd_decile", "imd_score"]
    assert maps.change_indicator_id("imd_rank", "lsoa_only", ids) == "imd_decile"
    assert maps.change_indicator_id("imd_decile", "lsoa_only", ids) == "imd_decile"
    assert maps.change_indicator_id("imd_score", "weighted_mean", ids) == "imd_score"
    assert maps.change_indicator_id("imd_rank", "lsoa_only", ["imd_rank"]) == "imd_rank"


@pytest.mark.parametrize(
    ("polarity", "low_colour", "legend"),
    [
        ("higher_is_worse", charts.ORANGE_TO_BLUE[-1], "blue = improved (fell)"),
        ("higher_is_better", charts.ORANGE_TO_BLUE[0], "blue = improved (rose)"),
        ("no_judgement", charts.ORANGE_TO_BLUE[0], "blue = rose"),
    ],
)
def test_change_colours_put_blue_on_improvement(polarity, low_colour, legend):
    scale = charts.change_colourscale(polarity)
    assert scale[0] == [0.0, low_colour]
    assert scale[len(scale) // 2][1] == "#F7F7F7"  # white at zero
    assert maps.change_legend(polarity).startswith(legend)


def test_a_measure_not_comparable_over_time_is_not_judged():
    legend = maps.change_legend("higher_is_worse", comparable=False)
    assert legend.startswith("blue = fell, orange = rose (not judged")
    assert "improved" not in legend
    base = {
        "indicator_id": "x",
        "name": "x",
        "unit": "%",
        "polarity": "higher_is_worse",
        "aggregation": "ratio",
        "ci_method": "none",
        "multiplier": 100.0,
    }

    def flag(value):
        return analysis.IndicatorMeta.from_row(
            pd.Series({**base, "comparable_over_time": value})
        ).comparable_over_time

    assert flag(False) is False and flag(None) is True
    assert analysis.IndicatorMeta.from_row(pd.Series(base)).comparable_over_time is True
    meta = dataclasses.replace(_meta(), comparable_over_time=False)
    areas = _areas({"2019": [10.0, 5.0], "2025": [8.0, 6.0]})  # synthetic
    change = maps.change_frame(areas, "2019", "2025", meta, "95")
    assert change.change.tolist() == pytest.approx([-2.0, 1.0])
    assert set(change.direction) == {"not judged"}


def _starts(**starts: str) -> pd.DataFrame:
    """# synthetic: period -> start date, as queries.period_starts returns them."""
    return pd.DataFrame(
        {"period": list(starts), "period_start": pd.to_datetime(list(starts.values()))}
    )


def test_change_periods_map_a_change_only_between_comparable_periods():
    areas = _areas({"2019": [10.0, 5.0], "2020": [9.0, 5.0], "2021": [8.0, 6.0]})  # synthetic
    starts = _starts(**{"2019": "2019-06-30", "2020": "2020-06-30", "2021": "2021-03-21"})
    census = maps.change_periods(areas, _meta(), 2019, starts)
    assert (census.baseline, census.latest, census.has_change) == ("2019", "2021", False)
    assert (
        census.note == "2019 to 2021 not comparable: a Census count set against a mid-year estimate"
    )
    assert "Census count" in maps.no_change_words(census, "X")
    estimates = maps.change_periods(areas[areas.period != "2021"], _meta(), 2019, starts)
    assert (estimates.baseline, estimates.latest, estimates.has_change) == ("2019", "2020", True)
    redefined = dataclasses.replace(_meta(), comparable_over_time=False)
    assert not maps.change_periods(areas, redefined, 2019, starts).has_change
    one = maps.change_periods(areas[areas.period == "2021"], _meta(), 2019, starts)
    assert one.note == "2021: one period only: no change to show" and not one.has_change


def test_symmetric_range():
    assert charts.symmetric_range(pd.Series([-2.0, 0.5, np.nan])) == 2.0
    assert charts.symmetric_range(pd.Series([0.0, 0.0])) == 1.0
    assert charts.symmetric_range(pd.Series([], dtype=float)) == 1.0


def test_value_frame_keeps_one_period_and_drops_missing():
    areas = _areas({"2019": [1.0, np.nan], "2025": [3.0, 4.0]})  # synthetic
    frame = maps.value_frame(areas, "2019")
    assert frame.area_code.tolist() == ["E01000000"]
    assert maps.periods_of(areas) == ["2019", "2025"]


def test_change_frame_complete_count_is_judged_on_values():
    areas = _areas({"2019": [10.0, 5.0], "2025": [8.0, 6.0]})  # synthetic, no CI
    change = maps.change_frame(areas, "2019", "2025", _meta("higher_is_worse"), "95")
    assert change.change.tolist() == pytest.approx([-2.0, 1.0])
    assert change.direction.tolist() == ["improved", "worsened"]
    assert set(change.significance) == {analysis.COMPLETE_COUNT}
    assert change.neighbourhood_name.tolist() == ["North", "South"]
    table = maps.table_for(change, view="change", level="lsoa", meta=_meta())
    assert "change_lower" not in table  # no interval for a complete count
    assert table.value_latest.tolist() == [8.0, 6.0]


def test_change_frame_with_wilson_ci_tests_significance():
    # synthetic: 200/1000 -> 100/1000 is a significant fall; 50/100 -> 52/100 is not.
    areas = _areas(
        {"2019": [20.0, 50.0], "2025": [10.0, 52.0]},
        numerators={"2019": [200, 50], "2025": [100, 52]},
        denominators={"2019": [1000, 100], "2025": [1000, 100]},
    )
    meta = _meta("higher_is_worse", ci_method="wilson")
    change = maps.change_frame(areas, "2019", "2025", meta, "95")
    assert change.change.tolist() == pytest.approx([-10.0, 2.0])
    assert change.direction.tolist()[0] == "improved"
    assert change.direction.tolist()[1] == "no significant change"
    assert (change.change_lower < change.change).all()
    assert (change.change < change.change_upper).all()
    table = maps.table_for(change, view="change", level="neighbourhood", meta=meta)
    assert {"change_lower", "change_upper", "neighbourhood_code"} <= set(table.columns)
    assert "neighbourhood_name" in table and "lsoa21_code" not in table


def test_choropleth_is_offline_by_default_and_diverging_for_change():
    geojson = _grid(1)  # synthetic
    frame = pd.DataFrame(
        {
            "area_code": ["r0c0"],
            "area_name": ["Square"],
            "neighbourhood_name": ["N"],
            "baseline": ["2019"],
            "current": ["2025"],
            "value_baseline": [3.0],
            "value_current": [1.0],
            "change": [-2.0],
            "direction": ["improved"],
        }
    )
    kwargs = {
        "level": "lsoa",
        "polarity": "higher_is_worse",
        "colour_title": "Change",
        "title": "T",
        "subtitle": "S",
        "source": geo.ATTRIBUTION,
        "centre": (0.5, 0.5),
        "zoom": 8,
    }
    fig = charts.choropleth(frame, geojson, view="change", outlines=geojson, **kwargs)
    spec = json.loads(fig.to_json())
    trace = spec["data"][0]
    assert spec["layout"]["map"]["style"] == "white-bg"
    assert trace["type"] == "choroplethmap"
    assert trace["zmid"] == 0 and trace["zmin"] == -2 and trace["zmax"] == 2
    assert trace["colorscale"][0][1] == charts.ORANGE_TO_BLUE[-1]  # lowest (a fall) is blue
    assert spec["data"][1]["type"] == "scattermap"  # the outlines
    assert geo.ATTRIBUTION.split(".")[0] in spec["layout"]["annotations"][0]["text"]
    tiles = charts.choropleth(
        frame.assign(value=2.0), geojson, view="value", map_style=charts.TILE_STYLE, **kwargs
    )
    assert tiles.layout.map.style == "carto-positron"


def test_choropleth_on_a_geo_subplot_draws_the_same_areas_offline():
    """The app's map without tiles: the same areas, colours and hover on a geo subplot, the
    areas wound clockwise (plotly's geo fills inside them), an invisible one-point trace first
    (else plotly.js fetches its world map from the internet), no world layers."""
    geojson = _grid(2)  # synthetic: 4 squares, wound counter-clockwise as GeoJSON asks
    ids = [f["id"] for f in geojson["features"]]
    frame = pd.DataFrame(
        {"area_code": ids, "area_name": ids, "neighbourhood_name": "N", "value": [1.0, 2, 3, 4]}
    )
    kwargs = {"level": "lsoa", "polarity": "higher_is_worse", "colour_title": "x", "title": "t"}
    kwargs |= {"subtitle": "s", "source": "src", "centre": (0.5, 0.5), "zoom": 8}
    on_map = json.loads(charts.choropleth(frame, geojson, view="value", **kwargs).to_json())
    on_geo = charts.choropleth(
        frame, geojson, view="value", outlines=geojson, map_style=charts.GEO_STYLE, **kwargs
    )
    assert [t.type for t in on_geo.data] == ["scattergeo", "choropleth", "scattergeo"]
    anchor, areas, outline = on_geo.data
    assert anchor.marker.opacity == 0 and anchor.hoverinfo == "skip" and len(anchor.lon) == 1
    assert outline.mode == "lines" and outline.name == "Neighbourhood boundary"
    drawn = json.loads(on_geo.to_json())["data"][1]
    for key in ("locations", "z", "colorscale", "hovertemplate", "customdata", "marker"):
        assert drawn[key] == on_map["data"][0][key], key
    layout = on_geo.layout.geo
    assert layout.fitbounds == "locations" and not layout.showland and not layout.showcountries
    for feature in areas.geojson["features"]:
        ring = shape(feature["geometry"]).exterior
        assert not ring.is_ccw, feature["id"]
    assert all(shape(f["geometry"]).exterior.is_ccw for f in geojson["features"])  # untouched


def test_neighbour_colours_differ_for_touching_areas():
    geojson = _grid(3)  # synthetic: 9 squares, more than the 7 fills
    colours = charts.neighbour_colours(geojson)
    assert set(colours) == {f["id"] for f in geojson["features"]}
    for r in range(3):
        for c in range(3):
            for dr, dc in ((0, 1), (1, 0), (1, 1)):
                other = f"r{r + dr}c{c + dc}"
                if other in colours:
                    assert colours[f"r{r}c{c}"] != colours[other]
    few = charts.neighbour_colours(_grid(2))  # 4 areas: one colour each
    assert sorted(few.values()) == [0, 1, 2, 3]


def test_model_map_greys_unassigned_lsoas():
    outlines = _grid(2)  # synthetic
    unassigned = {"type": "FeatureCollection", "features": [_grid(1)["features"][0]]}
    lsoas = pd.DataFrame({"neighbourhood_name": ["r0c0", "r0c1"], "lsoas": [3, 4]})
    fig = charts.model_map(
        outlines,
        lsoas=lsoas,
        unassigned=unassigned,
        title="T",
        subtitle="S",
        source="Src",
        centre=(1, 1),
        zoom=8,
    )
    assert [t.name for t in fig.data] == [
        "Neighbourhood names",
        "Unassigned LSOAs",
        "Neighbourhoods",
    ]
    assert list(fig.data[2].locations) == ["r0c0", "r0c1", "r1c0", "r1c1"]
    # names as a text layer inside each square; no world base map (nothing fetched)
    labels = fig.data[0]
    assert labels.mode == "text" and list(labels.text) == ["r0c0", "r0c1", "r1c0", "r1c1"]
    for feature, lon, lat in zip(outlines["features"], labels.lon, labels.lat, strict=True):
        assert shape(feature["geometry"]).contains(Point(lon, lat))
    assert not any(fig.layout.geo[f"show{layer}"] for layer in charts.GEO_BASE_LAYERS)
    assert fig.layout.geo.fitbounds == "locations"


def test_label_points_sit_inside_concave_areas_and_names_are_escaped():
    """A C-shaped area's centroid lies outside it; its label point does not (synthetic)."""
    c_shape = Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 2), (3, 2), (3, 3), (0, 3)])
    assert not c_shape.contains(c_shape.centroid)
    geojson = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": "<b>C</b>", "geometry": mapping(c_shape)}],
    }
    point = charts.label_points(geojson).iloc[0]
    assert c_shape.contains(Point(point.lon, point.lat))
    assert list(charts.label_trace(geojson).text) == ["&lt;b&gt;C&lt;/b&gt;"]


# --- real data ------------------------------------------------------------------------------


@pytest.fixture
def con(real_db, tmp_path, monkeypatch):
    monkeypatch.setattr(db, "PUBLIC_DB", Path(real_db))  # boundaries come from the same build
    base = db.open_database(real_db, tmp_path / "user.duckdb")
    yield db.cursor(base)
    base.close()


def test_real_lsoa_values_fill_the_borough_map(con):
    lsoa = queries.lsoa_values(con, TRAFFORD, "imd_score", LOCALITIES)
    frame = maps.value_frame(maps.lsoa_areas(lsoa), "2019")
    shapes = geo.lsoa_geojson(TRAFFORD)
    assert len(frame) == len(shapes["features"]) == 139
    assert set(frame.area_code) == {f["id"] for f in shapes["features"]}
    assert (frame.neighbourhood_name != "Unassigned").all()


def test_real_neighbourhood_change_matches_published_values(con):
    values = queries.area_values(con, TRAFFORD, LOCALITIES, ("imd_score",))
    hoods = maps.neighbourhood_areas(values)
    meta = analysis.IndicatorMeta.from_row(
        queries.catalogue(con).set_index("indicator_id", drop=False).loc["imd_score"]
    )
    change = maps.change_frame(hoods, "2019", "2025", meta, "95")
    assert change.area_name.tolist() == ["Central", "North", "South", "West"]
    north = hoods[hoods.area_name == "North"].set_index("period").value
    row = change[change.area_name == "North"].iloc[0]
    assert row.change == pytest.approx(north["2025"] - north["2019"])
    assert row.value_baseline == pytest.approx(25.6797, abs=1e-4)
    membership = queries.model_membership(con, LOCALITIES)
    outlines = geo.neighbourhood_geojson(
        TRAFFORD, dict(zip(membership.lsoa21_code, membership.neighbourhood_name, strict=True))
    )
    assert {f["id"] for f in outlines["features"]} == set(change.area_name)


def test_real_rank_changes_as_decile(con):
    cat = queries.catalogue(con)
    shown = maps.change_indicator_id("imd_rank", "lsoa_only", cat.indicator_id)
    assert shown == "imd_decile"
    meta = analysis.IndicatorMeta.from_row(cat.set_index("indicator_id", drop=False).loc[shown])
    lsoa = maps.lsoa_areas(queries.lsoa_values(con, TRAFFORD, shown, LOCALITIES))
    change = maps.change_frame(lsoa, "2019", "2025", meta, "95")
    assert len(change) == 139
    assert change.change.between(-9, 9).all()
    assert (change.change == change.change.round()).all()  # whole deciles
    rose = change[change.change > 0]
    assert (rose.direction == "improved").all()  # a higher decile is less deprived


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def app_db(real_db, tmp_path, monkeypatch):
    """The real build, a fresh user database, empty caches, and pages run through the router
    (AppTest would otherwise treat the pages/ folder as a legacy multipage app)."""
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    monkeypatch.setattr(db, "USER_DB", tmp_path / "user.duckdb")
    route_pages_through_the_router(monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _map_app(tmp_path: Path, params: dict[str, str]) -> AppTest:
    """The app opened on the Map page. Uses dashboard.py once it registers the page; until
    then a copy of the router that adds it (pages by absolute path)."""
    router = PROJECT_DIR / "dashboard.py"
    source = router.read_text(encoding="utf-8")
    page = MAP_PAGE
    if MAP_PAGE not in source:
        source = source.replace('st.Page("pages/', f'st.Page("{PROJECT_DIR}/pages/')
        source = source.replace(
            "PAGES = [",
            f'PAGES = [\n    st.Page("{PROJECT_DIR}/{MAP_PAGE}", title="Map", url_path="map"),',
        )
        router = tmp_path / "dashboard.py"
        router.write_text(source, encoding="utf-8")
        page = str(PROJECT_DIR / MAP_PAGE)
    at = AppTest.from_file(str(router), default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _spec(at: AppTest, index: int = 0) -> dict:
    return chart_specs(at)[index]


def _coloured(spec: dict) -> dict:
    """The map's coloured areas (on a geo subplot an invisible trace comes first)."""
    return next(t for t in spec["data"] if t["type"] in ("choropleth", "choroplethmap"))


def _notes(at: AppTest) -> list[str]:
    """The page's info boxes as a user reads them (Markdown escapes removed)."""
    return [i.value.replace("\\", "") for i in at.info]


def test_map_page_default_is_the_sidebar_indicator_offline(app_db, tmp_path):
    at = _map_app(tmp_path, {"lad": TRAFFORD, "model": LOCALITIES, "ind": "imd_score"})
    assert at.selectbox(key="map_ind").value == "imd_score"
    spec = _spec(at)
    # Without tiles: a geo subplot with no basemap, which the app's own plotly.js bundle draws.
    assert "map" not in spec["layout"] and spec["layout"]["geo"]["fitbounds"] == "locations"
    assert "IMD average score, Trafford LSOAs, 2025" in spec["layout"]["title"]["text"]
    assert "Office for National Statistics" in spec["layout"]["annotations"][0]["text"]
    assert [t["type"] for t in spec["data"]] == ["scattergeo", "choropleth", "scattergeo"]
    assert at.checkbox(key="map_tiles").value is False
    table = at.dataframe[0].value
    assert len(table) == 139 and table.period.eq("2025").all()
    assert at.get("download_button"), "no CSV download under the map"
    # The table is exactly what is mapped.
    assert list(_coloured(spec)["locations"]) == table.lsoa21_code.tolist()

    at.checkbox(key="map_tiles").check().run()
    assert _spec(at)["layout"]["map"]["style"] == "carto-positron"


def test_map_page_neighbourhood_change_with_polarity(app_db, tmp_path):
    at = _map_app(
        tmp_path,
        {
            "lad": TRAFFORD,
            "model": LOCALITIES,
            "ind": "imd_pop_most_deprived_10_pct",
            "base": "2019",
            "map_level": "neighbourhood",
            "map_view": "change",
        },
    )
    spec = _spec(at)
    trace = _coloured(spec)
    assert sorted(trace["locations"]) == ["Central", "North", "South", "West"]
    assert trace["zmid"] == 0
    title = spec["layout"]["title"]["text"]
    assert "Change in Population in England's most deprived 10% since 2019" in title
    assert "Blue = improved (fell), orange = worsened (rose)" in title
    table = at.dataframe[0].value.set_index("neighbourhood_name")
    assert table.loc["North", "value_baseline"] == pytest.approx(4.790143, abs=1e-6)
    assert table.loc["North", "value_latest"] == pytest.approx(4.495061, abs=1e-6)
    assert table.loc["South", "value_latest"] == 0.0  # no one in the most deprived 10% now
    assert set(table.judgement) == {"improved"}


def test_map_page_maps_no_change_of_a_score_not_comparable_over_time(app_db, tmp_path):
    at = _map_app(
        tmp_path,
        {"lad": TRAFFORD, "model": LOCALITIES, "ind": "imd_score", "map_view": "change"},
    )
    assert at.radio(key="map_view").value == "change"  # the user's choice is kept
    notes = _notes(at)
    assert any("2019 to 2025 not comparable: the definition changed" in n for n in notes)
    # The latest values are mapped instead, with no change in the title, legend or table.
    title = _spec(at)["layout"]["title"]["text"]
    assert "IMD average score, Trafford LSOAs, 2025" in title and "Change" not in title
    table = at.dataframe[0].value
    assert len(table) == 139 and table.period.eq("2025").all()
    assert "change" not in table and "judgement" not in table


def test_map_page_income_deprivation_2019_to_2025_shows_the_note_not_a_change(page_app):
    at = page_app(
        PROJECT_DIR / MAP_PAGE,
        ind="income_deprived_pct",
        base="2019",
        map_level="neighbourhood",
        map_view="change",
    )
    assert _notes(at) == [
        "No change is mapped for Income deprivation rate: 2019 to 2025 not "
        "comparable: the definition changed between these periods. The map shows the latest "
        "values (2025) instead."
    ]
    spec = _spec(at)
    assert "Change" not in spec["layout"]["title"]["text"]
    assert _coloured(spec).get("zmid") is None  # a value scale, not a change diverging at 0
    table = at.dataframe[0].value.set_index("neighbourhood_name")
    assert sorted(table.index) == ["Central", "North", "South", "West"]
    assert {"change", "value_baseline", "judgement"}.isdisjoint(table.columns)
    assert table.period.eq("2025").all()
    assert table.loc["North", "value"] == pytest.approx(28.076048, abs=1e-6)


def test_map_page_lsoa_only_rank_maps_decile_change(app_db, tmp_path):
    at = _map_app(
        tmp_path,
        {"lad": WIGAN, "model": "E08000010_wards24", "map_ind": "imd_rank", "map_view": "change"},
    )
    assert at.radio(key="map_level").options == ["LSOAs"]
    spec = _spec(at)
    assert "Change in IMD decile (LSOA)" in spec["layout"]["title"]["text"]
    assert "blue = improved (rose)" in spec["layout"]["title"]["text"].lower()
    assert any("not comparable between waves" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 200


def test_map_page_follows_a_new_sidebar_indicator(app_db, tmp_path):
    at = _map_app(tmp_path, {"lad": TRAFFORD, "model": LOCALITIES, "ind": "imd_score"})
    at.selectbox(key="map_ind").set_value("imd_decile").run()
    assert "IMD decile" in _spec(at)["layout"]["title"]["text"]
    at.selectbox(key="ind").set_value("income_deprived_pct").run()
    assert at.selectbox(key="map_ind").value == "income_deprived_pct"
    assert not at.exception


def test_value_table_carries_the_interval_only_where_there_is_one():
    areas = _areas({"2025": [20.0, 50.0]})  # synthetic
    areas["lower_ci95"], areas["upper_ci95"] = [18.0, 45.0], [22.0, 55.0]
    frame = maps.value_frame(areas, "2025")
    with_ci = maps.table_for(frame, view="value", level="lsoa", meta=_meta(ci_method="wilson"))
    assert with_ci.lower_ci95.tolist() == [18.0, 45.0]
    assert with_ci.columns[:5].tolist() == [
        "indicator_id",
        "indicator_name",
        "unit",
        "lsoa21_code",
        "lsoa21_name",
    ]
    without = maps.table_for(frame, view="value", level="lsoa", meta=_meta())
    assert "lower_ci95" not in without and without.value.tolist() == [20.0, 50.0]
