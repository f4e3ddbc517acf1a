"""Health access and transport indicators: transforms on the fixture, published figures on the
real build.

Fixture tests recompute values by hand (in Python) from the fixture's CSV rows and compare them
with the build; real-data tests compare the full build with figures the publishers (or the
curated SOURCES.md notes) state. Bad-input tests corrupt a copy of the fixture and say so.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import transforms.run as run
from tests.fixtures.make_raw_fixture import RIBBLE_VALLEY, TENDRING, TRAFFORD, read_csv_rows
from transforms.catalogue import definitions
from transforms.raw import BuildError

INDICATORS = tuple(d.row for d in definitions() if d.domain_file in ("health_access", "transport"))

WIGAN, KIRKLEES, TEST_VALLEY = "E08000010", "E08000034", "E07000093"
ENGLAND = "E92000001"
GM = {f"E080000{n:02d}" for n in range(1, 11)}

IOD2019 = "raw/deprivation/iod2019_lsoa11_england.csv.gz"
SAPE = "raw/deprivation/population_sape_lsoa11_bands_mid2017_2019_2020.csv.gz"
CENSUS = "raw/deprivation/census2021_lsoa21_baseline.csv.gz"
WARD = "raw/geography/lookups/lsoa21_ward24_lad24_ew.csv.gz"
AHAH3 = "raw/health_access/ahah_v3_lsoa11_england.csv.gz"
IOD19_IND = "raw/deprivation/iod2019_lsoa11_indicators.csv.gz"
PRACTICES = "raw/health_access/gp_practices_england_dec2025.csv.gz"
WORKFORCE = "raw/health_access/gp_practice_workforce_fte_fy2016_2024.csv.gz"
NO_CAR = "raw/transport/census2021_ts045_car_availability_lsoa21_england.csv.gz"
PT = "raw/transport/pt_service_frequency_lsoa11_england_2004_2023.csv.gz"
CASUALTIES = "raw/transport/road_casualties_stats19_gm_2019_2024h1_lsoa21.csv.gz"
BUS_STOPS = "raw/transport/trafford_bus_stops_tfgm_2022_lsoa21.csv.gz"
SPLIT_2011 = "E01006185"  # Trafford 001E, split in 2021 into:
SPLIT_2021_CHILDREN = ("E01034000", "E01034001")


def q(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def rows(data_dir: Path, rel: str) -> list[dict[str, str]]:
    return read_csv_rows(data_dir / rel)[1]


def value(con, indicator: str, area_type: str, area_code: str, period: str) -> tuple:
    """(value, numerator, denominator) of one published row."""
    (row,) = q(
        con,
        "select value, numerator, denominator from indicator_values where indicator_id = ? "
        "and area_type = ? and area_code = ? and period = ?",
        indicator,
        area_type,
        area_code,
        period,
    )
    return row


def trafford_lsoa11(data_dir: Path) -> set[str]:
    return {r["lsoa11cd"] for r in rows(data_dir, IOD2019) if r["lad19cd"] == TRAFFORD}


def trafford_lsoa21(data_dir: Path) -> set[str]:
    return {r["lsoa21cd"] for r in rows(data_dir, WARD) if r["lad24cd"] == TRAFFORD}


def sape(data_dir: Path, year: str) -> dict[str, float]:
    return {r["lsoa11cd"]: float(r["total"]) for r in rows(data_dir, SAPE) if r["mid_year"] == year}


def weighted_mean(values: dict[str, float], weights: dict[str, float], codes: set[str]) -> float:
    num = sum(values[c] * weights[c] for c in codes if c in values)
    return num / sum(weights[c] for c in codes if c in values)


# --------------------------------------------------------------------------- fixture build


@pytest.fixture(scope="module")
def con(fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(fixture_db), read_only=True)
    yield connection
    connection.close()


def test_every_access_indicator_is_published_with_coverage_declared(con):
    published = dict(
        q(
            con,
            "select indicator_id, list(distinct area_type order by area_type) "
            "from indicator_values group by 1",
        )
    )
    for ind in INDICATORS:
        assert ind.domain in ("Health access", "Transport")
        assert ind.indicator_id in published, ind.indicator_id
        assert set(published[ind.indicator_id]) <= set(ind.area_types.split(","))
        if "england" not in ind.area_types:
            assert ind.coverage != "England", ind.indicator_id


def test_ahah_drive_time_is_the_population_weighted_mean(con, fixture_raw_dir):
    """LA value = sum(value x mid-2020 population) / sum(population) over its LSOAs 2011."""
    drive = {r["lsoa11cd"]: float(r["gp_access"]) for r in rows(fixture_raw_dir, AHAH3)}
    expected = weighted_mean(drive, sape(fixture_raw_dir, "2020"), trafford_lsoa11(fixture_raw_dir))
    got, numerator, denominator = value(con, "ahah_gp_drive_min", "lad", TRAFFORD, "2022")
    assert got == pytest.approx(expected, rel=1e-9)
    assert numerator is None and denominator is None  # weighted means publish no counts


def test_iod2019_road_distance_uses_the_official_iod_weights(con, fixture_raw_dir):
    km = {
        r["lsoa11cd"]: float(r["road_distance_to_a_gp_surgery_indicator_km"])
        for r in rows(fixture_raw_dir, IOD19_IND)
    }
    weights = {r["lsoa11cd"]: float(r["pop_total_mid2015"]) for r in rows(fixture_raw_dir, IOD2019)}
    expected = weighted_mean(km, weights, trafford_lsoa11(fixture_raw_dir))
    assert value(con, "iod_gp_road_km", "lad", TRAFFORD, "2019")[0] == pytest.approx(expected)
    # a split 2011 LSOA's children inherit its distance
    children = q(
        con,
        "select area_code, value from indicator_values where indicator_id = 'iod_gp_road_km' "
        "and area_type = 'lsoa' and area_code in (?, ?) order by 1",
        *SPLIT_2021_CHILDREN,
    )
    assert children == [(c, pytest.approx(km[SPLIT_2011])) for c in SPLIT_2021_CHILDREN]


def test_households_without_a_car_sum_households(con, fixture_raw_dir):
    codes = trafford_lsoa21(fixture_raw_dir)
    kept = [r for r in rows(fixture_raw_dir, NO_CAR) if r["lsoa21cd"] in codes]
    no_car = sum(int(r["households_no_car"]) for r in kept)
    households = sum(int(r["households_total"]) for r in kept)
    got = value(con, "households_no_car_pct", "lad", TRAFFORD, "2021")
    assert got == (pytest.approx(100 * no_car / households), no_car, households)


def test_gp_patients_per_fte_sums_the_practices_located_in_the_area(con, fixture_raw_dir):
    lsoas = trafford_lsoa11(fixture_raw_dir)
    located = {
        r["practice_code"] for r in rows(fixture_raw_dir, PRACTICES) if r["lsoa11cd"] in lsoas
    }
    patients = fte = 0.0
    for r in rows(fixture_raw_dir, WORKFORCE):
        in_year = r["practice_code"] in located and r["fiscal_year_end"] == "2024"
        if in_year and r["gp_fq_fte"] and float(r["gp_fq_fte"]) > 0:
            patients += float(r["total_patients"])
            fte += float(r["gp_fq_fte"])
    got, numerator, denominator = value(con, "gp_patients_per_fte_gp", "lad", TRAFFORD, "2023/24")
    assert (numerator, denominator) == (pytest.approx(patients), pytest.approx(fte))
    assert got == pytest.approx(patients / fte)
    (start,) = q(
        con,
        "select distinct period_start from indicator_values "
        "where indicator_id = 'gp_patients_per_fte_gp' and period = '2023/24'",
    )
    assert str(start[0]) == "2023-04-01"


def test_gp_patients_per_fte_has_no_value_where_no_practice_is_located(con, fixture_raw_dir):
    lsoas = {r["lsoa11cd"] for r in rows(fixture_raw_dir, PRACTICES)}
    got = {
        code
        for (code,) in q(
            con,
            "select distinct area_code from indicator_values where area_type = 'lsoa' "
            "and indicator_id = 'gp_patients_per_fte_gp' and lad_code = ?",
            TRAFFORD,
        )
    }
    # every LSOA with a value is (a 2021 child of) an LSOA holding a practice
    parents = dict(
        q(con, "select lsoa21_code, lsoa11_code from int_geography_lsoa11_lsoa21_shares")
    )
    assert got and all(parents[c] in lsoas for c in got)


def test_bus_frequency_is_weighted_by_the_years_estimate(con, fixture_raw_dir):
    freq = {
        r["lsoa11cd"]: float(r["bus_tph_midwk_day"])
        for r in rows(fixture_raw_dir, PT)
        if r["year"] == "2019"
    }
    expected = weighted_mean(freq, sape(fixture_raw_dir, "2019"), trafford_lsoa11(fixture_raw_dir))
    assert value(con, "pt_bus_trips_per_hour", "lad", TRAFFORD, "2019")[0] == pytest.approx(
        expected
    )


def test_bus_frequency_leaves_out_lsoa_years_the_source_marks_missing(con, fixture_raw_dir):
    missing = {
        r["year"]
        for r in rows(fixture_raw_dir, PT)
        if r["lsoa11cd"] in trafford_lsoa11(fixture_raw_dir)
        and r["source_flag"].startswith("Missing data")
    }
    assert missing == {"2004", "2016", "2017"}  # SOURCES.md: NW gaps
    periods = {
        p
        for (p,) in q(
            con,
            "select distinct period from indicator_values where lad_code = ? "
            "and indicator_id = 'pt_bus_trips_per_hour'",
            TRAFFORD,
        )
    }
    assert periods and not periods & missing
    assert "2020" in periods  # flagged (pandemic window) but kept


def test_rail_and_tram_start_in_2018(con):
    for indicator in ("pt_rail_trips_per_hour", "pt_tram_metro_trips_per_hour"):
        periods = [
            p
            for (p,) in q(
                con,
                "select distinct period from indicator_values where indicator_id = ? order by 1",
                indicator,
            )
        ]
        assert periods == [str(y) for y in range(2018, 2024)]


def test_flagged_share_is_published_for_boroughs_and_england_only(con):
    got = dict(
        q(
            con,
            "select period, value from indicator_values where area_type = 'lad' "
            "and area_code = ? and indicator_id = 'pt_frequency_flagged_pct'",
            TRAFFORD,
        )
    )
    assert got["2016"] == 100.0 and got["2019"] == 0.0 and got["2020"] == 100.0
    types = q(
        con,
        "select distinct area_type from indicator_values "
        "where indicator_id = 'pt_frequency_flagged_pct' order by 1",
    )
    assert types == [("england",), ("lad",)]


def test_road_casualties_count_every_trafford_casualty_with_zeros(con, fixture_raw_dir):
    by_year = Counter(r["year"] for r in rows(fixture_raw_dir, CASUALTIES))
    assert by_year["2024"] > 0  # in the source, but a provisional half year: not published
    census = {
        r["lsoa21cd"]: float(r["usual_residents_ts021"]) for r in rows(fixture_raw_dir, CENSUS)
    }
    residents = sum(census[c] for c in trafford_lsoa21(fixture_raw_dir))
    for year in ("2019", "2020", "2021", "2022", "2023"):
        got, numerator, denominator = value(con, "road_casualties_per_1000", "lad", TRAFFORD, year)
        assert (numerator, denominator) == (by_year[year], residents)
        assert got == pytest.approx(1000 * by_year[year] / residents)
    lsoa_rows = q(
        con,
        "select count(*), count(distinct area_code), min(numerator), "
        "count(*) filter (where numerator <> round(numerator)), "
        "count(*) filter (where upper_ci95 is null) from indicator_values "
        "where indicator_id = 'road_casualties_per_1000' and area_type = 'lsoa'",
    )
    assert lsoa_rows == [(139 * 5, 139, 0.0, 0, 0)]  # every LSOA, every year; Byar CIs


def test_coverage_limited_indicators_have_no_rows_outside_their_coverage(con):
    for indicator in ("road_casualties_per_1000", "bus_stops_per_1000"):
        got = q(
            con,
            "select distinct area_type, lad_code from indicator_values where indicator_id = ? "
            "order by 1",
            indicator,
        )
        assert got == [("lad", TRAFFORD), ("lsoa", TRAFFORD), ("neighbourhood", TRAFFORD)]
    others = q(
        con,
        "select count(*) from indicator_values where lad_code in (?, ?) "
        "and indicator_id in ('road_casualties_per_1000', 'bus_stops_per_1000')",
        TENDRING,
        RIBBLE_VALLEY,
    )
    assert others == [(0,)]


def test_bus_stops_per_1000_counts_every_stop(con, fixture_raw_dir):
    stops = rows(fixture_raw_dir, BUS_STOPS)
    census = {
        r["lsoa21cd"]: float(r["usual_residents_ts021"]) for r in rows(fixture_raw_dir, CENSUS)
    }
    residents = sum(census[c] for c in trafford_lsoa21(fixture_raw_dir))
    got = value(con, "bus_stops_per_1000", "lad", TRAFFORD, "2022")
    assert got == (pytest.approx(1000 * len(stops) / residents), len(stops), residents)
    per_lsoa = Counter(r["lsoa21cd"] for r in stops)
    lsoa_values = dict(
        q(
            con,
            "select area_code, numerator from indicator_values where area_type = 'lsoa' "
            "and indicator_id = 'bus_stops_per_1000'",
        )
    )
    assert len(lsoa_values) == 139
    assert all(lsoa_values[c] == per_lsoa.get(c, 0) for c in lsoa_values)


def test_neighbourhoods_add_up_to_the_borough(con):
    """Ratios and weighted means sum their numerators and denominators over neighbourhoods."""
    got = q(
        con,
        """
        with nb as (
            select model_id, indicator_id, period, sum(numerator) as n, sum(denominator) as d
            from indicator_values where area_type = 'neighbourhood' and lad_code = ?
                and indicator_id in ('households_no_car_pct', 'road_casualties_per_1000',
                    'bus_stops_per_1000', 'gp_patients_per_fte_gp')
            group by all
        )
        select nb.model_id, nb.indicator_id, nb.period from nb
        join indicator_values as v
            on v.area_type = 'lad' and v.area_code = ? and v.indicator_id = nb.indicator_id
            and v.period = nb.period
        where abs(nb.n - v.numerator) > 1e-6 * v.numerator
            or abs(nb.d - v.denominator) > 1e-6 * v.denominator
        """,
        TRAFFORD,
        TRAFFORD,
    )
    assert got == []


# --------------------------------------------------------------------------- bad input


def _rewrite(path: Path, edit) -> None:
    header, records = read_csv_rows(path)
    records = edit(records)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())


def test_a_casualty_placed_outside_its_district_fails_the_build(fixture_raw_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(fixture_raw_dir / "raw", data_dir / "raw")
    tendring = next(r["lsoa21cd"] for r in rows(data_dir, WARD) if r["lad24cd"] == TENDRING)

    def move_first(records):
        # synthetic: corrupted copy for a bad-input test (a Trafford casualty in Tendring)
        records[0]["lsoa21cd"] = tendring
        return records

    _rewrite(data_dir / CASUALTIES, move_first)
    with pytest.raises(BuildError, match="each LSOA lies in the casualty's district"):
        run.build(data_dir, tmp_path / "outcomes.duckdb", lambda _: None)


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(real_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(real_db), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("lad_code", "published"),
    [(TRAFFORD, 19.3), (WIGAN, 21.3), (KIRKLEES, 22.7), (TEST_VALLEY, 11.9)],
)
def test_real_households_without_a_car(real, lad_code, published):
    """Census 2021 TS045: Trafford 19.3% of households have no car or van (SOURCES.md)."""
    got = value(real, "households_no_car_pct", "lad", lad_code, "2021")[0]
    assert round(got, 1) == published


def test_real_england_households_without_a_car(real):
    """England's 23.4 million Census 2021 households, about a quarter without a car."""
    got, _, denominator = value(real, "households_no_car_pct", "england", ENGLAND, "2021")
    assert round(got, 1) == 23.5
    assert denominator == pytest.approx(23.4e6, rel=0.005)


@pytest.mark.parametrize(
    ("year", "medians"),
    [
        ("2019", {TRAFFORD: 19.6, WIGAN: 19.2, KIRKLEES: 14.8, TEST_VALLEY: 6.3}),
        ("2023", {TRAFFORD: 14.3, WIGAN: 13.9, KIRKLEES: 11.8, TEST_VALLEY: 4.7}),
    ],
)
def test_real_bus_frequency_lsoa_medians(real, year, medians):
    """Median LSOA bus trips per hour as stated in transport/SOURCES.md for the target LAs."""
    got = dict(
        q(
            real,
            "select l.lad_code, median(f.bus_trips_per_hour) "
            "from stg_transport_pt_frequency_lsoa11 as f join int_geography_lsoa11_lad24 as l "
            "using (lsoa11_code) where f.year = ? group by 1",
            int(year),
        )
    )
    assert {la: round(got[la], 1) for la in medians} == medians


def test_real_bus_frequency_england_medians(real):
    got = dict(
        q(
            real,
            "select year, median(bus_trips_per_hour) from stg_transport_pt_frequency_lsoa11 "
            "group by 1",
        )
    )
    assert {y: round(got[y], 1) for y in (2004, 2010, 2019, 2023)} == {
        2004: 10.5,
        2010: 24.4,
        2019: 18.7,
        2023: 11.0,
    }


def test_real_flagged_years_of_the_target_las(real):
    """SOURCES.md: Kirklees 2004 (2.4x its median) and Test Valley 2011 are flagged."""
    flagged = {
        (la, p)
        for la, p in q(
            real,
            "select area_code, period from indicator_values where area_type = 'lad' "
            "and indicator_id = 'pt_frequency_flagged_pct' and value = 100 and area_code in "
            "(?, ?, ?, ?)",
            TRAFFORD,
            WIGAN,
            KIRKLEES,
            TEST_VALLEY,
        )
    }
    expected = {(la, "2020") for la in (TRAFFORD, WIGAN, KIRKLEES, TEST_VALLEY)}
    expected |= {(la, y) for la in (TRAFFORD, WIGAN) for y in ("2004", "2016", "2017")}
    expected |= {(KIRKLEES, y) for y in ("2004", "2016", "2017")} | {(TEST_VALLEY, "2011")}
    assert flagged == expected


def test_real_gm_casualties_per_year_match_the_source(real):
    """STATS19 GM casualties: 2019 4,897; 2020 3,218; 2021 3,895; 2022 3,563; 2023 3,242."""
    got = q(
        real,
        "select period, sum(numerator), count(*) from indicator_values "
        "where indicator_id = 'road_casualties_per_1000' and area_type = 'lad' group by 1 "
        "order by 1",
    )
    assert got == [
        ("2019", 4897, 10),
        ("2020", 3218, 10),
        ("2021", 3895, 10),
        ("2022", 3563, 10),
        ("2023", 3242, 10),
    ]
    las = {
        la
        for (la,) in q(
            real,
            "select distinct area_code from indicator_values "
            "where indicator_id = 'road_casualties_per_1000' "
            "and area_type = 'lad'",
        )
    }
    assert las == GM
    lsoa_las = q(
        real,
        "select distinct lad_code from indicator_values where area_type = 'lsoa' "
        "and indicator_id = 'road_casualties_per_1000' order by 1",
    )
    assert lsoa_las == [(TRAFFORD,), (WIGAN,)]


def test_real_trafford_and_wigan_casualties(real):
    """Trafford 1,431 and Wigan 1,757 casualties in January 2019 - June 2024 (SOURCES.md)."""
    got = dict(
        q(
            real,
            "select lad_code, count(*) from stg_transport_road_casualties "
            "where lad_code in (?, ?) and lsoa21_code is not null group by 1",
            TRAFFORD,
            WIGAN,
        )
    )
    assert got == {TRAFFORD: 1431, WIGAN: 1757}


def test_real_gp_workforce_england_totals(real):
    """England fully qualified GP FTE fell from about 27.4k (2015/16) to 26.6k (2023/24)."""
    got = dict(
        q(
            real,
            "select period, sum(gp_fq_fte) from stg_health_access_gp_workforce group by 1",
        )
    )
    assert round(got["2015/16"] / 1000, 1) == 27.4
    assert round(got["2023/24"] / 1000, 1) == 26.6


def test_real_gp_patients_per_fte_england(real):
    """NHS Digital put England at about 2,300 patients per fully qualified GP FTE in 2024; the
    located practices give a value within 5% of that, and cover 97% of patients."""
    got, patients, _ = value(real, "gp_patients_per_fte_gp", "england", ENGLAND, "2023/24")
    assert 2250 < got < 2450
    (total,) = q(
        real,
        "select sum(registered_patients) from "
        "stg_health_access_gp_workforce where period = '2023/24'",
    )[0]
    assert 0.96 < patients / total < 0.99


def test_real_stroke_travel_time_wigan(real):
    """SOURCES.md: Wigan LSOAs route to GM hyperacute units, a mean of 25.7 minutes."""
    got = q(
        real,
        "select avg(s.ivt_unit_min) from stg_health_access_stroke_travel_lsoa11 as s "
        "join int_geography_lsoa11_lad24 as l using (lsoa11_code) where l.lad_code = ?",
        WIGAN,
    )[0][0]
    assert round(got, 1) == 25.7


def test_real_ahah_least_healthy_fifth_covers_every_lsoa(real):
    """AHAH percentiles are of Great Britain: England's share lies above 20% in both versions
    (Wales and Scotland are healthier on AHAH), and every English LSOA has a value."""
    for period in ("2022", "2024"):
        got, _, _ = value(real, "ahah_pop_least_healthy_20_pct", "england", ENGLAND, period)
        assert 20 < got < 30
    assert q(
        real,
        "select count(*) from indicator_values where indicator_id = 'ahah_v4_index' "
        "and area_type = 'lsoa'",
    ) == [(33755,)]


def test_real_single_borough_bus_stops(real):
    got = q(
        real,
        "select area_type, area_code, numerator from indicator_values "
        "where indicator_id = 'bus_stops_per_1000' and area_type in ('lad', 'england')",
    )
    assert got == [("lad", TRAFFORD, 1025.0)]


def test_real_iod2019_road_distances_are_plausible(real):
    """England's population-weighted means lie between 0.3 and 3 km for each service, and rural
    Test Valley's residents live further from each than urban Trafford's."""
    rows_ = defaultdict(dict)
    for ind, area, v in q(
        real,
        "select indicator_id, area_code, value from indicator_values where period = '2019' "
        "and indicator_id like 'iod_%_road_km' and area_code in (?, ?, ?)",
        ENGLAND,
        TRAFFORD,
        TEST_VALLEY,
    ):
        rows_[ind][area] = v
    assert set(rows_) == {
        "iod_gp_road_km",
        "iod_supermarket_road_km",
        "iod_primary_school_road_km",
        "iod_post_office_road_km",
    }
    for by_area in rows_.values():
        assert 0.3 < by_area[ENGLAND] < 3
        assert by_area[TEST_VALLEY] > 1.2 * by_area[TRAFFORD]
