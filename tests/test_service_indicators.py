"""Service use and cohesion indicators: sanity against published figures on the real build,
and the transforms on the fixture build (Trafford, Tendring, Ribble Valley)."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from transforms.catalogue import definitions

INDICATORS = tuple(d.row for d in definitions() if d.domain_file in ("service_use", "cohesion"))

TRAFFORD, WIGAN, KIRKLEES, TEST_VALLEY = "E08000009", "E08000010", "E08000034", "E07000093"
TENDRING, RIBBLE_VALLEY = "E07000076", "E07000124"
ENGLAND = "E92000001"
SERVICE_IDS = tuple(i.indicator_id for i in INDICATORS)


def q(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def real(real_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(real_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def fx(fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(fixture_db), read_only=True)
    yield con
    con.close()


def value(con, indicator_id: str, area_code: str, period: str, area_type: str = "lad") -> float:
    rows = q(
        con,
        "select value from indicator_values where indicator_id = ? and area_code = ? "
        "and period = ? and area_type = ?",
        [indicator_id, area_code, period, area_type],
    )
    assert len(rows) == 1, (indicator_id, area_code, period, rows)
    return rows[0][0]


def summed(con, indicator_id: str, area_code: str, year: str) -> float:
    """A year's rate from the summed monthly numerators and denominators, as a percentage."""
    ((num, den),) = q(
        con,
        "select sum(numerator), sum(denominator) from indicator_values where indicator_id = ? "
        "and area_code = ? and period like ? and area_type in ('lad', 'england')",
        [indicator_id, area_code, year + "-%"],
    )
    return 100 * num / den


# --------------------------------------------------------------------------- catalogue


def test_catalogue_entries_are_complete_and_in_the_right_domains():
    for row in INDICATORS:
        assert row.domain in ("Service use", "Cohesion"), row.indicator_id
        assert row.definition and row.caveats and row.source and row.licence, row.indicator_id
        if row.unit == "%" and row.aggregation == "ratio":
            assert row.multiplier == 100.0, row.indicator_id
        if row.ci_method != "none":
            assert row.aggregation == "ratio", row.indicator_id
        if "neighbourhood" not in row.area_types:
            assert "neighbourhood" in row.caveats.lower() or "ward" in row.caveats.lower()


@pytest.mark.parametrize("con_name", ["fx", "real"])
def test_rows_exist_only_for_the_catalogue_area_types(request, con_name):
    """A sub-ICB, ICB or LA value is never shown as neighbourhood or LSOA variation, and
    partial-coverage indicators have no England row."""
    con = request.getfixturevalue(con_name)
    bad = q(
        con,
        """
        select v.indicator_id, v.area_type, count(*) from indicator_values as v
        join indicator_catalogue as c using (indicator_id)
        where c.domain in ('Service use', 'Cohesion')
            and not list_contains(string_split(c.area_types, ','), v.area_type)
        group by all
        """,
    )
    assert bad == []


# --------------------------------------------------------------------------- real data: service


def test_england_dna_rate_2024_matches_the_published_share(real):
    # NHS England: 4.4% of GP appointments in 2024 were DNA (share of all appointments); the
    # indicator's denominator is appointments with a known status, so it is a little higher.
    assert summed(real, "gp_missed_appointments_pct", ENGLAND, "2024") == pytest.approx(
        4.67, abs=0.01
    )
    ((dna, total),) = q(
        real,
        "select sum(appointments) filter (where appt_status = 'DNA'), sum(appointments) "
        "from stg_service_use_gp_appointments where period like '2024-%'",
    )
    assert 100 * dna / total == pytest.approx(4.40, abs=0.01)
    ((per_month,),) = q(
        real,
        "select sum(appointments) / count(distinct period) from stg_service_use_gp_appointments",
    )
    assert per_month == pytest.approx(30.6e6, rel=0.03)  # about 30.6m appointments a month


@pytest.mark.parametrize(
    ("lad", "sicbl", "share_2024"),
    [
        (TRAFFORD, "02A", 5.1),
        (WIGAN, "02H", 5.0),
        (KIRKLEES, "X2C4Y", 3.3),
        (TEST_VALLEY, "D9Y0V", 4.6),
    ],
)
def test_boroughs_get_their_sub_icb_and_its_dna_share(real, lad, sicbl, share_2024):
    ((ods,),) = q(
        real,
        "select sicbl_ods_code from int_service_use_lad_health_areas where lad_code = ?",
        [lad],
    )
    assert ods == sicbl
    ((dna, total),) = q(
        real,
        "select sum(appointments) filter (where appt_status = 'DNA'), sum(appointments) "
        "from stg_service_use_gp_appointments where period like '2024-%' and sicbl_ods_code = ?",
        [sicbl],
    )
    assert 100 * dna / total == pytest.approx(share_2024, abs=0.05)
    # the published rate (known status) is above the share of all appointments
    assert summed(real, "gp_missed_appointments_pct", lad, "2024") > share_2024


def test_a_shared_sub_icb_gives_every_la_the_same_value_and_split_las_none(real):
    rows = q(
        real,
        "select area_code, value from indicator_values where indicator_id = "
        "'gp_missed_appointments_pct' and period = '2024-06' and area_code in (?, ?, ?)",
        [TEST_VALLEY, "E07000094", "E06000045"],  # Test Valley, Winchester, Southampton
    )
    assert len(rows) == 3 and len({round(v, 12) for _, v in rows}) == 1
    split = q(
        real,
        "select count(*) from indicator_values where indicator_id = "
        "'gp_missed_appointments_pct' and area_code = ?",
        [RIBBLE_VALLEY],  # Ribble Valley lies in two sub-ICBs
    )
    assert split == [(0,)]


def test_ccg_series_2019_2021_for_test_valley_only_where_the_area_is_unchanged(real):
    # D9Y0V DNA share of all appointments (SOURCES.md): 2019 4.35%, 2020 4.01%, 2021 3.44%
    for year, share in (("2019", 4.35), ("2020", 4.01), ("2021", 3.44)):
        ((dna, total),) = q(
            real,
            "select sum(appointments) filter (where appt_status = 'DNA'), sum(appointments) "
            "from stg_service_use_gp_appointments_ccg where ccg_ods_code "
            "= 'D9Y0V' and period like ?",
            [year + "-%"],
        )
        assert 100 * dna / total == pytest.approx(share, abs=0.01)
        assert summed(real, "gp_missed_appointments_pct", TEST_VALLEY, year) > share
    assert q(
        real,
        "select count(*) from indicator_values where indicator_id = 'gp_missed_appointments_pct' "
        "and period < '2023' and (area_code in (?, ?, ?) or area_type = 'england')",
        [TRAFFORD, WIGAN, KIRKLEES],
    ) == [(0,)]
    periods = q(
        real,
        "select count(distinct period) from indicator_values where area_code = ? "
        "and indicator_id = 'gp_missed_appointments_pct'",
        [TEST_VALLEY],
    )
    assert periods == [(30 + 31,)]  # Mar 2019 - Aug 2021 and May 2023 - Nov 2025


def test_dna_wilson_interval_brackets_the_rate(real):
    ((v, lo, hi, num, den),) = q(
        real,
        "select value, lower_ci95, upper_ci95, numerator, denominator from indicator_values "
        "where indicator_id = 'gp_missed_appointments_pct' and area_code = ? "
        "and period = '2024-06'",
        [TRAFFORD],
    )
    assert lo < v < hi and v == pytest.approx(100 * num / den)
    assert hi - lo < 0.5  # about 80,000 appointments a month


def test_online_consultations_england_is_the_sum_of_located_practices(real):
    ((located, patients),) = q(
        real,
        "select numerator, denominator from indicator_values where area_type = 'england' "
        "and indicator_id = 'gp_online_consultations_per_1000' and period = '2025-03'",
    )
    ((submissions, all_patients),) = q(
        real,
        "select sum(submissions), sum(patients_registered) from "
        "stg_service_use_online_consultations "
        "where period = '2025-03'",
    )
    assert located <= submissions and located / submissions > 0.98
    assert patients / all_patients == pytest.approx(1 - 0.0063, abs=0.002)
    # every practice-located neighbourhood adds up to the borough
    ((nb,),) = q(
        real,
        "select sum(numerator) from indicator_values where indicator_id = "
        "'gp_online_consultations_per_1000' and model_id = ? and period = '2025-03'",
        [TRAFFORD + "_msoa21"],
    )
    ((borough,),) = q(
        real,
        "select numerator from indicator_values where indicator_id = "
        "'gp_online_consultations_per_1000' and area_type = 'lad' and area_code = ? "
        "and period = '2025-03'",
        [TRAFFORD],
    )
    assert nb == pytest.approx(borough)


def test_ae_england_totals_and_four_hour_share(real):
    ((att, rate),) = q(
        real,
        "select numerator, value from indicator_values where area_type = 'england' "
        "and indicator_id = 'ae_attendances_per_1000' and period = '2024-06'",
    )
    assert att == pytest.approx(2_294_065)  # NHS England June 2024: about 2.29m attendances
    assert 35 < rate < 45
    assert value(real, "ae_over_4_hours_pct", ENGLAND, "2024-06", "england") == pytest.approx(
        25.4, abs=0.1
    )  # 74.6% within four hours
    # the ten Greater Manchester boroughs share their ICB's value
    assert value(real, "ae_over_4_hours_pct", TRAFFORD, "2024-06") == value(
        real, "ae_over_4_hours_pct", WIGAN, "2024-06"
    )


def test_stroke_admissions_total_about_81k_a_year(real):
    ((num,),) = q(
        real,
        "select numerator from indicator_values where area_type = 'england' "
        "and indicator_id = 'stroke_admissions_per_1000'",
    )
    assert num / 3 == pytest.approx(80_958, rel=0.001)
    assert 1.0 < value(real, "stroke_admissions_per_1000", ENGLAND, "2017-2019", "england") < 2.0


# --------------------------------------------------------------------------- real data: cohesion


def test_wellbeing_matches_the_published_la_estimates(real):
    expected = {  # life satisfaction, FY2012 / FY2016 / FY2022 (SOURCES.md, ONS APS)
        TRAFFORD: (7.49, 7.76, 7.48),
        WIGAN: (7.29, 7.77, 7.68),
        KIRKLEES: (7.32, 7.72, 7.59),
        TEST_VALLEY: (7.81, 7.84, 7.77),
    }
    for lad, values in expected.items():
        got = tuple(
            value(real, "wellbeing_life_satisfaction", lad, p)
            for p in ("2011/12", "2015/16", "2021/22")
        )
        assert got == pytest.approx(values), lad
    assert q(
        real,
        "select count(*) from indicator_values where indicator_id like 'wellbeing_%' "
        "and area_type = 'england'",
    ) == [(33,)]


def test_trafford_turnout_by_ward_and_borough(real):
    medians = {"2023": 38.9, "2024": 40.5, "2026": 50.1}  # median ward turnout, SOURCES.md
    for period, median in medians.items():
        wards = [
            v
            for (v,) in q(
                real,
                "select value from indicator_values where indicator_id = "
                "'local_election_turnout_pct' and area_type = 'neighbourhood' and period = ?",
                [period],
            )
        ]
        assert len(wards) == 21
        assert statistics.median(wards) == pytest.approx(median, abs=0.15)
    assert value(real, "local_election_turnout_pct", TRAFFORD, "2024") == pytest.approx(
        100 * 70_612 / 172_319
    )
    assert q(
        real,
        "select distinct model_id from indicator_values where indicator_id = "
        "'local_election_turnout_pct' and area_type = 'neighbourhood'",
    ) == [(TRAFFORD + "_wards24",)]
    # old-ward elections have borough rows only
    periods = q(
        real,
        "select period from indicator_values where indicator_id = 'local_election_turnout_pct' "
        "and area_type = 'lad' order by period",
    )
    assert [p for (p,) in periods] == [
        "2016",
        "2018",
        "2019",
        "2021",
        "2022",
        "2023",
        "2024",
        "2026",
    ]


def test_loneliness_churn_and_tenure_match_their_sources(real):
    ((lo, hi),) = q(
        real,
        "select min(value), max(value) from indicator_values where area_type = 'lsoa' "
        "and indicator_id = 'loneliness_pct'",
    )
    assert (round(lo, 1), round(hi, 1)) == (18.5, 38.4)
    assert value(real, "loneliness_pct", ENGLAND, "2020/21", "england") == pytest.approx(
        25.4, abs=0.2
    )
    # CDRC: UK mean 0.224 (England's LSOAs 0.229), range 0.028-0.932 in England
    ((mean_churn, low, high),) = q(
        real,
        "select avg(churn_share), min(churn_share), max(churn_share) "
        "from stg_cohesion_household_churn",
    )
    assert (round(mean_churn, 3), low, high) == (0.229, 0.028, 0.932)
    # Census 2021, England: 61.3% owned, 17.1% social rented, 20.5% private rented
    for key, pct in (("owned", 61.3), ("social_rented", 17.1), ("private_rented", 20.5)):
        assert value(real, f"tenure_{key}_pct", ENGLAND, "2021", "england") == pytest.approx(
            pct, abs=0.05
        )


@pytest.mark.parametrize(
    ("lad", "left_behind"), [(KIRKLEES, 3), (TRAFFORD, 1), (WIGAN, 21), (TEST_VALLEY, 0)]
)
def test_left_behind_lsoas_per_borough(real, lad, left_behind):
    rows = q(
        real,
        "select count(*) filter (where value = 100), count(*) from indicator_values "
        "where indicator_id = 'cni_left_behind_pop_pct' and area_type = 'lsoa' and lad_code = ?",
        [lad],
    )
    assert rows[0][0] == left_behind


def test_crime_only_where_force_data_exists(real):
    lads = q(
        real,
        "select area_code, count(distinct period) from indicator_values where area_type = 'lad' "
        "and indicator_id = 'crime_per_1000' group by all order by 1",
    )
    assert len(lads) == 19
    assert dict(lads)[TEST_VALLEY] == 11 and dict(lads)[KIRKLEES] == 3
    assert TRAFFORD not in dict(lads) and WIGAN not in dict(lads)
    # Test Valley: 724-983 records a month (crime and ASB), every LSOA in every month
    per_month = q(
        real,
        "select period, sum(numerator) from indicator_values where area_type = 'lad' "
        "and area_code = ? and indicator_id in ('crime_per_1000', 'asb_per_1000') group by 1",
        [TEST_VALLEY],
    )
    assert min(n for _, n in per_month) == pytest.approx(724)
    assert max(n for _, n in per_month) == pytest.approx(983)
    # Kirklees, July 2016/2017/2018: 4,359, 4,222, 4,812 records
    kirklees = q(
        real,
        "select period, sum(numerator) from indicator_values where area_type = 'lad' "
        "and area_code = ? and indicator_id in ('crime_per_1000', 'asb_per_1000') "
        "group by 1 order by 1",
        [KIRKLEES],
    )
    assert [p for p, _ in kirklees] == ["2016-07", "2017-07", "2018-07"]
    assert [n for _, n in kirklees] == pytest.approx([4359, 4222, 4812])
    lsoas = q(
        real,
        "select count(*) from indicator_values where area_type = 'lsoa' and lad_code = ? "
        "and indicator_id = 'crime_per_1000' and period = '2022-06'",
        [TEST_VALLEY],
    )
    assert lsoas == [(81,)]  # every 2021 LSOA of Test Valley, those with no record at 0


# --------------------------------------------------------------------------- fixture build


def test_fixture_trafford_dna_is_02a_from_the_raw_rows(fx):
    ((dna, known),) = q(
        fx,
        "select sum(count_of_appointments) filter (where appt_status = 'DNA'), "
        "sum(count_of_appointments) filter (where appt_status <> 'Unknown') "
        "from raw_nhse_gp_appointments_subicb where sub_icb_location_code = '02A' "
        "and month = date '2024-06-01'",
    )
    got = value(fx, "gp_missed_appointments_pct", TRAFFORD, "2024-06")
    assert got == pytest.approx(100 * dna / known)


def test_fixture_tendring_has_the_2019_2021_ccg_series(fx):
    # North East Essex (06T) kept its CCG code, so Tendring has the historic months too
    periods = q(
        fx,
        "select min(period), max(period), count(*) from indicator_values where area_code = ? "
        "and indicator_id = 'gp_missed_appointments_pct'",
        [TENDRING],
    )
    assert periods == [("2019-03", "2025-11", 61)]


def test_fixture_has_no_england_row_from_partial_lsoa_data(fx):
    """The fixture's LSOAs are three LAs: an England row here is only ever an area row."""
    rows = q(
        fx,
        "select distinct indicator_id from indicator_values where area_type = 'england' "
        "and indicator_id in ('crime_per_1000', 'asb_per_1000', 'local_election_turnout_pct')",
    )
    assert rows == []


def test_fixture_neighbourhoods_sum_to_the_borough(fx):
    for indicator_id, period in (
        ("tenure_owned_pct", "2021"),
        ("gp_online_consultations_per_1000", "2024-06"),
        ("stroke_admissions_per_1000", "2017-2019"),
    ):
        rows = q(
            fx,
            """
            select nb.model_id, nb.n, la.numerator from (
                select model_id, lad_code, sum(numerator) as n from indicator_values
                where area_type = 'neighbourhood' and indicator_id = ? and period = ?
                group by all
            ) as nb
            join indicator_values as la on la.area_type = 'lad' and la.area_code = nb.lad_code
                and la.indicator_id = ? and la.period = ?
            """,
            [indicator_id, period, indicator_id, period],
        )
        assert rows
        for model_id, n, borough in rows:
            assert n == pytest.approx(borough), (indicator_id, model_id)


def test_fixture_weighted_means_publish_no_counts(fx):
    rows = q(
        fx,
        "select count(*) from indicator_values where indicator_id in ('loneliness_pct', "
        "'cni_score', 'household_churn_pct', 'wellbeing_anxiety') and (numerator is not null "
        "or denominator is not null or lower_ci95 is not null)",
    )
    assert rows == [(0,)]
