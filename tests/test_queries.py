"""outcomes.queries against the full real build (the session's `real_db`), with an empty user
database beside it: the questions the pages ask, answered with real public numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest

from outcomes import db, queries, stats

TRAFFORD, WIGAN, KIRKLEES, TEST_VALLEY = "E08000009", "E08000010", "E08000034", "E07000093"
LOCALITIES = "E08000009_localities2023"
IOD_WAVES = ["2010", "2015", "2019", "2025"]


@pytest.fixture(scope="module")
def con(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    base = db.open_database(real_db, tmp_path_factory.mktemp("queries_user") / "user.duckdb")
    yield db.cursor(base)
    base.close()


def test_boroughs_are_every_english_la_with_the_focus_boroughs(con) -> None:
    lads = queries.boroughs(con)
    assert len(lads) == 296
    assert lads.lad_code.is_unique
    assert lads.lad_code.str.match(r"^E0[6789]\d{6}$").all()
    names = dict(zip(lads.lad_code, lads.lad_name, strict=True))
    assert names[TRAFFORD] == "Trafford"
    assert names[WIGAN] == "Wigan"
    assert names[KIRKLEES] == "Kirklees"
    assert names[TEST_VALLEY] == "Test Valley"
    assert lads.lsoas.sum() == 33_755
    assert lads.set_index("lad_code").loc[TRAFFORD, "lsoas"] == 139
    assert lads.lad_name.tolist() == sorted(lads.lad_name.tolist())


def test_trafford_models_include_localities_msoas_and_wards(con) -> None:
    models = queries.models(con, TRAFFORD)
    ids = models.model_id.tolist()
    for model_id in (
        LOCALITIES,
        "E08000009_localities2017",
        "E08000009_msoa21",
        "E08000009_wards24",
    ):
        assert model_id in ids
    assert ids[0] == LOCALITIES  # the council's own definition is the default
    assert set(models.source) == {"shipped"}
    assert (models.lsoas == 139).all()
    assert models.set_index("model_id").loc[LOCALITIES, "neighbourhoods"] == 4


@pytest.mark.parametrize("lad_code", [WIGAN, KIRKLEES, TEST_VALLEY])
def test_every_borough_has_msoa_and_ward_models(con, lad_code: str) -> None:
    ids = set(queries.models(con, lad_code).model_id)
    assert {f"{lad_code}_msoa21", f"{lad_code}_wards24"} <= ids
    assert not any("localities" in i for i in ids)


def test_neighbourhoods_and_membership_of_trafford_localities(con) -> None:
    hoods = queries.neighbourhoods(con, LOCALITIES)
    assert dict(zip(hoods.neighbourhood_name, hoods.lsoas, strict=True)) == {
        "Central": 32,
        "North": 32,
        "South": 46,
        "West": 29,
    }
    membership = queries.model_membership(con, LOCALITIES)
    assert len(membership) == 139
    assert membership.lsoa21_code.is_unique


def test_area_values_gives_neighbourhood_borough_and_england_rows(con) -> None:
    values = queries.area_values(con, TRAFFORD, LOCALITIES, ["imd_score"])
    by_type = values.groupby("area_type").area_name.agg(lambda s: sorted(set(s)))
    assert by_type["neighbourhood"] == ["Central", "North", "South", "West"]
    assert by_type["lad"] == ["Trafford"]
    assert by_type["england"] == ["England"]
    assert len(values) == (4 + 1 + 1) * len(IOD_WAVES)
    assert set(values.period) == set(IOD_WAVES)
    assert (values[values.area_type == "neighbourhood"].model_id == LOCALITIES).all()


def test_trafford_imd_score_2019_matches_the_official_summary(con) -> None:
    values = queries.area_values(con, TRAFFORD, LOCALITIES, ["imd_score"])
    lad = values[(values.area_type == "lad") & (values.period == "2019")]
    assert len(lad) == 1
    assert round(float(lad.value.iloc[0]), 3) == 16.088


def test_area_values_with_several_indicators(con) -> None:
    ids = ["imd_score", "imd_lsoas_most_deprived_10_pct"]
    values = queries.area_values(con, TRAFFORD, LOCALITIES, ids)
    assert sorted(values.indicator_id.unique()) == sorted(ids)
    north = values[
        (values.area_name == "North")
        & (values.indicator_id == "imd_lsoas_most_deprived_10_pct")
        & (values.period == "2010")
    ].iloc[0]
    assert (north.numerator, north.denominator) == (6, 32)
    assert north.value == pytest.approx(18.75)


def test_lsoa_values_has_every_trafford_lsoa_in_every_wave(con) -> None:
    lsoa = queries.lsoa_values(con, TRAFFORD, "imd_decile", LOCALITIES)
    counts = lsoa.groupby("period").lsoa21_code.nunique()
    assert counts.index.tolist() == IOD_WAVES
    assert (counts == 139).all()
    assert set(lsoa.neighbourhood_name) == {"Central", "North", "South", "West"}
    assert lsoa.value.between(1, 10).all()


def test_lsoa_values_for_a_model_of_another_borough_shows_unassigned(con) -> None:
    lsoa = queries.lsoa_values(con, TRAFFORD, "imd_decile", "E08000010_wards24")
    assert set(lsoa.neighbourhood_name) == {"Unassigned"}


def test_catalogue_lists_each_indicators_periods(con) -> None:
    cat = queries.catalogue(con).set_index("indicator_id")
    assert cat.loc["imd_score", "periods"] == ", ".join(IOD_WAVES)
    assert cat.loc["imd_score", "first_period"] == "2010"
    assert cat.loc["imd_score", "last_period"] == "2025"
    assert cat.periods.notna().all()
    assert cat.sort_order.is_monotonic_increasing
    assert queries.periods(con, "imd_score") == IOD_WAVES
    assert queries.periods(con, "no_such_indicator") == []


def test_every_indicator_has_periods(con) -> None:
    """The sidebar needs at least one period for whichever indicator is chosen (an indicator
    published for neighbourhoods and boroughs only once had none, and the app crashed)."""
    for indicator_id in queries.catalogue(con).indicator_id:
        periods = queries.periods(con, indicator_id)
        assert periods and periods == sorted(periods), indicator_id


def test_rest_of_borough_plus_neighbourhood_is_the_borough(con) -> None:
    rest = queries.rest_of_borough(con, TRAFFORD, LOCALITIES, "imd_lsoas_most_deprived_10_pct")
    values = queries.area_values(con, TRAFFORD, LOCALITIES, ["imd_lsoas_most_deprived_10_pct"])
    hoods = values[values.area_type == "neighbourhood"].set_index(["area_code", "period"])
    both = rest.set_index(["area_code", "period"]).join(hoods.add_suffix("_nb"))
    assert len(both) == 4 * len(IOD_WAVES)
    assert ((both.denominator + both.denominator_nb) == 139).all()
    totals = both.numerator + both.numerator_nb
    assert totals.groupby(level="period").nunique().eq(1).all()


def test_rest_of_borough_values_and_intervals_follow_the_build(con) -> None:
    """Value and both intervals come from SQL with the build's macros: they agree with the
    Python twins in outcomes.stats (a Byar's rate: road casualties per 1,000 residents)."""
    rest = queries.rest_of_borough(con, TRAFFORD, "E08000009_msoa21", "road_casualties_per_1000")
    assert len(rest) and rest.numerator.gt(10).all()
    assert np.allclose(rest.value, rest.numerator / rest.denominator * 1000, rtol=0, atol=1e-9)
    for level, confidence in (("95", 0.95), ("998", 0.998)):
        low, high = stats.byars_ci(rest.numerator, rest.denominator, confidence, 1000)
        assert np.allclose(rest[f"lower_ci{level}"], low, rtol=0, atol=1e-9)
        assert np.allclose(rest[f"upper_ci{level}"], high, rtol=0, atol=1e-9)
    north = queries.rest_of_borough(
        con, TRAFFORD, LOCALITIES, "imd_lsoas_most_deprived_10_pct", ["trafford-north"]
    )
    assert set(north.area_code) == {"trafford-north"}
    assert north.period.tolist() == IOD_WAVES
    assert north.lower_ci95.isna().all()  # a complete count has no interval


def test_build_info_and_published_tables(con) -> None:
    info = queries.build_info(con)
    assert info["duckdb_version"] == duckdb.__version__
    assert info["built_at"]
    models = queries.published_table(con, "neighbourhood_models", TRAFFORD)
    assert set(models.lad_code) == {TRAFFORD}
    values = queries.published_table(con, "indicator_values", TRAFFORD)
    assert set(values.lad_code.dropna()) == {TRAFFORD}
    assert queries.published_shape(con, "indicator_values", TRAFFORD) == (len(values), ())
    assert queries.published_shape(con, "neighbourhood_models", TRAFFORD) == (len(models), ())
    assert (values.area_type == "england").any()
    with pytest.raises(ValueError, match="not a published table"):
        queries.published_table(con, "user_models", TRAFFORD)


def test_parameters_are_bound_not_interpolated(con) -> None:
    hostile = "E08000009' OR '1'='1"
    assert queries.models(con, hostile).empty
    assert queries.area_values(con, hostile, hostile, [hostile]).empty
