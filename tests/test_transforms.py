"""Fast tests of the build (transforms/) on a small real fixture cut from data/raw.

The fixture (tests/fixtures/make_raw_fixture.py) holds every real row for Trafford, Tendring and
Ribble Valley, which between them contain each kind of LSOA change the build handles: a 2011 LSOA
split in 2021 (Trafford), two 2001 LSOAs merged in 2011 (Tendring) and two 2011 LSOAs merged in
2021 (Ribble Valley). Expected values are computed by hand (in Python) from the fixture's CSV
rows, not from the build's own tables. Bad-input tests corrupt a copy of the fixture; each says so.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

import transforms.run as run
from tests.fixtures.make_raw_fixture import (
    RIBBLE_VALLEY,
    TENDRING,
    TRAFFORD,
    read_csv_rows,
)
from transforms import graph
from transforms.catalogue import catalogue_rows
from transforms.raw import BuildError, load_raw_file
from transforms.sources import DOMAINS, RAW_FILES

PROJECT_DIR = Path(__file__).resolve().parents[1]

IOD2010 = "raw/deprivation/iod2010_lsoa01_england.csv.gz"
IOD2015 = "raw/deprivation/iod2015_lsoa11_england.csv.gz"
IOD2019 = "raw/deprivation/iod2019_lsoa11_england.csv.gz"
IOD2025 = "raw/deprivation/iod2025_lsoa21_england.csv.gz"
LAD2019 = "raw/deprivation/iod2019_lad19_summaries.csv.gz"
LAD2025 = "raw/deprivation/iod2025_lad24_summaries.csv.gz"
SAPE = "raw/deprivation/population_sape_lsoa11_bands_mid2017_2019_2020.csv.gz"
CENSUS = "raw/deprivation/census2021_lsoa21_baseline.csv.gz"
L01_11 = "raw/geography/lookups/lsoa01_lsoa11_ew.csv.gz"
L11_21 = "raw/geography/lookups/lsoa11_lsoa21_lad22_ew.csv.gz"
WARD = "raw/geography/lookups/lsoa21_ward24_lad24_ew.csv.gz"
SICBL = "raw/geography/lookups/lsoa21_sicbl24_icb24_england.csv.gz"
MSOA = "raw/geography/boundaries/msoa21_england.geojson.gz"
LOCALITIES = "raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv"

JAYWICK = "E01021988"  # Tendring 018A, England's most deprived LSOA in every wave
SPLIT_2011 = "E01006185"  # Trafford 001E, split in 2021 into:
SPLIT_2021_CHILDREN = ("E01034000", "E01034001")
MERGED_2021 = "E01034764"  # Ribble Valley, merged in 2021 from:
MERGED_2021_PARENTS = ("E01025332", "E01025353")
MERGED_2011 = "E01033051"  # Tendring 002F, merged in 2011 from the LSOA 2001s:
MERGED_2011_PARENTS = ("E01022003", "E01022029")
WAVES = ("2010", "2015", "2019", "2025")
LSOA21_COUNT = {TRAFFORD: 139, TENDRING: 89, RIBBLE_VALLEY: 39}

CONTRACT_COLUMNS = {
    "indicator_catalogue": [
        "indicator_id", "name", "domain", "definition", "unit", "polarity", "aggregation",
        "source", "publisher", "licence", "caveats",
    ],
    "neighbourhood_models": [
        "model_id", "model_name", "lad_code", "neighbourhood_code", "neighbourhood_name",
        "lsoa21_code",
    ],
    "indicator_values": [
        "area_type", "area_code", "area_name", "model_id", "lad_code", "indicator_id", "period",
        "period_start", "value", "numerator", "denominator", "lower_ci95", "upper_ci95",
        "lower_ci998", "upper_ci998",
    ],
}  # fmt: skip

# The grain (key) of every transform file, as its header comment states.
GRAINS = {
    "stg_deprivation_iod2010_lsoa01": ("lsoa01_code",),
    "stg_deprivation_iod2015_lsoa11": ("lsoa11_code",),
    "stg_deprivation_iod2019_lsoa11": ("lsoa11_code",),
    "stg_deprivation_iod2025_lsoa21": ("lsoa21_code",),
    "stg_deprivation_iod_lad_official": ("period", "lad_code"),
    "stg_geography_lsoa01_lsoa11": ("lsoa01_code", "lsoa11_code"),
    "stg_geography_lsoa11_lsoa21": ("lsoa11_code", "lsoa21_code"),
    "stg_geography_lsoa21": ("lsoa21_code",),
    "stg_geography_msoa21": ("msoa21_code",),
    "stg_geography_lsoa11_msoa11": ("lsoa11_code",),
    "stg_geography_msoa11_names": ("msoa11_code",),
    "int_geography_msoa21_names": ("msoa21_code",),
    "place_names": ("kind", "code", "lsoa21_code"),
    "stg_population_lsoa11": ("period", "lsoa11_code"),
    "stg_population_lsoa21": ("lsoa21_code",),
    "stg_geography_trafford_localities": ("lsoa21_code",),
    "int_transport_area_rows": ("area_type", "area_code", "period", "indicator_id"),
    "int_deprivation_lsoa_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_population_lsoa_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_population_lsoa11_mid_years": ("lsoa11_code",),
    "int_health_access_lsoa_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_health_access_gp_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_transport_lsoa_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_transport_pt_frequency_weighted": ("lsoa11_code", "year"),
    "stg_health_access_ahah_v3_lsoa11": ("lsoa11_code",),
    "stg_health_access_ahah_v4_lsoa21": ("lsoa21_code",),
    "stg_health_access_depahri_lsoa11": ("lsoa11_code",),
    "stg_health_access_stroke_travel_lsoa11": ("lsoa11_code",),
    "stg_health_access_gp_practices": ("practice_code",),
    "stg_health_access_gp_workforce": ("practice_code", "fiscal_year_end"),
    "stg_health_access_iod2019_barriers_lsoa11": ("lsoa11_code",),
    "stg_health_access_iod2025_barriers_lsoa21": ("lsoa21_code",),
    "stg_transport_car_availability_lsoa21": ("lsoa21_code",),
    "stg_transport_pt_frequency_lsoa11": ("lsoa11_code", "year"),
    "stg_transport_road_casualties": ("casualty_row",),
    "stg_transport_bus_stops": ("atco_code",),
    "int_service_use_area_rows": ("area_type", "area_code", "period", "indicator_id"),
    "int_cohesion_area_rows": ("area_type", "area_code", "model_id", "period", "indicator_id"),
    "int_service_use_lsoa_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_cohesion_lsoa_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "stg_geography_postcode_lsoa11": ("postcode",),
    "stg_geography_lsoa21_boundaries": ("lsoa21_code",),
    "lsoa_geography": ("lsoa21_code",),
    "lsoa11_lsoa21_lookup": ("lsoa11_code", "lsoa21_code"),
    "lsoa_indicator_inputs": ("period", "lsoa21_code", "indicator_id"),
    "gp_practice_lsoa11": ("practice_code",),
    "postcode_lsoa11": ("postcode",),
    "lsoa_boundaries": ("lsoa21_code",),
    "int_service_use_lad_health_areas": ("lad_code",),
    "stg_service_use_gp_appointments": ("period", "sicbl_ods_code", "appt_status"),
    "stg_service_use_gp_appointments_ccg": ("period", "ccg_ods_code", "appt_status"),
    "stg_service_use_gp_coverage": ("period", "sicbl_ods_code"),
    "stg_service_use_online_consultations": ("period", "practice_code"),
    "stg_service_use_gp_practice_locations": ("practice_code",),
    "stg_service_use_ae_icb": ("period", "icb_code"),
    "stg_service_use_stroke_admissions": ("lsoa11_code",),
    "stg_cohesion_loneliness": ("lsoa21_code",),
    "stg_cohesion_cni2023": ("lsoa21_code",),
    "stg_cohesion_household_churn": ("lsoa11_code",),
    "stg_cohesion_tenure": ("lsoa21_code",),
    "stg_cohesion_wellbeing": ("area_code", "period"),
    "stg_cohesion_election_turnout": ("election_date", "ward_code"),
    "stg_cohesion_crime": ("force", "period", "lsoa11_code", "crime_type"),
    "stg_cohesion_accommodation_type": ("period", "lsoa_code"),
    "stg_deprivation_central_heating": ("period", "lsoa_code"),
    "stg_deprivation_iod2019_income_age_lsoa11": ("lsoa11_code",),
    "stg_deprivation_iod2025_income_age_lsoa21": ("lsoa21_code",),
    "stg_health_access_gp_payments": ("period", "practice_code"),
    "stg_population_census2021_health_lsoa21": ("lsoa21_code",),
    "int_deprivation_income_age_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_deprivation_housing_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_population_health_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_health_access_gp_payment_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_area_sums": ("area_type", "area_code", "model_id", "period", "indicator_id"),
    "int_deprivation_lsoa_measures": ("period", "geography", "lsoa_code", "measure"),
    "int_geography_lsoa01_lsoa11_shares": ("lsoa01_code", "lsoa11_code"),
    "int_geography_lsoa11_lad24": ("lsoa11_code",),
    "int_geography_lsoa11_lsoa21_shares": ("lsoa11_code", "lsoa21_code"),
    "int_geography_lsoa21": ("lsoa21_code",),
    "int_lsoa21_indicator_inputs": ("period", "lsoa21_code", "indicator_id"),
    "int_lsoa21_lsoa_only_values": ("period", "lsoa21_code", "indicator_id"),
    "int_native_indicator_inputs": ("period", "geography", "lsoa_code", "indicator_id"),
    "int_population_native_lsoa": ("period", "geography", "lsoa_code"),
    "int_neighbourhood_models": ("model_id", "lsoa21_code"),
    "int_neighbourhood_sums": ("model_id", "area_code", "period", "indicator_id"),
    "indicator_catalogue": ("indicator_id",),
    "indicator_values": ("area_type", "area_code", "model_id", "indicator_id", "period"),
    "neighbourhood_models": ("model_id", "lsoa21_code"),
}


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def con(fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(fixture_db), read_only=True)
    yield connection
    connection.close()


def q(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def raw(data_dir: Path, rel: str) -> list[dict[str, str]]:
    return read_csv_rows(data_dir / rel)[1]


def one(rows: list[dict[str, str]], column: str, value: str) -> dict[str, str]:
    (row,) = [r for r in rows if r[column] == value]
    return row


# --------------------------------------------------------------------------- the whole build


def test_build_publishes_the_three_tables_with_contract_columns(con):
    for table, columns in CONTRACT_COLUMNS.items():
        described = [r[0] for r in q(con, f"describe {table}")]
        assert [c for c in described if c in columns] == columns, table
        assert q(con, f"select count(*) from {table}")[0][0] > 0, table
    assert q(con, "select count(*) from build_info")[0][0] == 1


def test_every_transform_file_has_a_grain():
    files = {p.stem for layer in graph.LAYERS for p in (run.TRANSFORMS_DIR / layer).glob("*.sql")}
    assert files == set(GRAINS)


# Extension points whose domains have no rows in the fixture yet.
MAY_BE_EMPTY: set[str] = set()


@pytest.mark.parametrize("table", sorted(GRAINS))
def test_grain_is_unique_and_not_empty(con, table):
    keys = ", ".join(GRAINS[table])
    assert table in MAY_BE_EMPTY or q(con, f"select count(*) from {table}")[0][0] > 0
    dup = q(con, f"select {keys}, count(*) from {table} group by all having count(*) > 1 limit 3")
    assert dup == []


@pytest.mark.parametrize("raw_file", RAW_FILES, ids=lambda r: r.table)
def test_fixture_rows_are_rows_of_the_bundled_files(fixture_raw_dir, raw_file):
    """No invented values: each fixture row (feature) is a row of the file in data/raw."""
    source, fixture = PROJECT_DIR / "data" / raw_file.path, fixture_raw_dir / raw_file.path
    if raw_file.kind.startswith("geojson"):
        with gzip.open(source, "rt") as a, gzip.open(fixture, "rt") as b:
            real = {json.dumps(f, sort_keys=True) for f in json.load(a)["features"]}
            kept = [json.dumps(f, sort_keys=True) for f in json.load(b)["features"]]
    else:
        header, rows = read_csv_rows(source)
        assert read_csv_rows(fixture)[0] == header
        real = {tuple(r.values()) for r in rows}
        kept = [tuple(r.values()) for r in read_csv_rows(fixture)[1]]
    assert kept and all(row in real for row in kept)


@pytest.mark.parametrize("raw_file", RAW_FILES, ids=lambda r: r.table)
def test_raw_tables_keep_every_row_of_the_fixture(con, fixture_raw_dir, raw_file):
    path = fixture_raw_dir / raw_file.path
    if raw_file.kind.startswith("geojson"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            expected = len(json.load(handle)["features"])
    else:
        expected = len(read_csv_rows(path)[1])  # every fixture row is English
    assert q(con, f"select count(*) from {raw_file.table}")[0][0] == expected


# --------------------------------------------------------------------------- staging

_DECILES = {f"{d}_decile": f"{d}_decile" for d in DOMAINS}
STAGING_RENAMES = {
    "stg_deprivation_iod2010_lsoa01": ("raw_dclg_iod2010_lsoa01", {
        "lsoa01_code": "lsoa01cd", "imd_score": "imd_score", "imd_rank": "imd_rank",
        "imd_decile": "imd_decile", "income_rate": "income_score", **_DECILES,
    }),
    "stg_deprivation_iod2015_lsoa11": ("raw_dclg_iod2015_lsoa11", {
        "lsoa11_code": "lsoa11cd", "lsoa11_name": "lsoa11nm", "lad_code": "lad13cd",
        "lad_name": "lad13nm", "imd_score": "imd_score", "imd_rank": "imd_rank",
        "imd_decile": "imd_decile",
    }),
    "stg_deprivation_iod2019_lsoa11": ("raw_mhclg_iod2019_lsoa11", {
        "lsoa11_code": "lsoa11cd", "lsoa11_name": "lsoa11nm", "lad_code": "lad19cd",
        "lad_name": "lad19nm", "imd_score": "imd_score_derived", "imd_rank": "imd_rank",
        "imd_decile": "imd_decile", "income_rate": "income_score_rate_derived", **_DECILES,
        "population": "pop_total_mid2015",
    }),
    "stg_deprivation_iod2025_lsoa21": ("raw_mhclg_iod2025_lsoa21", {
        "lsoa21_code": "lsoa21cd", "lsoa21_name": "lsoa21nm", "lad_code": "lad24cd",
        "lad_name": "lad24nm", "imd_score": "imd_score", "imd_rank": "imd_rank",
        "imd_decile": "imd_decile", "income_rate": "income_score", **_DECILES,
    }),
    "stg_geography_lsoa01_lsoa11": ("raw_ons_lsoa01_lsoa11", {
        "lsoa01_code": "lsoa01cd", "lsoa11_code": "lsoa11cd", "change_type": "chgind",
    }),
    "stg_geography_lsoa11_lsoa21": ("raw_ons_lsoa11_lsoa21", {
        "lsoa11_code": "lsoa11cd", "lsoa21_code": "lsoa21cd", "change_type": "chgind",
    }),
    "stg_population_lsoa11": ("raw_ons_sape_lsoa11", {
        "period": "cast(mid_year as varchar)", "lsoa11_code": "lsoa11cd", "population": "total",
    }),
    "stg_population_lsoa21": ("raw_ons_census2021_lsoa21", {
        "lsoa21_code": "lsoa21cd", "population": "usual_residents_ts021",
    }),
    "stg_geography_trafford_localities": ("raw_trafford_localities", {
        "lsoa21_code": "lsoa21cd", "locality_2023": "locality_2023",
        "locality_2017_2023": "locality_2017_2023",
    }),
}  # fmt: skip


@pytest.mark.parametrize("table", sorted(STAGING_RENAMES))
def test_staging_renames_keep_every_row_and_value(con, table):
    raw_table, columns = STAGING_RENAMES[table]
    stg = f"select {', '.join(columns)} from {table}"
    src = f"select {', '.join(columns.values())} from {raw_table}"
    assert q(con, f"select count(*) from {table}") == q(con, f"select count(*) from {raw_table}")
    assert q(con, f"select count(*) from ({stg} except all {src})") == [(0,)]
    assert q(con, f"select count(*) from ({src} except all {stg})") == [(0,)]


def test_stg_iod_lad_official_has_both_waves_as_percentages(con, fixture_raw_dir):
    rows = {
        (p, c): (s, pct)
        for p, c, s, pct in q(
            con,
            "select period, lad_code, imd_score, imd_lsoas_most_deprived_10_pct "
            "from stg_deprivation_iod_lad_official",
        )
    }
    assert {c for _, c in rows} == {TRAFFORD, TENDRING, RIBBLE_VALLEY}
    f10 = one(raw(fixture_raw_dir, LAD2019), "Local Authority District code (2019)", TENDRING)
    score, pct = rows[("2019", TENDRING)]
    assert score == float(f10["IMD - Average score"])
    share = float(f10["IMD - Proportion of LSOAs in most deprived 10% nationally"])
    assert pct == pytest.approx(100 * share)
    f10 = one(raw(fixture_raw_dir, LAD2025), "lad24cd", TENDRING)
    assert rows[("2025", TENDRING)][0] == float(f10["imd_average_score"])
    assert rows[("2019", TRAFFORD)][0] == 16.088


def test_stg_lsoa21_geography_derives_the_msoa_name_and_joins_every_lookup(con):
    rows = q(
        con, "select lsoa21_name, msoa21_name, region_code, sicbl_code from stg_geography_lsoa21"
    )
    assert len(rows) == sum(LSOA21_COUNT.values())
    for lsoa_name, msoa_name, region, sicbl in rows:
        assert re.fullmatch(r".+ \d{3}[A-Z]", lsoa_name)
        assert msoa_name == lsoa_name[:-1]
        assert region and sicbl
    assert ("Trafford 025A", "Trafford 025") in {(r[0], r[1]) for r in rows}


def test_stg_msoa21_keeps_english_msoas_with_unique_names(con):
    rows = q(con, "select msoa21_code, msoa21_name from stg_geography_msoa21")
    assert all(code.startswith("E02") for code, _ in rows)
    assert len({name for _, name in rows}) == len(rows)


# --------------------------------------------------------------------------- intermediate


def test_int_lsoa11_lsoa21_shares_sum_to_one_and_follow_census_population(con, fixture_raw_dir):
    assert q(
        con,
        "select max(abs(s - 1)) < 1e-12 from (select sum(share) as s "
        "from int_geography_lsoa11_lsoa21_shares group by lsoa11_code)",
    ) == [(True,)]
    links = [r for r in raw(fixture_raw_dir, L11_21) if r["lsoa11cd"] == SPLIT_2011]
    assert sorted(r["lsoa21cd"] for r in links) == list(SPLIT_2021_CHILDREN)
    assert {r["chgind"] for r in links} == {"S"}
    census = raw(fixture_raw_dir, CENSUS)
    pop = {c: int(one(census, "lsoa21cd", c)["usual_residents_ts021"]) for c in SPLIT_2021_CHILDREN}
    got = dict(
        q(
            con,
            "select lsoa21_code, share from "
            "int_geography_lsoa11_lsoa21_shares where lsoa11_code = ?",
            SPLIT_2011,
        )
    )
    assert got == pytest.approx({c: pop[c] / sum(pop.values()) for c in pop}, abs=1e-12)
    merged = q(
        con,
        "select lsoa11_code, share from "
        "int_geography_lsoa11_lsoa21_shares where lsoa21_code = ? order by 1",
        MERGED_2021,
    )
    assert merged == [(p, 1.0) for p in MERGED_2021_PARENTS]


def test_int_lsoa01_lsoa11_shares_sum_to_one_per_2001_lsoa(con, fixture_raw_dir):
    assert q(
        con,
        "select max(abs(s - 1)) < 1e-12 from (select sum(share) as s "
        "from int_geography_lsoa01_lsoa11_shares group by lsoa01_code)",
    ) == [(True,)]
    links = [r for r in raw(fixture_raw_dir, L01_11) if r["lsoa11cd"] == MERGED_2011]
    assert sorted(r["lsoa01cd"] for r in links) == list(MERGED_2011_PARENTS)
    assert {r["chgind"] for r in links} == {"M"}
    got = q(
        con,
        "select lsoa01_code, change_type, share from int_geography_lsoa01_lsoa11_shares "
        "where lsoa11_code = ? order by 1",
        MERGED_2011,
    )
    assert got == [(p, "M", 1.0) for p in MERGED_2011_PARENTS]


def test_int_iod_lsoa_measures_moves_2010_onto_2011_and_flags_deciles(con, fixture_raw_dir):
    # No LSOA 2001 population is bundled: a merged 2011 LSOA gets the plain mean of its parents.
    iod2010 = raw(fixture_raw_dir, IOD2010)
    scores = [float(one(iod2010, "lsoa01cd", p)["imd_score"]) for p in MERGED_2011_PARENTS]
    got = q(
        con,
        "select value from int_deprivation_lsoa_measures where period = '2010' "
        "and lsoa_code = ? and measure = 'imd_score'",
        MERGED_2011,
    )
    assert got == [(pytest.approx(sum(scores) / len(scores), abs=1e-9),)]
    # the most-deprived flags are the wave's own deciles (1 = most deprived 10%, <= 2 = 20%)
    for period, table, code in (
        ("2015", "stg_deprivation_iod2015_lsoa11", "lsoa11_code"),
        ("2019", "stg_deprivation_iod2019_lsoa11", "lsoa11_code"),
        ("2025", "stg_deprivation_iod2025_lsoa21", "lsoa21_code"),
    ):
        bad = q(
            con,
            f"""
            select m.lsoa_code from int_deprivation_lsoa_measures as m join {table} as s
                on s.{code} = m.lsoa_code
            where m.period = '{period}' and (
                (m.measure = 'imd_md10' and m.value != cast(s.imd_decile = 1 as double))
                or (m.measure = 'imd_md20' and m.value != cast(s.imd_decile <= 2 as double))
                or (m.measure = 'imd_score' and m.value != s.imd_score))
        """,
        )
        assert bad == [], period
    jaywick = q(
        con,
        "select period, value from int_deprivation_lsoa_measures where lsoa_code = ? "
        "and measure = 'imd_md10' order by 1",
        JAYWICK,
    )
    assert jaywick == [(w, 1.0) for w in WAVES]


def test_int_lsoa11_lad24_puts_every_2011_lsoa_in_its_la(con, fixture_raw_dir):
    expected = {r["lsoa11cd"]: r["lad19cd"] for r in raw(fixture_raw_dir, IOD2019)}
    got = dict(q(con, "select lsoa11_code, lad_code from int_geography_lsoa11_lad24"))
    assert got == expected  # none of the three LAs changed between 2019 and 2024
    assert got[SPLIT_2011] == TRAFFORD


def test_int_lsoa21_geography_is_complete(con):
    rows = q(
        con,
        "select lad_code, count(*), count(msoa21_code), count(ward_code), "
        "count(region_code) from int_geography_lsoa21 group by 1",
    )
    assert {r[0]: r[1:] for r in rows} == {k: (n, n, n, n) for k, n in LSOA21_COUNT.items()}
    mismatched = q(
        con,
        "select g.lsoa21_code from int_geography_lsoa21 as g "
        "join stg_geography_msoa21 as m using (msoa21_code) "
        "where m.msoa21_name || right(g.lsoa21_name, 1) != g.lsoa21_name",
    )
    assert mismatched == []


def test_int_native_population_uses_each_waves_weights(con, fixture_raw_dir):
    sape = {(r["mid_year"], r["lsoa11cd"]): int(r["total"]) for r in raw(fixture_raw_dir, SAPE)}
    iod2019 = one(raw(fixture_raw_dir, IOD2019), "lsoa11cd", JAYWICK)
    census = one(raw(fixture_raw_dir, CENSUS), "lsoa21cd", JAYWICK)
    got = dict(
        q(
            con,
            "select period, population from int_population_native_lsoa where lsoa_code = ?",
            JAYWICK,
        )
    )
    assert got == {
        "2010": sape[("2017", JAYWICK)],
        "2015": sape[("2017", JAYWICK)],
        "2019": int(iod2019["pop_total_mid2015"]),
        "2025": int(census["usual_residents_ts021"]),
    }


def test_int_native_indicator_inputs_are_value_times_population(con, fixture_raw_dir):
    iod2019 = one(raw(fixture_raw_dir, IOD2019), "lsoa11cd", JAYWICK)
    pop = int(iod2019["pop_total_mid2015"])
    got = {
        ind: (num, den)
        for ind, num, den in q(
            con,
            "select indicator_id, numerator, denominator "
            "from int_native_indicator_inputs where period = '2019' "
            "and lsoa_code = ?",
            JAYWICK,
        )
    }
    assert got["imd_score"] == pytest.approx((float(iod2019["imd_score_derived"]) * pop, pop))
    assert got["imd_pop_most_deprived_10_pct"] == (pop, pop)
    assert got["imd_lsoas_most_deprived_10_pct"] == (1, 1)  # each LSOA counts once
    rate = float(iod2019["income_score_rate_derived"])
    assert got["income_deprived_pct"] == pytest.approx((rate * pop, pop))
    population = q(
        con,
        "select period, period_start, numerator, denominator "
        "from int_native_indicator_inputs where indicator_id = 'population' "
        "and lsoa_code = ? order by 1",
        JAYWICK,
    )
    assert [(p, str(s), d) for p, s, _, d in population] == [
        ("2017", "2017-06-30", None),
        ("2019", "2019-06-30", None),
        ("2020", "2020-06-30", None),
        ("2021", "2021-03-21", None),
    ]


def test_int_lsoa21_indicator_inputs_split_lsoas_inherit_the_parents_score(con, fixture_raw_dir):
    (parent_2001,) = [
        r["lsoa01cd"] for r in raw(fixture_raw_dir, L01_11) if r["lsoa11cd"] == SPLIT_2011
    ]
    parent_scores = {
        "2010": float(one(raw(fixture_raw_dir, IOD2010), "lsoa01cd", parent_2001)["imd_score"]),
        "2015": float(one(raw(fixture_raw_dir, IOD2015), "lsoa11cd", SPLIT_2011)["imd_score"]),
        "2019": float(
            one(raw(fixture_raw_dir, IOD2019), "lsoa11cd", SPLIT_2011)["imd_score_derived"]
        ),
    }
    for period, score in parent_scores.items():
        got = q(
            con,
            "select lsoa21_code, numerator / denominator from int_lsoa21_indicator_inputs "
            "where period = ? and indicator_id = 'imd_score' and lsoa21_code in (?, ?) "
            "order by 1",
            period,
            *SPLIT_2021_CHILDREN,
        )
        assert got == [(c, pytest.approx(score, abs=1e-9)) for c in SPLIT_2021_CHILDREN], period


def test_int_lsoa21_indicator_inputs_merged_lsoa_gets_population_weighted_mean(
    con, fixture_raw_dir
):
    links = [r for r in raw(fixture_raw_dir, L11_21) if r["lsoa21cd"] == MERGED_2021]
    assert sorted(r["lsoa11cd"] for r in links) == list(MERGED_2021_PARENTS)
    assert {r["chgind"] for r in links} == {"M"}
    iod2019 = raw(fixture_raw_dir, IOD2019)
    parents = [one(iod2019, "lsoa11cd", p) for p in MERGED_2021_PARENTS]
    scores = [float(p["imd_score_derived"]) for p in parents]
    weights = [int(p["pop_total_mid2015"]) for p in parents]  # IoD2019's own denominators
    expected = sum(s * w for s, w in zip(scores, weights, strict=True)) / sum(weights)
    assert abs(expected - sum(scores) / 2) > 0.05  # weighting matters for this pair
    got = q(
        con,
        "select numerator / denominator from int_lsoa21_indicator_inputs "
        "where period = '2019' and indicator_id = 'imd_score' and lsoa21_code = ?",
        MERGED_2021,
    )
    assert got == [(pytest.approx(expected, abs=1e-9),)]
    published = q(
        con,
        "select value from indicator_values where area_type = 'lsoa' "
        "and area_code = ? and indicator_id = 'imd_score' and period = '2019'",
        MERGED_2021,
    )
    assert published == [(pytest.approx(expected, abs=1e-9),)]


def test_int_lsoa21_indicator_inputs_conserve_counts(con, fixture_raw_dir):
    totals: dict[str, int] = defaultdict(int)
    for r in raw(fixture_raw_dir, SAPE):
        totals[r["mid_year"]] += int(r["total"])
    totals["2021"] = sum(int(r["usual_residents_ts021"]) for r in raw(fixture_raw_dir, CENSUS))
    moved = dict(
        q(
            con,
            "select period, sum(numerator) from int_lsoa21_indicator_inputs "
            "where indicator_id = 'population' group by 1",
        )
    )
    assert moved == pytest.approx(dict(totals), rel=1e-12)
    # every summed count (value x population, population) survives the move onto LSOA 2021
    diff = q(
        con,
        """
        with native as (
            select period, indicator_id, sum(numerator) as n, sum(denominator) as d
            from int_native_indicator_inputs group by all
        ), moved as (
            select period, indicator_id, sum(numerator) as n, sum(denominator) as d
            from int_lsoa21_indicator_inputs group by all
        )
        select period, indicator_id from native join moved using (period, indicator_id)
        join seed_indicator_catalogue as c using (indicator_id)
        where c.aggregation != 'lsoa_share' and (abs(native.n - moved.n) > 1e-9 * abs(native.n)
            or abs(coalesce(native.d, 0) - coalesce(moved.d, 0)) > 1e-9 * coalesce(native.d, 1))
    """,
    )
    assert diff == []


def test_int_lsoa21_lsoa_only_values_split_lsoas_inherit_rank_and_decile(con, fixture_raw_dir):
    parent = one(raw(fixture_raw_dir, IOD2019), "lsoa11cd", SPLIT_2011)
    got = q(
        con,
        "select lsoa21_code, indicator_id, value from int_lsoa21_lsoa_only_values "
        "where period = '2019' and lsoa21_code in (?, ?) order by 1, 2",
        *SPLIT_2021_CHILDREN,
    )
    assert got == [
        (c, ind, float(parent[ind]))
        for c in SPLIT_2021_CHILDREN
        for ind in ("imd_decile", "imd_rank")
    ]
    jaywick = q(
        con,
        "select period, value from int_lsoa21_lsoa_only_values "
        "where lsoa21_code = ? and indicator_id = 'imd_rank' order by 1",
        JAYWICK,
    )
    assert jaywick == [(w, 1.0) for w in WAVES]


def test_int_lsoa21_lsoa_only_values_merged_lsoa_takes_most_populous_parents_rank(
    con, fixture_raw_dir
):
    iod2019 = raw(fixture_raw_dir, IOD2019)
    sape = raw(fixture_raw_dir, SAPE)
    parents = [one(iod2019, "lsoa11cd", p) for p in MERGED_2021_PARENTS]
    biggest = max(parents, key=lambda p: int(p["pop_total_mid2015"]))
    # the same parent is the larger by every bundled population (mid-2015, 2017, 2019, 2020)
    for year in ("2017", "2019", "2020"):
        sizes = {r["lsoa11cd"]: int(r["total"]) for r in sape if r["mid_year"] == year}
        assert max(MERGED_2021_PARENTS, key=sizes.__getitem__) == biggest["lsoa11cd"]
    got = q(
        con,
        "select value from int_lsoa21_lsoa_only_values where period = '2019' "
        "and lsoa21_code = ? and indicator_id = 'imd_rank'",
        MERGED_2021,
    )
    assert got == [(float(biggest["imd_rank"]),)]


def test_int_neighbourhood_models_cover_each_borough_once(con, fixture_raw_dir):
    gaps = q(
        con,
        """
        with models as (select distinct model_id, lad_code from int_neighbourhood_models)
        select m.model_id, count(g.lsoa21_code), count(n.lsoa21_code)
        from models as m join int_geography_lsoa21 as g using (lad_code)
        left join int_neighbourhood_models as n
            on n.model_id = m.model_id and n.lsoa21_code = g.lsoa21_code
        group by all having count(g.lsoa21_code) != count(n.lsoa21_code)
    """,
    )
    assert gaps == []
    sizes = q(con, "select model_id, count(*) from int_neighbourhood_models group by 1")
    lad_of = {f"{lad}_{kind}": lad for lad in LSOA21_COUNT for kind in ("msoa21", "wards24")}
    lad_of |= {f"{TRAFFORD}_localities2023": TRAFFORD, f"{TRAFFORD}_localities2017": TRAFFORD}
    assert dict(sizes) == {m: LSOA21_COUNT[lad] for m, lad in lad_of.items()}
    localities = q(
        con,
        "select neighbourhood_name, count(*) from int_neighbourhood_models "
        "where model_id = ? group by 1 order by 1",
        f"{TRAFFORD}_localities2023",
    )
    expected: dict[str, int] = defaultdict(int)
    for r in raw(fixture_raw_dir, LOCALITIES):
        expected[r["locality_2023"]] += 1
    assert localities == sorted(expected.items())
    assert localities == [("Central", 32), ("North", 32), ("South", 46), ("West", 29)]


def test_int_neighbourhood_sums_add_up_their_lsoas(con, fixture_raw_dir):
    census = {r["lsoa21cd"]: int(r["usual_residents_ts021"]) for r in raw(fixture_raw_dir, CENSUS)}
    expected: dict[str, int] = defaultdict(int)
    for r in raw(fixture_raw_dir, LOCALITIES):
        expected["trafford-" + r["locality_2023"].lower()] += census[r["lsoa21cd"]]
    got = q(
        con,
        "select area_code, numerator, denominator from int_neighbourhood_sums "
        "where model_id = ? and indicator_id = 'population' and period = '2021'",
        f"{TRAFFORD}_localities2023",
    )
    assert {code: (num, den) for code, num, den in got} == {
        code: (total, None) for code, total in expected.items()
    }


def test_int_area_sums_la_rows_use_the_waves_native_lsoas(con, fixture_raw_dir):
    # IoD2019: a population-weighted mean over Trafford's 138 LSOA 2011s with the official
    # mid-2015 denominators, which is how File 10 was made (16.088).
    rows = [r for r in raw(fixture_raw_dir, IOD2019) if r["lad19cd"] == TRAFFORD]
    assert len(rows) == 138
    pops = [int(r["pop_total_mid2015"]) for r in rows]
    score = sum(float(r["imd_score_derived"]) * p for r, p in zip(rows, pops, strict=True))
    expected = score / sum(pops)
    assert expected == pytest.approx(16.088, abs=0.001)
    la = q(
        con,
        "select numerator / denominator from int_area_sums where area_type = 'lad' "
        "and area_code = ? and indicator_id = 'imd_score' and period = '2019'",
        TRAFFORD,
    )
    assert la == [(pytest.approx(expected, abs=1e-9),)]
    # LSOA shares count the wave's own LSOAs: 138 (LSOA 2011) in 2019, 139 (LSOA 2021) in 2025,
    # although the LSOA 2021 rows of 2019 number 139.
    most_deprived_20 = sum(int(r["imd_decile"]) <= 2 for r in rows)
    shares = q(
        con,
        "select period, numerator, denominator from int_area_sums "
        "where area_type = 'lad' and area_code = ? "
        "and indicator_id = 'imd_lsoas_most_deprived_20_pct' order by 1",
        TRAFFORD,
    )
    by_period = {period: (num, den) for period, num, den in shares}
    assert by_period["2019"] == (most_deprived_20, 138)
    assert by_period["2025"][1] == 139
    lsoa_2019 = q(
        con,
        "select count(*) from int_area_sums where area_type = 'lsoa' "
        "and lad_code = ? and indicator_id = 'imd_score' and period = '2019'",
        TRAFFORD,
    )
    assert lsoa_2019 == [(139,)]
    england = q(
        con,
        "select numerator from int_area_sums where area_type = 'england' "
        "and indicator_id = 'imd_lsoas_most_deprived_20_pct' and period = '2019'",
    )
    everyone = raw(fixture_raw_dir, IOD2019)
    assert england == [(sum(int(r["imd_decile"]) <= 2 for r in everyone),)]


# --------------------------------------------------------------------------- marts


def test_indicator_catalogue_mart_is_the_catalogue(con):
    got = q(con, "select indicator_id from indicator_catalogue order by sort_order")
    assert [r[0] for r in got] == [row["indicator_id"] for row in catalogue_rows()]


def test_neighbourhood_models_mart_is_the_shipped_models(con):
    cols = ", ".join(CONTRACT_COLUMNS["neighbourhood_models"])
    mart, source = (
        f"select {cols} from neighbourhood_models",
        f"select {cols} from int_neighbourhood_models",
    )
    assert q(con, f"select count(*) from ({mart} except all {source})") == [(0,)]
    assert q(con, f"select count(*) from ({source} except all {mart})") == [(0,)]


def test_indicator_values_neighbourhood_value_is_ratio_of_sums_not_mean_of_lsoas(con):
    """For a ratio, a neighbourhood's value is sum(numerator) / sum(denominator), which differs
    from the mean of its LSOAs' percentages where LSOA populations differ."""
    lsoa = {
        code: (num, den)
        for code, num, den in q(
            con,
            "select area_code, numerator, denominator "
            "from indicator_values where area_type = 'lsoa' "
            "and indicator_id = 'imd_pop_most_deprived_10_pct' "
            "and period = '2019'",
        )
    }
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for model, code, lsoa_code in q(
        con, "select model_id, neighbourhood_code, lsoa21_code from neighbourhood_models"
    ):
        members[(model, code)].append(lsoa_code)
    published = {
        (model, code): value
        for model, code, value in q(
            con,
            "select model_id, area_code, value from indicator_values "
            "where area_type = 'neighbourhood' "
            "and indicator_id = 'imd_pop_most_deprived_10_pct' "
            "and period = '2019'",
        )
    }
    assert set(published) == set(members)
    differing = 0
    for key, codes in members.items():
        num = sum(lsoa[c][0] for c in codes)
        den = sum(lsoa[c][1] for c in codes)
        ratio = 100 * num / den
        mean = sum(100 * lsoa[c][0] / lsoa[c][1] for c in codes) / len(codes)
        assert published[key] == pytest.approx(ratio, abs=1e-9), key
        if abs(ratio - mean) > 0.1:
            differing += 1
            assert published[key] != pytest.approx(mean, abs=0.05), key
    assert differing >= 3  # the check has teeth on this fixture


def test_indicator_values_publish_numerators_only_where_they_mean_something(con):
    by_aggregation = q(
        con,
        """
        select c.aggregation, bool_and(v.numerator is null), bool_and(v.denominator is null),
            max(abs(v.value - v.numerator / v.denominator * c.multiplier))
        from indicator_values as v join indicator_catalogue as c using (indicator_id)
        group by 1 order by 1
    """,
    )
    got = {agg: rest for agg, *rest in by_aggregation}
    assert got["weighted_mean"][:2] == [True, True]
    assert got["lsoa_only"][:2] == [True, True]
    assert got["sum"][1] is True
    assert got["ratio"][:2] == [False, False] and got["ratio"][2] < 1e-9
    assert got["lsoa_share"][:2] == [False, False] and got["lsoa_share"][2] < 1e-9
    no_ci = q(
        con,
        """
        select count(*) from indicator_values join indicator_catalogue using (indicator_id)
        where ci_method = 'none' and (lower_ci95 is not null or upper_ci95 is not null
            or lower_ci998 is not null or upper_ci998 is not null)
    """,
    )
    assert no_ci == [(0,)]


def test_indicator_values_rank_and_decile_are_lsoa_only(con):
    got = q(
        con,
        "select indicator_id, area_type, count(*) from indicator_values "
        "where indicator_id in ('imd_rank', 'imd_decile') group by all order by 1",
    )
    n = sum(LSOA21_COUNT.values()) * len(WAVES)
    assert got == [("imd_decile", "lsoa", n), ("imd_rank", "lsoa", n)]
    jaywick = q(
        con,
        "select period, value from indicator_values where area_code = ? "
        "and indicator_id = 'imd_rank' order by 1",
        JAYWICK,
    )
    assert jaywick == [(w, 1.0) for w in WAVES]


# --------------------------------------------------------------------------- idempotence, atomicity


def _copy_fixture(fixture_raw_dir: Path, tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(fixture_raw_dir / "raw", data_dir / "raw")
    return data_dir


def _tables(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as c:
        names = [r[0] for r in c.execute("select table_name from duckdb_tables()").fetchall()]
        return {n: c.execute(f'select count(*) from "{n}"').fetchall()[0][0] for n in names}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name or p.suffix == ".wal")


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def test_build_is_idempotent(fixture_raw_dir, tmp_path):
    """Building twice gives the same tables. Floating-point sums may differ in the last bits
    (DuckDB's parallel aggregation adds in no fixed order), so doubles are compared to 1e-12."""
    db = tmp_path / "outcomes.duckdb"
    run.build(fixture_raw_dir, db, _quiet)
    first = tmp_path / "first.duckdb"
    shutil.copyfile(db, first)
    run.build(fixture_raw_dir, db, _quiet)  # rebuild over the existing database
    assert _tables(first) == _tables(db)
    assert _leftovers(tmp_path) == []
    _assert_same_rows(first, db, set(_tables(db)))


def _assert_same_rows(first: Path, second: Path, tables: set[str]) -> None:
    """Each of `tables` holds the same rows in both databases (doubles to 1e-12)."""
    with duckdb.connect() as c:
        c.execute(f"attach '{first}' as a (read_only)")
        c.execute(f"attach '{second}' as b (read_only)")
        for table in sorted(tables - {"build_info"}):  # build_info: build time and duration
            differ = c.execute(
                f'select count(*) from (select * from a."{table}" except all '
                f'select * from b."{table}")'
            ).fetchall()
            if differ == [(0,)]:
                continue
            key = ", ".join(GRAINS[table])  # only derived tables differ; they have a grain
            old, new = (
                c.execute(f'select * from {x}."{table}" order by {key}').fetchall()
                for x in ("a", "b")
            )
            assert len(old) == len(new)
            for row_old, row_new in zip(old, new, strict=True):
                assert all(map(_same, row_old, row_new)), (table, row_old, row_new)


def test_the_database_holds_only_published_tables_the_same_as_with_every_step_kept(
    fixture_raw_dir, fixture_db, tmp_path
):
    """The default build writes only the marts, the seeds and build_info; the raw, staging and
    intermediate tables are temporary. Its published tables hold exactly the rows of the
    build that keeps every step (`fixture_db`, built with keep_intermediate)."""
    db = run.build(fixture_raw_dir, tmp_path / "outcomes.duckdb", _quiet)
    published = set(_tables(db))
    marts = {m.name for m in graph.models().values() if m.layer == "marts"}
    assert published == marts | run.SEED_TABLES | {"build_info"}
    kept = _tables(fixture_db)
    assert {t for t in kept if t.startswith(("raw_", "stg_", "int_"))} == set(kept) - published
    assert {t: kept[t] for t in published} == _tables(db)
    _assert_same_rows(fixture_db, db, published)
    with duckdb.connect(str(db), read_only=True) as c:  # the app's macros work on their own
        rows = c.execute(
            "select count(*) from neighbourhood_indicator_values('neighbourhood_models')"
        ).fetchall()
    assert rows == [(kept["int_neighbourhood_sums"],)]


def _break_contract(data_dir: Path) -> None:
    # synthetic: corrupted copy for a bad-input test (a Trafford LSOA without a locality)
    _edit_lines(data_dir / LOCALITIES, lambda lines: lines[:5] + lines[6:])


def _bad_value(data_dir: Path) -> None:
    # synthetic: corrupted copy for a bad-input test
    _set_field(data_dir / IOD2025, 11, "imd_score", "abc")


@pytest.mark.parametrize(
    ("corrupt", "fragments"),
    [
        pytest.param(_bad_value, [IOD2025, "line 11", "column 'imd_score'"], id="raw-value"),
        pytest.param(
            _break_contract, ["every LSOA of the borough is in exactly one"], id="contract"
        ),
    ],
)
def test_failed_build_leaves_the_previous_database_untouched(
    fixture_raw_dir, tmp_path, corrupt, fragments
):
    data_dir = _copy_fixture(fixture_raw_dir, tmp_path)
    db = tmp_path / "outcomes.duckdb"
    run.build(data_dir, db, _quiet)
    before = db.read_bytes()
    corrupt(data_dir)
    with pytest.raises(BuildError) as failure:
        run.build(data_dir, db, _quiet)
    for fragment in fragments:
        assert fragment in str(failure.value)
    assert db.read_bytes() == before
    assert _tables(db)["indicator_values"] > 0  # still opens and reads
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("step", ["load_raw_file", "check_contracts"])
def test_interrupted_build_leaves_the_previous_database_untouched(
    fixture_raw_dir, tmp_path, monkeypatch, step
):
    db = tmp_path / "outcomes.duckdb"
    run.build(fixture_raw_dir, db, _quiet)
    before = db.read_bytes()
    original = getattr(run, step)
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5 or step == "check_contracts":  # mid-way through the raw files
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(run, step, interrupted)
    with pytest.raises(KeyboardInterrupt):
        run.build(fixture_raw_dir, db, _quiet)
    assert db.read_bytes() == before
    assert _tables(db)["indicator_values"] > 0
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------------- bad inputs
# Every case below is synthetic: a corrupted copy of the real fixture for a bad-input test.


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8-sig")


def _write_text(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


def _edit_lines(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    _write_text(path, "".join(edit(_read_text(path).splitlines(keepends=True))))


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _set_field(path: Path, line: int, column: str, value: str) -> None:
    """Set `column` on physical line `line` (1 = header) of a CSV file."""

    def edit(lines: list[str]) -> list[str]:
        header = next(csv.reader([lines[0]]))
        values = next(csv.reader([lines[line - 1]]))
        values[header.index(column)] = value
        return [*lines[: line - 1], _csv_line(values), *lines[line:]]

    _edit_lines(path, edit)


def _drop_column(path: Path, column: str) -> None:
    def edit(lines: list[str]) -> list[str]:
        index = next(csv.reader([lines[0]])).index(column)
        out = []
        for values in csv.reader(lines):
            del values[index]
            out.append(_csv_line(values))
        return out

    _edit_lines(path, edit)


def _case(rel: str, corrupt: Callable[[Path], None], *fragments: str, **kw) -> object:
    return pytest.param(rel, corrupt, fragments, **kw)


BAD_INPUTS = [
    _case(SICBL, lambda p: p.unlink(), "file is missing", id="missing-file"),
    _case(
        IOD2019,
        lambda p: _drop_column(p, "imd_rank"),
        "line 1",
        "column 'imd_rank'",
        id="missing-column",
    ),
    _case(
        IOD2025,
        lambda p: _set_field(p, 11, "imd_score", "abc"),
        "line 11",
        "column 'imd_score'",
        "'abc'",
        id="non-numeric-abc",
    ),
    _case(
        SAPE,
        lambda p: _set_field(p, 21, "total", "*"),
        "line 21",
        "column 'total'",
        "'*'",
        id="suppressed-star",
    ),
    _case(
        CENSUS,
        lambda p: _set_field(p, 6, "lsoa21cd", "E0102198"),
        "line 6",
        "column 'lsoa21cd'",
        "'E0102198'",
        id="malformed-lsoa-code",
    ),
    _case(
        L11_21,
        lambda p: _edit_lines(p, lambda ls: [*ls[:4], ls[2], *ls[4:]]),
        "line 5",
        "duplicate key",
        "'lsoa11cd'",
        "'lsoa21cd'",
        id="duplicate-key",
    ),
    _case(
        LOCALITIES,
        lambda p: _edit_lines(
            p, lambda ls: [*ls[:10], ls[10].rstrip("\n").rsplit(",", 1)[0] + "\n", *ls[11:]]
        ),
        "line 11",
        "expected 7 columns, found 6",
        id="ragged-row",
    ),
    _case(
        IOD2015,
        lambda p: p.write_bytes(gzip.compress(b"", mtime=0)),
        "empty",
        "line 1",
        id="empty-file",
    ),
    _case(IOD2010, lambda p: p.write_bytes(_read_text(p).encode()), "gzip", id="not-gzip"),
    _case(
        MSOA,
        lambda p: _write_text(
            p,
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"msoa21cd": "E02000001"},
                            "geometry": None,
                        }
                    ],
                }
            ),
        ),
        "property 'msoa21nm' is missing",
        id="geojson-missing-property",
    ),
    _case(
        IOD2025,
        lambda p: _set_field(p, 7, "imd_score", "NaN"),
        "line 7",
        "column 'imd_score'",
        id="nan-double",
    ),
    _case(
        SAPE,
        lambda p: _set_field(p, 9, "total", "1.5"),
        "line 9",
        "column 'total'",
        id="fraction-in-integer",
    ),
]


@pytest.mark.parametrize(("rel", "corrupt", "fragments"), BAD_INPUTS)
def test_bad_input_names_the_file_line_and_column(
    fixture_raw_dir, tmp_path, rel, corrupt, fragments
):
    data_dir = _copy_fixture(fixture_raw_dir, tmp_path)
    corrupt(data_dir / rel)
    db = tmp_path / "outcomes.duckdb"
    with pytest.raises(BuildError) as failure:
        run.build(data_dir, db, _quiet)
    message = str(failure.value)
    assert message.startswith(f"{rel}: "), message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    assert not db.exists()
    assert _leftovers(tmp_path) == []


def test_line_numbers_are_exact_in_a_full_size_file(tmp_path):
    """The loader numbers lines in file order even for a full national file (32,844 rows)."""
    (spec,) = [r for r in RAW_FILES if r.path == IOD2019]
    target = tmp_path / IOD2019
    target.parent.mkdir(parents=True)
    shutil.copyfile(PROJECT_DIR / "data" / IOD2019, target)
    # synthetic: corrupted copy for a bad-input test
    _set_field(target, 30_001, "imd_rank", "abc")
    with duckdb.connect() as c, pytest.raises(BuildError, match=r"line 30001, column 'imd_rank'"):
        load_raw_file(c, spec, tmp_path)
