"""Census 2011/2021 housing and health, IDACI/IDAOPI and GP practices over time: the full build
from the bundled data/raw reproduces the raw counts and the publishers' figures.

Expected figures: ONS Census 2021 headlines (England 5.2% in bad or very bad health, 17.3%
disabled under the Equality Act, 1.5% of households with no central heating against 2.7% in
2011; 22,063,368 households in 2011), IoD2019 File 10 (the LA summaries bundled in data/raw) and
the NHS Payments to General Practice files (Trafford's practices, 35 in 2014/15, 27 in 2022/23).
Partington is MSOA E02001275 ("Trafford 017"), LSOAs E01006104-E01006108, unchanged in 2021.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
RAW = PROJECT_DIR / "data" / "raw"
TRAFFORD, KIRKLEES, WIGAN = "E08000009", "E08000034", "E08000010"
PARTINGTON = [f"E0100610{i}" for i in range(4, 9)]
YEARS = [f"{y}/{y - 1999}" for y in range(2014, 2023)]  # 2014/15 ... 2022/23


@pytest.fixture(scope="module")
def con(real_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(real_db), read_only=True)
    yield connection
    connection.close()


def value(con, indicator: str, area_type: str, code: str, period: str) -> tuple:
    rows = con.execute(
        "select value, numerator, denominator from indicator_values where indicator_id = ? "
        "and area_type = ? and area_code = ? and period = ? and model_id is null",
        [indicator, area_type, code, period],
    ).fetchall()
    assert len(rows) == 1, (indicator, area_type, code, period, rows)
    return rows[0]


def raw_rows(relative: str, code_column: str, codes: list[str]) -> list[dict[str, str]]:
    with gzip.open(RAW / relative, "rt", encoding="utf-8-sig", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r[code_column] in codes]


def test_partington_census_health_reproduces_the_raw_counts(con):
    rows = raw_rows(
        "population/census2021_ts037_general_health_lsoa21.csv.gz", "geography code", PARTINGTON
    )
    assert len(rows) == 5
    bad = sum(
        int(r["General health: Bad health"]) + int(r["General health: Very bad health"])
        for r in rows
    )
    residents = sum(int(r["General health: Total: All usual residents"]) for r in rows)
    assert (bad, residents) == (701, 8192)
    for row in rows:
        got = value(con, "bad_health_pct", "lsoa", row["geography code"], "2021")
        count = int(row["General health: Bad health"]) + int(row["General health: Very bad health"])
        assert got[1:] == (count, int(row["General health: Total: All usual residents"]))
    # Partington (8.6%) against Trafford (4.7%, the ONS figure for the borough) and England
    assert 100 * bad / residents == pytest.approx(8.557, abs=0.001)
    assert value(con, "bad_health_pct", "lad", TRAFFORD, "2021")[0] == pytest.approx(4.65, abs=0.01)


def test_england_census_shares_match_the_ons_headlines(con):
    assert value(con, "bad_health_pct", "england", "E92000001", "2021")[0] == pytest.approx(
        5.2, abs=0.05
    )
    assert value(con, "disabled_pct", "england", "E92000001", "2021")[0] == pytest.approx(
        17.3, abs=0.05
    )
    heating_2011 = value(con, "no_central_heating_pct", "england", "E92000001", "2011")
    heating_2021 = value(con, "no_central_heating_pct", "england", "E92000001", "2021")
    assert heating_2011[0] == pytest.approx(2.7, abs=0.05)
    assert heating_2021[0] == pytest.approx(1.5, abs=0.05)
    assert heating_2011[2] == 22_063_368  # Census 2011 households in England
    flats_2011 = value(con, "households_in_flats_pct", "england", "E92000001", "2011")
    assert flats_2011[2] == 22_063_368


def test_2011_counts_are_carried_onto_lsoa_2021_without_loss(con):
    """The 2011 LSOA values move onto LSOA 2021 through the lookup: the borough's and England's
    sums of 2021-geography LSOAs equal the raw 2011 totals."""
    lsoa_sum = con.execute(
        "select sum(numerator), sum(denominator) from indicator_values "
        "where indicator_id = 'no_central_heating_pct' and area_type = 'lsoa' and period = '2011'"
    ).fetchone()
    assert lsoa_sum[1] == pytest.approx(22_063_368, abs=0.5)
    rows = raw_rows(
        "deprivation/census2011_qs415_central_heating_lsoa11.csv.gz", "lsoa11cd", PARTINGTON
    )
    for row in rows:  # Partington's LSOAs are unchanged: values carried one to one
        got = value(con, "no_central_heating_pct", "lsoa", row["lsoa11cd"], "2011")
        assert got[1:] == (
            int(row["No central heating"]),
            int(row["All categories: Type of central heating in household"]),
        )


def test_idaci_and_idaopi_2019_are_close_to_the_official_la_averages(con):
    official = dict(
        con.execute(
            'select "Local Authority District code (2019)", "IDACI - Average score" '
            "from raw_mhclg_iod2019_lad_summaries"
        ).fetchall()
    )
    for lad in (TRAFFORD, KIRKLEES, WIGAN):
        got = value(con, "income_deprived_children_pct", "lad", lad, "2019")[0]
        assert got == pytest.approx(100 * official[lad], abs=1.0), lad
    # Kirklees: 17.7% in File 10; the build's rate treats suppressed LSOAs as 0
    assert value(con, "income_deprived_children_pct", "lad", KIRKLEES, "2019")[0] < 17.7
    assert value(con, "income_deprived_older_pct", "lad", TRAFFORD, "2019")[0] == pytest.approx(
        13.0, abs=1.0
    )


def test_idaci_numbers_reproduce_the_file_8_numerators_and_have_no_2025_rate(con):
    rows = raw_rows("deprivation/iod2025_lsoa21_indicators.csv.gz", "lsoa21cd", PARTINGTON)
    expected = sum(
        float(r["income_deprivation_affecting_children_index_idaci_numerator"] or 0) for r in rows
    )
    got = con.execute(
        "select sum(value) from indicator_values where indicator_id = 'income_deprived_children' "
        "and area_type = 'lsoa' and period = '2025' and area_code in (select unnest(?))",
        [PARTINGTON],
    ).fetchone()[0]
    assert got == expected > 0
    periods = con.execute(
        "select distinct period from indicator_values "
        "where indicator_id = 'income_deprived_children_pct' order by 1"
    ).fetchall()
    assert periods == [("2019",)]
    # a count: no better/worse judgement and no England row beside neighbourhoods
    assert con.execute(
        "select polarity, area_types from indicator_catalogue "
        "where indicator_id = 'income_deprived_children'"
    ).fetchall() == [("no_judgement", "lsoa,neighbourhood,lad")]
    comparable = dict(
        con.execute(
            "select indicator_id, comparable_over_time from indicator_catalogue where indicator_id "
            "in ('income_deprived_children', 'no_central_heating_pct', 'bad_health_pct')"
        ).fetchall()
    )
    assert comparable == {
        "income_deprived_children": False,
        "no_central_heating_pct": True,
        "bad_health_pct": True,
    }


def test_gp_practices_over_time_in_trafford_and_partington(con):
    trafford = con.execute(
        "select period, value from indicator_values where indicator_id = 'gp_practices_located' "
        "and area_type = 'lad' and area_code = ? order by period",
        [TRAFFORD],
    ).fetchall()
    assert trafford[0] == ("2014/15", 35.0) and trafford[-1] == ("2022/23", 27.0)
    assert len(trafford) == 9
    partington = con.execute(
        "select period, sum(value) from indicator_values "
        "where indicator_id = 'gp_practices_located' and area_type = 'lsoa' "
        "and area_code in (select unnest(?)) group by period order by period",
        [PARTINGTON],
    ).fetchall()
    assert len(partington) == 9
    # two practices at Partington Health Centre (M31 4FL) in every year
    assert partington == [(year, 2.0) for year in YEARS]
    per_1000 = con.execute(
        "select period, value, numerator, denominator from indicator_values "
        "where indicator_id = 'gp_registered_patients_per_1000' and area_type = 'neighbourhood' "
        "and model_id = 'E08000009_msoa21' and area_code = 'E02001275' order by period"
    ).fetchall()
    assert [r[0] for r in per_1000] == YEARS
    assert per_1000[0][2:] == (5107 + 3536, 8632)  # practices' lists; mid-2017 residents
    assert per_1000[-1][1] == pytest.approx(1086.52, abs=0.01)
    # four LAs only: no England row, and no LA outside the postcode lookup
    lads = con.execute(
        "select distinct area_code from indicator_values "
        "where indicator_id = 'gp_registered_patients_per_1000' "
        "and area_type in ('lad', 'england') order by 1"
    ).fetchall()
    assert lads == [("E07000093",), (TRAFFORD,), (WIGAN,), (KIRKLEES,)]
