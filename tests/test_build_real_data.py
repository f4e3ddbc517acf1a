"""Checks of the full build from the bundled data/raw against published figures.

The database is built once per session into a temporary folder (`real_db` in conftest.py, about
15-20 s), never read from data/outcomes.duckdb, so it always reflects the current transforms.
Expected figures come from the publishers: IoD File 10 LA summaries, ONS mid-year England
totals (see /work/shared/data/deprivation/SOURCES.md) and Trafford Council's localities.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

JAYWICK = "E01021988"  # Tendring 018A
WAVES = ("2010", "2015", "2019", "2025")
ENGLAND_POPULATION = {  # ONS mid-year estimates (LSOA 2011 files) and Census 2021 (TS021)
    "2017": 55_619_430,
    "2019": 56_286_961,
    "2020": 56_550_138,
    "2021": 56_490_108,
}


@pytest.fixture(scope="module")
def con(real_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(real_db), read_only=True)
    yield connection
    connection.close()


def q(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_jaywick_is_englands_most_deprived_lsoa_in_every_wave(con):
    got = q(
        con,
        "select period, value from indicator_values where area_type = 'lsoa' "
        "and area_code = ? and indicator_id = 'imd_rank' order by 1",
        JAYWICK,
    )
    assert got == [(wave, 1.0) for wave in WAVES]
    assert q(
        con, "select area_name from indicator_values where area_code = ? limit 1", JAYWICK
    ) == [("Tendring 018A",)]


def test_la_imd_scores_2019_reproduce_file_10_for_all_317_las(con):
    rows = q(
        con,
        """
        select o."Local Authority District code (2019)", o."IMD - Average score", v.value
        from raw_mhclg_iod2019_lad_summaries as o
        left join indicator_values as v
            on v.area_type = 'lad' and v.area_code = o."Local Authority District code (2019)"
            and v.indicator_id = 'imd_score' and v.period = '2019'
        """,
    )
    assert len(rows) == 317
    off = [
        (code, official, value)
        for code, official, value in rows
        if value is None or abs(value - official) > 0.001
    ]
    assert off == []


@pytest.mark.parametrize(
    ("lad_code", "name", "official"),
    [
        ("E08000009", "Trafford", 16.088),
        ("E08000010", "Wigan", 25.713),
        ("E08000034", "Kirklees", 25.151),
        ("E07000093", "Test Valley", 11.931),
    ],
)
def test_focus_la_imd_score_2019(con, lad_code, name, official):
    got = q(
        con,
        "select area_name, value from indicator_values where area_type = 'lad' "
        "and area_code = ? and indicator_id = 'imd_score' and period = '2019'",
        lad_code,
    )
    assert len(got) == 1
    assert got[0][0] == name
    assert got[0][1] == pytest.approx(official, abs=0.001)


def test_neighbourhood_populations_add_up_to_the_borough_for_every_model_and_period(con):
    rows = q(
        con,
        """
        with nb as (
            select model_id, lad_code, period, sum(numerator) as population
            from indicator_values
            where area_type = 'neighbourhood' and indicator_id = 'population'
            group by all
        ), borough as (
            select lad_code, period, sum(numerator) as population
            from indicator_values where area_type = 'lsoa' and indicator_id = 'population'
            group by all
        ), models as (select distinct model_id, lad_code from neighbourhood_models)
        select m.model_id, b.period, nb.population, b.population
        from models as m join borough as b using (lad_code)
        left join nb on nb.model_id = m.model_id and nb.period = b.period
        """,
    )
    models = q(con, "select count(distinct model_id) from neighbourhood_models")[0][0]
    assert len(rows) == models * len(ENGLAND_POPULATION)
    bad = [r for r in rows if r[2] is None or abs(r[2] - r[3]) > 1e-6 * r[3]]
    assert bad == []


def test_every_shipped_model_covers_each_lsoa_of_its_borough_exactly_once(con):
    rows = q(
        con,
        """
        with models as (select distinct model_id, lad_code from neighbourhood_models)
        select m.model_id, count(g.lsoa21_code) as lsoas, count(n.lsoa21_code) as covered,
            count(distinct n.lsoa21_code) as distinct_covered
        from models as m join int_geography_lsoa21 as g using (lad_code)
        left join neighbourhood_models as n
            on n.model_id = m.model_id and n.lsoa21_code = g.lsoa21_code
        group by all
        """,
    )
    las = q(con, "select count(distinct lad_code) from int_geography_lsoa21")[0][0]
    assert las == 296
    assert len(rows) == 2 * las + 2  # MSOAs and wards for every LA, plus Trafford's localities
    assert [r for r in rows if not r[1] == r[2] == r[3]] == []
    strays = q(
        con,
        "select n.model_id, n.lsoa21_code from neighbourhood_models as n "
        "left join int_geography_lsoa21 as g using (lsoa21_code) "
        "where g.lad_code is distinct from n.lad_code",
    )
    assert strays == []


def test_harmonisation_keeps_englands_population_totals(con):
    lsoa = dict(
        q(
            con,
            "select period, sum(numerator) from indicator_values where area_type = 'lsoa' "
            "and indicator_id = 'population' group by 1",
        )
    )
    england = dict(
        q(
            con,
            "select period, value from indicator_values where area_type = 'england' "
            "and indicator_id = 'population'",
        )
    )
    native = dict(
        q(
            con,
            "select cast(mid_year as varchar), sum(total) from raw_ons_sape_lsoa11 group by 1 "
            "union all select '2021', sum(usual_residents_ts021) from raw_ons_census2021_lsoa21",
        )
    )
    assert native == ENGLAND_POPULATION
    assert lsoa == pytest.approx(ENGLAND_POPULATION, abs=0.01)
    assert england == ENGLAND_POPULATION
    lsoa_count = q(
        con,
        "select period, count(*) from indicator_values where area_type = 'lsoa' "
        "and indicator_id = 'population' group by 1 order by 1",
    )
    assert lsoa_count == [(p, 33_755) for p in sorted(ENGLAND_POPULATION)]


def test_trafford_localities_2023(con):
    got = q(
        con,
        "select neighbourhood_name, count(*) from neighbourhood_models "
        "where model_id = 'E08000009_localities2023' group by 1 order by 1",
    )
    assert got == [("Central", 32), ("North", 32), ("South", 46), ("West", 29)]


def test_catalogue_and_values_list_the_same_indicators(con):
    in_values = {r[0] for r in q(con, "select distinct indicator_id from indicator_values")}
    in_catalogue = {r[0] for r in q(con, "select indicator_id from indicator_catalogue")}
    assert in_values == in_catalogue
