"""Partner data upload (outcomes/uploads/, pages/partner_data.py) on the full real build.

The public database is the session's `real_db` (read-only); the user database is a fresh file
in a temporary folder, emptied before each test. Area codes, postcodes, practice codes and
neighbourhood names are real (Trafford, Wigan); every count in these files is synthetic
(made-up numbers from a fixed seed), as the tests say where they make them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest

from outcomes import db, identity, queries, stats, ui
from outcomes.text import escape_markdown
from outcomes.uploads import datasets, disclosure, display, formats, models, refresh
from outcomes.uploads.duckdb_store import DuckDBStore
from outcomes.uploads.problems import DataFileError
from tests.apptest import route_pages_through_the_router

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = str(PROJECT_DIR / "dashboard.py")
TRAFFORD, WIGAN = "E08000009", "E08000010"
LOCALITIES = "E08000009_localities2023"
T1, T2, T3 = "E01006074", "E01006075", "E01006076"  # Trafford LSOAs (2011 = 2021 codes)
WIGAN_LSOA = "E01006212"
SPLIT_2011, SPLIT_2021 = "E01006185", ("E01034000", "E01034001")  # Trafford 001E -> G, H
TRAFFORD_POSTCODES = ("M41 0RZ", "WA15 7LT", "WA15 6HE", "M15 4AB")
WIGAN_POSTCODE = "M28 1AA"
TRAFFORD_PRACTICE, WIGAN_PRACTICE = "P91003", "P92001"
USER_TABLES = (
    "user_datasets", "user_dataset_rows", "user_dataset_areas", "user_dataset_indicators",
    "user_indicator_values", "user_indicator_catalogue", "user_models",
    "user_neighbourhood_models", "user_settings",
)  # fmt: skip
SERVICE_HEADER = ["lsoa_code", "period", "measure", "count"]
SURVEY_HEADER = ["neighbourhood", "period", "question", "respondents", "agreeing"]
EXAMPLES = PROJECT_DIR / "data" / "templates"
# Who uploads in these tests: an analyst of a partner organisation.
USER = identity.User("analyst@nhs.example", "Test analyst", "NHS", "analyst")


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def base(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    con = db.open_database(real_db, tmp_path_factory.mktemp("partner_user") / "user.duckdb")
    yield con
    con.close()


@pytest.fixture
def con(base, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(disclosure.ENV_VAR, raising=False)
    monkeypatch.delenv(disclosure.PERTURBATION_ENV_VAR, raising=False)
    cur = db.cursor(base)
    for table in USER_TABLES:
        cur.execute(f"DELETE FROM usr.{table}")
    disclosure.installation_secret(cur)  # an installation's secret outlives its data
    return cur


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def near(published: float, true: float, cells: int = 1) -> bool:
    """A published count is the true one perturbed by at most the configured maximum (for
    each cell of a sum of published cells)."""
    return abs(published - true) <= cells * disclosure.policy().max_perturbation


def trafford_lsoas(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT lsoa21_code FROM lsoa_geography WHERE lad_code = ? ORDER BY 1",
            [TRAFFORD],
        ).fetchall()
    ]


def service_rows(codes: list[str], months: list[str], seed: int = 7) -> list[list[object]]:
    """synthetic: booked and missed appointments per LSOA and month (made-up numbers)."""
    rng = np.random.default_rng(seed)
    rows = []
    for code in codes:
        for month in months:
            booked = int(rng.integers(20, 260))
            missed = int(rng.binomial(booked, 0.05))
            rows += [[code, month, "appointments_booked", booked]]
            rows += [[code, month, "appointments_missed", missed]]
    return rows


def store(con) -> dict[str, pd.DataFrame]:
    """Everything in the user database, to compare before and after."""
    return {
        t: con.execute(f"SELECT * FROM usr.{t} ORDER BY ALL").df().reset_index(drop=True)
        for t in USER_TABLES
    }


def assert_same_store(before: dict, after: dict) -> None:
    for table in USER_TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False)


def upload(con, data: bytes, name: str = "Test data", lad: str = TRAFFORD, model=None, **kw):
    dataset = datasets.validate_dataset(con, data, lad, model)
    kw.setdefault("user", USER)
    return datasets.save_dataset(con, dataset, name, source_file="test.csv", **kw)


def stored_values(con, dataset_id: str) -> pd.DataFrame:
    return con.execute(
        "SELECT v.* FROM usr.user_indicator_values AS v JOIN usr.user_dataset_indicators "
        "USING (indicator_id) WHERE dataset_id = ? ORDER BY ALL",
        [dataset_id],
    ).df()


def rejected(con, data: bytes, model=None, name: str = "Test data") -> DataFileError:
    before = store(con)
    with pytest.raises(DataFileError) as caught:
        upload(con, data, name, model=model)
    assert_same_store(before, store(con))
    assert caught.value.problems, "a rejection always says why"
    return caught.value


# ---------------------------------------------------------------- malformed files

GOOD = [T1, "2025-01", "appointments_booked", 120]
GOOD_MISSED = [T1, "2025-01", "appointments_missed", 6]


def service(*rows: list[object], header=SERVICE_HEADER) -> bytes:
    return to_csv(header, [GOOD, GOOD_MISSED, *rows])


def survey(*rows: list[object]) -> bytes:
    return to_csv(SURVEY_HEADER, [["North", "2024", "I feel safe", 40, 30], *rows])


# (id, file, row, column, words the message must contain). Rows count the header as row 1.
CORPUS = [
    ("unknown-lsoa", service([ "E01999999", "2025-01", "visits", 3]), 4, "lsoa_code",
     "not an LSOA 2011 or 2021 code"),
    ("other-borough", service([WIGAN_LSOA, "2025-01", "visits", 3]), 4, "lsoa_code", "Wigan"),
    ("welsh", service(["W01000001", "2025-01", "visits", 3]), 4, "lsoa_code", "Welsh"),
    ("not-a-code", service(["Partington", "2025-01", "visits", 3]), 4, "lsoa_code",
     "not an LSOA code"),
    ("month-13", service([T2, "2025-13", "visits", 3]), 4, "period", "month 13"),
    ("excel-date", service([T2, "01/03/2025", "visits", 3]), 4, "period", "format the column"),
    ("excel-month", service([T2, "Mar-25", "visits", 3]), 4, "period", "YYYY-MM"),
    ("one-digit-month", service([T2, "2025-3", "visits", 3]), 4, "period", "two digits"),
    ("financial-year", service([T2, "2024/25", "visits", 3]), 4, "period", "financial years"),
    ("empty-period", service([T2, "", "visits", 3]), 4, "period", "empty"),
    ("negative", service([T2, "2025-01", "visits", -4]), 4, "count", "negative"),
    ("decimal", service([T2, "2025-01", "visits", "4.5"]), 4, "count", "whole number"),
    ("thousands", service([T2, "2025-01", "visits", "1,234"]), 4, "count", "thousands"),
    ("scientific", service([T2, "2025-01", "visits", "1.2E+05"]), 4, "count", "scientific"),
    ("star", service([T2, "2025-01", "visits", "*"]), 4, "count", "unsuppressed"),
    ("less-than-5", service([T2, "2025-01", "visits", "<5"]), 4, "count", "unsuppressed"),
    ("c", service([T2, "2025-01", "visits", "c"]), 4, "count", "unsuppressed"),
    ("range", service([T2, "2025-01", "visits", "1-4"]), 4, "count", "unsuppressed"),
    ("empty-count", service([T2, "2025-01", "visits", ""]), 4, "count", "empty"),
    ("text-count", service([T2, "2025-01", "visits", "lots"]), 4, "count", "whole number"),
    ("bad-measure", service([T2, "2025-01", "Missed appts!", 3]), 4, "measure",
     "lower-case letters"),
    ("missed-over-booked",
     service([T2, "2025-01", "appointments_booked", 10], [T2, "2025-01", "appointments_missed",
                                                          11]),
     5, "count", "more than appointments_booked"),
    ("missed-without-booked",
     to_csv(SERVICE_HEADER, [[T1, "2025-01", "appointments_missed", 3]]), 2, "measure",
     "needs appointments_booked"),
    ("booked-without-missed", service([T2, "2025-02", "appointments_booked", 80]), 4, "measure",
     "has no appointments_missed row"),
    ("duplicate", service(GOOD), 4, "lsoa_code", "repeats row 2"),
    ("2011-and-2021-mixed",
     service([SPLIT_2011, "2025-01", "visits", 9], [SPLIT_2021[0], "2025-01", "visits", 9]),
     4, "lsoa_code", "use one year's codes"),
    ("months-and-years", service([T2, "2025", "visits", 9]), 4, "period", "months or years"),
    ("too-many-values", service([T2, "2025-01", "visits", 9, "extra"]), 4,
     "5 (beyond the header)", "double quotes"),
    ("unknown-postcode",
     to_csv(["postcode", "period", "measure", "count"], [["SW1A 1AA", "2025", "visits", 9]]),
     2, "postcode", "Kirklees, Trafford, Wigan and Test Valley only"),
    ("postcode-in-wigan",
     to_csv(["postcode", "period", "measure", "count"], [[WIGAN_POSTCODE, "2025", "visits", 9]]),
     2, "postcode", "Wigan"),
    ("not-a-postcode",
     to_csv(["postcode", "period", "measure", "count"], [["M41", "2025", "visits", 9]]),
     2, "postcode", "not a full UK postcode"),
    ("unknown-practice",
     to_csv(["practice_code", "period", "measure", "count"], [["Z99999", "2025", "visits", 9]]),
     2, "practice_code", "not in NHS England's list"),
    ("practice-in-wigan",
     to_csv(["practice_code", "period", "measure", "count"],
            [[WIGAN_PRACTICE, "2025", "visits", 9]]),
     2, "practice_code", "Wigan"),
    ("agreeing-over-respondents", survey(["South", "2024", "I feel safe", 10, 12]), 3, "agreeing",
     "more than the 10 respondents"),
    ("unknown-neighbourhood", survey(["Narnia", "2024", "I feel safe", 10, 2]), 3,
     "neighbourhood", "not a neighbourhood of"),
    ("survey-duplicate", survey(["north ", "2024", "I feel safe", 10, 2]), 3, "neighbourhood",
     "repeats row 2"),
    ("empty-question", survey(["South", "2024", " ", 10, 2]), 3, "question", "empty"),
    ("header-missing-column", to_csv(["lsoa_code", "period", "count"], [[T1, "2025", 3]]), 1,
     "measure", "missing from the header"),
    ("two-area-columns",
     to_csv(["lsoa_code", "postcode", "period", "measure", "count"], [[T1, "", "2025", "x", 3]]),
     1, "postcode", "one area column"),
    ("duplicate-header", to_csv(["lsoa_code", "period", "period", "measure", "count"], []), 1,
     "period", "appears twice"),
    ("semicolons", b"lsoa_code;period;measure;count\nE01006074;2025;visits;3\n", 1, None,
     "semicolons"),
    ("header-only", to_csv(SERVICE_HEADER, []), None, None, "no data rows"),
    ("cp1252", to_csv(SERVICE_HEADER, [GOOD]) + "E01006075,2025-01,caf\xe9_visits,3\n".encode(
        "cp1252"), 3, "measure", "not UTF-8"),
    ("neither-format", to_csv(["name", "value"], [["a", 1]]), 1, None, "neither format"),
]  # fmt: skip
WHOLE_FILE = [
    ("empty", b"", "empty"),
    ("blank", b"\n\n  \n", "empty"),
    ("xlsx", b"PK\x03\x04" + b"\x00" * 200, "Excel workbook"),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "Excel workbook"),
    ("utf16", "lsoa_code,period,measure,count\n".encode("utf-16"), "UTF-16"),
]


@pytest.mark.parametrize(
    ("data", "row", "column", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CORPUS],
)
def test_malformed_file_is_rejected_with_row_and_column(con, data, row, column, words) -> None:
    error = rejected(con, data, model=LOCALITIES)
    hits = [p for p in error.details if words in p.message]
    assert hits, error.problems
    assert (hits[0].row, hits[0].column) == (row, column), hits[0]
    if row is not None:
        assert str(hits[0]).startswith(f"row {row}")


@pytest.mark.parametrize(("data", "words"), [pytest.param(*c[1:], id=c[0]) for c in WHOLE_FILE])
def test_unreadable_file_is_rejected(con, data, words) -> None:
    error = rejected(con, data)
    assert any(words in p for p in error.problems), error.problems


def test_oversized_file_is_rejected_with_the_limit(con, monkeypatch) -> None:
    monkeypatch.setattr(formats, "MAX_BYTES", 1024 * 1024)
    data = service(*[[T2, f"2025-{m:02d}", f"visits_{i}", 3] for i in range(1000) for m in (1, 2)])
    assert len(data) > 1024 * 1024 / 30
    big = data * 40
    error = rejected(con, big)
    assert "the limit is 1 MB" in error.problems[0] and "Split it" in error.problems[0]


def test_too_many_rows_is_rejected(con, monkeypatch) -> None:
    monkeypatch.setattr(formats, "MAX_ROWS", 3)
    error = rejected(con, service([T2, "2025-01", "visits", 3], [T3, "2025-01", "visits", 3]))
    assert "more than 3 rows" in error.problems[0]


def test_every_problem_is_reported_not_just_the_first(con) -> None:
    data = service([T2, "2025-13", "visits", "*"], ["E01999999", "2025-01", "visits", 3], GOOD)
    error = rejected(con, data)
    where = {(p.row, p.column) for p in error.details}
    assert {(4, "period"), (4, "count"), (5, "lsoa_code"), (6, "lsoa_code")} <= where


# ---------------------------------------------------------------- never a crash (hypothesis)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _outcome(con, data: bytes) -> None:
    """Upload arbitrary bytes: either stored, or rejected with located problems and nothing
    stored. Any other exception fails the test."""
    before = store(con)
    try:
        dataset_id = upload(con, data, model=LOCALITIES, replace=True)
    except DataFileError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        for problem in exc.details:
            if problem.row is not None and problem.row >= 2:
                assert problem.column or "not readable as CSV" in problem.message, problem
        assert_same_store(before, store(con))
    else:
        assert dataset_id in set(datasets.list_datasets(con, TRAFFORD).dataset_id)
        datasets.delete_dataset(con, dataset_id, user=USER)


@FUZZ
@given(hst.binary(max_size=400))
def test_arbitrary_bytes_never_crash(con, data: bytes) -> None:
    _outcome(con, data)


CELLS = hst.one_of(
    hst.sampled_from(
        [T1, T2, SPLIT_2011, WIGAN_LSOA, "2025-01", "2025-02", "2025", "2025-13", "0", "3",
         "120", "-1", "*", "<5", "", " ", "appointments_booked", "appointments_missed",
         "visits", "North", "I feel safe", "1e3", "4.0", '"', "\r", "\n", "ü", "=1+1",
         "<b>x</b>"]
    ),
    hst.text(max_size=12),
)  # fmt: skip
HEADERS = hst.sampled_from(
    [SERVICE_HEADER, SURVEY_HEADER, ["postcode", "period", "measure", "count"],
     ["practice_code", "period", "measure", "count"], ["lsoa_code", *SURVEY_HEADER[1:]],
     ["lsoa_code", "period", "measure"], ["Lsoa_Code ", " PERIOD", "measure", "count", "notes"]]
)  # fmt: skip


@FUZZ
@given(HEADERS, hst.lists(hst.lists(CELLS, min_size=0, max_size=6), max_size=8))
def test_arbitrary_csv_text_never_crashes(con, header, rows) -> None:
    _outcome(con, to_csv(header, rows))


# ---------------------------------------------------------------- accepted data


def test_service_events_become_a_rate_on_every_area_with_wilson_intervals(con) -> None:
    codes = trafford_lsoas(con)
    months = ["2025-01", "2025-02"]
    rows = service_rows(codes, months)  # synthetic
    dataset_id = upload(con, to_csv(SERVICE_HEADER, rows), "GP appointments")  # by USER (NHS)
    cat = con.execute(
        "SELECT * FROM indicator_catalogue WHERE domain = 'Your data'"
    ).df()  # through the app's view, as the sidebar reads it
    assert len(cat) == 1
    row = cat.iloc[0]
    assert row.indicator_id.startswith(disclosure.USER_PREFIX)
    assert row["name"] == "Appointments missed (% of booked) – GP appointments"
    assert (row.source, row.ci_method, row.aggregation) == ("Uploaded by NHS", "wilson", "ratio")
    assert (row.area_types, row.polarity, row.multiplier) == (
        "lsoa,neighbourhood,lad",
        "higher_is_worse",
        100.0,
    )
    assert row.coverage == "Trafford only (your data)"
    assert queries.periods(con, row.indicator_id) == months

    values = con.execute(
        "SELECT * FROM indicator_values WHERE indicator_id = ?", [row.indicator_id]
    ).df()
    model_ids = set(queries.models(con, TRAFFORD).model_id)
    assert set(values[values.area_type == "neighbourhood"].model_id) == model_ids
    assert set(values[values.area_type == "lsoa"].area_code) == set(codes)
    # The borough: summed counts, value and Wilson limits (never an average of rates).
    frame = pd.DataFrame(rows, columns=SERVICE_HEADER)
    for month in months:
        month_rows = frame[frame.period == month]
        missed = month_rows[month_rows.measure == "appointments_missed"]["count"].sum()
        booked = month_rows[month_rows.measure == "appointments_booked"]["count"].sum()
        lad = values[(values.area_type == "lad") & (values.period == month)].iloc[0]
        assert not lad.suppressed
        assert near(lad.numerator, missed) and near(lad.denominator, booked)  # perturbed
        assert lad.value == pytest.approx(lad.numerator / lad.denominator * 100)
        low, high = stats.wilson_ci(lad.numerator, lad.denominator, 0.998)  # published counts
        assert (lad.lower_ci998, lad.upper_ci998) == pytest.approx((low * 100, high * 100))
    assert str(values.period_start.min())[:10] == "2025-01-01"
    listed = datasets.list_datasets(con, TRAFFORD)
    assert listed.dataset_id.tolist() == [dataset_id]
    assert (listed.first_period.iloc[0], listed.last_period.iloc[0]) == ("2025-01", "2025-02")


def test_stored_values_hold_every_suppression_rule(con) -> None:
    codes = trafford_lsoas(con)
    rows = service_rows(codes, ["2025-01", "2025-02"], seed=11)  # synthetic
    dataset_id = upload(con, to_csv(SERVICE_HEADER, rows))
    values = stored_values(con, dataset_id)
    limit = 5
    truth = pd.DataFrame(rows, columns=SERVICE_HEADER).pivot_table(
        index=["lsoa_code", "period"], columns="measure", values="count"
    )
    membership = con.execute(
        "SELECT model_id, neighbourhood_code, lsoa21_code FROM neighbourhood_models "
        "WHERE lad_code = ?",
        [TRAFFORD],
    ).df()
    assert values.suppressed.any() and not values.suppressed.all()
    hidden = values[values.suppressed]
    assert hidden[list(disclosure.NULLED)].isna().all().all()
    for period, at in values.groupby("period"):
        t = truth.xs(period, level="period")
        members = {
            ("lsoa", code, None): [code] for code in t.index
        } | {
            ("neighbourhood", code, model): list(g.lsoa21_code)
            for (model, code), g in membership.groupby(["model_id", "neighbourhood_code"])
        } | {("lad", TRAFFORD, None): list(t.index)}  # fmt: skip
        keys = [
            (r.area_type, r.area_code, r.model_id if r.area_type == "neighbourhood" else None)
            for r in at.itertuples()
        ]
        counts = np.zeros((len(keys), 2))
        for i, key in enumerate(keys):
            missed = t.loc[members[key], "appointments_missed"].sum()
            booked = t.loc[members[key], "appointments_booked"].sum()
            counts[i] = (missed, booked - missed)
        shown = ~at.suppressed.to_numpy()
        # Published rows are never small, true or published, and within ±D of the truth.
        # (Secondary suppression is gone: no published count is exact, so no total or
        # combination of published rows gives a suppressed one back; see
        # tests/test_differencing.py.)
        assert (counts[shown] >= limit).all()
        published = at[shown]
        assert (published.numerator >= limit).all()
        assert (published.denominator - published.numerator >= limit).all()
        assert all(map(near, published.numerator, counts[shown, 0]))


def test_lsoa_2011_codes_are_converted_and_split_counts_shared(con) -> None:
    rows = [  # synthetic
        [SPLIT_2011, "2025", "appointments_booked", 1000],
        [SPLIT_2011, "2025", "appointments_missed", 100],
        [T1, "2025", "appointments_booked", 500],
        [T1, "2025", "appointments_missed", 20],
    ]
    dataset_id = upload(con, to_csv(SERVICE_HEADER, rows))
    values = stored_values(con, dataset_id)
    lsoas = values[values.area_type == "lsoa"].set_index("area_code")
    assert set(lsoas.index) == {*SPLIT_2021, T1}
    # 1000 booked shared out as whole events, each LSOA then perturbed on its own
    assert near(lsoas.loc[list(SPLIT_2021), "denominator"].sum(), 1000, cells=2)
    assert (lsoas.denominator == lsoas.denominator.round()).all()
    lad = values[values.area_type == "lad"].iloc[0]
    assert near(lad.numerator, 120) and near(lad.denominator, 1500)
    caveats = datasets.dataset_indicators(con, dataset_id).caveats
    assert caveats.str.contains("the file's LSOA 2011 codes converted").all()


def test_a_file_of_2021_codes_is_not_said_to_be_converted(con) -> None:
    rows = [[T1, "2025", "appointments_booked", 500], [T1, "2025", "appointments_missed", 20]]
    caveats = datasets.dataset_indicators(con, upload(con, to_csv(SERVICE_HEADER, rows))).caveats
    assert caveats.str.contains("LSOA 2021 codes, as uploaded.").all()
    assert not caveats.str.contains("2011").any()


def test_postcodes_and_practices_are_placed_in_lsoas(con) -> None:
    rows = [  # synthetic
        [pc, "2025-01", "appointments_booked", 100 + i] for i, pc in enumerate(TRAFFORD_POSTCODES)
    ] + [[pc.lower().replace(" ", ""), "2025-01", "appointments_missed", 10]
         for pc in TRAFFORD_POSTCODES]  # fmt: skip
    dataset_id = upload(con, to_csv(["postcode", "period", "measure", "count"], rows))
    lad = stored_values(con, dataset_id).query("area_type == 'lad'").iloc[0]
    assert near(lad.numerator, 40) and near(lad.denominator, 406)
    example = EXAMPLES / "example_real_online_consultations_trafford_practices.csv"
    practices = upload(con, example.read_bytes(), "Practices")  # real NHS England counts
    cat = datasets.dataset_indicators(con, practices)
    assert set(cat.area_types) == {"neighbourhood,lad"}
    assert cat.caveats.str.contains("attributed to neighbourhoods by their location").all()
    assert len(cat) == 1 and set(cat.unit) == {"count"}  # one measure, not a rate
    values = stored_values(con, practices)
    assert "lsoa" not in set(values.area_type)
    frame = pd.read_csv(example)
    submitted = frame.groupby("period")["count"].sum()
    lad = values[values.area_type == "lad"].groupby("period").numerator.first()
    assert set(lad.index) == set(submitted.index)
    assert all(near(lad[period], count) for period, count in submitted.items())
    rows = [  # synthetic: no public booked/missed counts by practice exist
        [TRAFFORD_PRACTICE, "2025-01", "appointments_booked", 900],
        [TRAFFORD_PRACTICE, "2025-01", "appointments_missed", 40],
        [TRAFFORD_PRACTICE, "2025-01", "appointments_attended", 830],
    ]
    rates = upload(con, to_csv(["practice_code", *SERVICE_HEADER[1:]], rows), "Rates")
    cat = datasets.dataset_indicators(con, rates)
    assert len(cat) == 2  # missed and attended, both over booked
    lad = stored_values(con, rates).query("area_type == 'lad'")
    assert len(set(lad.denominator)) == 1  # one booked count, perturbed once for both
    assert near(lad.denominator.iloc[0], 900)


def test_survey_by_neighbourhood_gives_that_model_and_the_borough(con) -> None:
    example = EXAMPLES / "example_real_census_no_car_trafford_localities.csv"  # Census 2021
    dataset_id = upload(con, example.read_bytes(), "No car", model=LOCALITIES,
                        polarity="higher_is_worse")  # fmt: skip
    cat = datasets.dataset_indicators(con, dataset_id)
    assert len(cat) == 1 and set(cat.area_types) == {"neighbourhood,lad"}
    assert set(cat.polarity) == {"higher_is_worse"}
    values = stored_values(con, dataset_id)
    assert set(values.area_type) == {"neighbourhood", "lad"}
    assert set(values.model_id.dropna()) == {LOCALITIES}
    frame = pd.read_csv(example)
    first = frame[frame.question == frame.question.iloc[0]]
    ind = cat[cat.name.str.startswith(frame.question.iloc[0])].indicator_id.iloc[0]
    lad = values[(values.area_type == "lad") & (values.indicator_id == ind)]
    got = lad.set_index("period").denominator
    expected = first.groupby("period").respondents.sum()
    assert set(got.index) == {str(k) for k in expected.index}
    assert all(near(got[str(k)], v) for k, v in expected.items())


def test_a_survey_by_lsoa_works_and_names_are_matched_loosely(con) -> None:
    rows = [[T1, "2024", "I feel safe", 50, 40], [T2, "2024", "I feel safe", 60, 30]]
    dataset_id = upload(con, to_csv(["lsoa_code", *SURVEY_HEADER[1:]], rows))  # synthetic
    assert set(stored_values(con, dataset_id).area_type) == {"lsoa", "neighbourhood", "lad"}
    names = [["  north ", "2024", "q", 40, 30], ["CENTRAL", "2024", "q", 40, 30]]  # synthetic
    other = upload(con, to_csv(SURVEY_HEADER, names), "Loose names", model=LOCALITIES)
    got = stored_values(con, other).query("area_type == 'neighbourhood'")
    assert set(got.area_name) == {"North", "Central"}


# ---------------------------------------------------------------- replace, delete, interrupt


def test_replace_and_delete(con) -> None:
    first = to_csv(SERVICE_HEADER, service_rows(trafford_lsoas(con)[:40], ["2025-01"]))
    second = to_csv(SERVICE_HEADER, service_rows(trafford_lsoas(con)[:40], ["2025-02"], seed=3))
    dataset_id = upload(con, first, "Clinic")
    indicator = datasets.dataset_indicators(con, dataset_id).indicator_id.iloc[0]
    error = rejected(con, second, name="Clinic")  # same name, no replace: refused
    assert "already exists" in error.problems[0]
    assert upload(con, second, "Clinic", replace=True) == dataset_id
    assert queries.periods(con, indicator) == ["2025-02"]  # same indicator id, new data
    assert len(datasets.list_datasets(con, TRAFFORD)) == 1
    datasets.delete_dataset(con, dataset_id, user=USER)
    for table in USER_TABLES:  # all gone but the installation's secret (a setting)
        left = con.execute(f"SELECT count(*) FROM usr.{table}").fetchall()[0][0]
        assert left == (table == "user_settings"), table
    assert queries.periods(con, indicator) == []


@pytest.mark.parametrize("replacing", [False, True])
def test_an_interrupted_upload_leaves_the_store_as_it_was(con, monkeypatch, replacing) -> None:
    data = to_csv(SERVICE_HEADER, service_rows(trafford_lsoas(con)[:30], ["2025-01"]))
    if replacing:
        upload(con, data, "Clinic")
    before = store(con)

    def fail(_con) -> None:
        raise KeyboardInterrupt("interrupted mid-transaction")

    monkeypatch.setattr(DuckDBStore, "_insert_values", fail)
    with pytest.raises(KeyboardInterrupt):
        upload(con, to_csv(SERVICE_HEADER, service_rows(trafford_lsoas(con), ["2025-03"])),
               "Clinic", replace=True)  # fmt: skip
    assert_same_store(before, store(con))


# ---------------------------------------------------------------- re-aggregation


def test_a_new_neighbourhood_model_gets_the_data_and_a_threshold_change_resuppresses(
    con, monkeypatch
) -> None:
    codes = trafford_lsoas(con)
    dataset_id = upload(con, to_csv(SERVICE_HEADER, service_rows(codes, ["2025-01"])))
    halves = to_csv(
        ["lsoa_code", "neighbourhood"],
        [[c, "East" if i % 2 else "West"] for i, c in enumerate(codes)],
    )
    model = models.validate_model(con, halves, TRAFFORD)
    model_id = models.save_model(con, model, "Two halves", user=USER)
    values = stored_values(con, dataset_id)
    mine = values[values.model_id == model_id]
    assert set(mine.area_name) == {"East", "West"}
    lad = values[values.area_type == "lad"].iloc[0]
    assert near(mine.numerator.sum(), lad.numerator, cells=3)  # each perturbed on its own
    before = values.suppressed.sum()
    monkeypatch.setenv(disclosure.ENV_VAR, "20")  # the configuration changes
    assert refresh.apply_policy(con) == 1
    after = stored_values(con, dataset_id)
    assert after.suppressed.sum() > before
    assert (after.loc[~after.suppressed, "numerator"] >= 20).all()
    models.delete_model(con, model_id, user=USER)
    assert model_id not in set(stored_values(con, dataset_id).model_id)


def test_a_survey_whose_model_is_deleted_keeps_its_rows_but_leaves_the_catalogue(con) -> None:
    codes = trafford_lsoas(con)
    halves = to_csv(
        ["lsoa_code", "neighbourhood"],
        [[c, "East" if i % 2 else "West"] for i, c in enumerate(codes)],
    )
    model = models.validate_model(con, halves, TRAFFORD)
    model_id = models.save_model(con, model, "Two halves", user=USER)
    rows = [["East", "2024", "q", 100, 60], ["West", "2024", "q", 80, 40]]  # synthetic
    dataset_id = upload(con, to_csv(SURVEY_HEADER, rows), model=model_id)
    assert len(datasets.dataset_indicators(con, dataset_id)) == 1
    models.delete_model(con, model_id, user=USER)
    assert datasets.dataset_indicators(con, dataset_id).empty  # no indicator without data
    assert stored_values(con, dataset_id).empty
    assert datasets.list_datasets(con, TRAFFORD).row_count.tolist() == [2]


def test_the_environment_sets_the_threshold_and_the_database_cannot(con, monkeypatch) -> None:
    monkeypatch.setenv(disclosure.ENV_VAR, "50")
    dataset_id = upload(con, to_csv(SERVICE_HEADER, service_rows(trafford_lsoas(con), ["2025"])))
    values = stored_values(con, dataset_id)
    assert (values.loc[~values.suppressed, "numerator"] >= 50).all()
    assert disclosure.threshold(con) == 50
    # the setting the Your data page used to store (and any visitor could lower) is ignored
    con.execute("INSERT OR REPLACE INTO usr.user_settings VALUES ('suppress_below', '1')")
    assert disclosure.threshold(con) == 50
    assert refresh.apply_policy(con) == 0


def test_a_rebuild_of_the_public_data_triggers_reaggregation(con) -> None:
    dataset_id = upload(con, to_csv(SERVICE_HEADER, service_rows(trafford_lsoas(con), ["2025"])))
    assert refresh.refresh_stale(con) == 0
    con.execute("UPDATE usr.user_datasets SET aggregated_state = 'old build'")
    before = stored_values(con, dataset_id)
    assert refresh.refresh_stale(con) == 1
    pd.testing.assert_frame_equal(before, stored_values(con, dataset_id))


# ---------------------------------------------------------------- injection


HOSTILE = [
    "<script>alert('x')</script>",
    "'); DROP TABLE usr.user_datasets; --",
    "![tracker](http://example.invalid/x.png) [click](javascript:alert(1))",
    '=HYPERLINK("http://example.invalid","x")',
    "$x^2$ | **bold** `code` {{ neighbourhood_models }}",
]


def test_names_questions_and_organisations_are_stored_as_harmless_text(con) -> None:
    codes = trafford_lsoas(con)
    hostile_model = to_csv(
        ["lsoa_code", "neighbourhood"],
        [[c, HOSTILE[i % len(HOSTILE)][:80]] for i, c in enumerate(codes)],
    )
    # The organisation comes from the identity provider's claims: hostile text there too.
    hostile_user = identity.User("x@example.invalid", HOSTILE[2], HOSTILE[0], "analyst")
    model_id = models.save_model(
        con, models.validate_model(con, hostile_model, TRAFFORD), HOSTILE[1], user=hostile_user
    )
    rows = [  # synthetic
        [name[:80], "2024", question, 100, 60] for name in HOSTILE for question in HOSTILE
    ]
    dataset_id = upload(con, to_csv(SURVEY_HEADER, rows), HOSTILE[1], model=model_id,
                        user=hostile_user)  # fmt: skip
    assert con.execute("SELECT count(*) FROM usr.user_datasets").fetchall()[0][0] == 1
    stored = con.execute(
        "SELECT DISTINCT measure FROM usr.user_dataset_rows WHERE dataset_id = ?", [dataset_id]
    ).fetchall()
    assert {r[0] for r in stored} == set(HOSTILE)  # the text itself, verbatim
    cat = datasets.dataset_indicators(con, dataset_id)
    text = " ".join(cat[["name", "definition", "caveats", "source", "publisher"]].stack())
    for dangerous in ("<", ">", "[", "]", "`", "$"):
        assert dangerous not in text
    assert not any(n.startswith(("=", "+", "-", "@")) for n in cat.name)
    values = datasets.dataset_values(con, dataset_id, model_id)
    assert len(values[values.area_type == "neighbourhood"]) == len(HOSTILE) ** 2
    download = display.for_download(values)
    cells = [v for v in download.to_numpy().ravel() if isinstance(v, str)]
    assert cells and not any(v[:1] in "=+-@" for v in cells if v)
    for text in HOSTILE:
        escaped = escape_markdown(text)
        assert "<" not in escaped.replace("\\<", "")
        assert "[" not in escaped.replace("\\[", "")


# ---------------------------------------------------------------- every export path


def test_suppression_holds_in_every_export_path(con, monkeypatch) -> None:
    rows = service_rows(trafford_lsoas(con), ["2025-01"], seed=5)  # synthetic
    dataset_id = upload(con, to_csv(SERVICE_HEADER, rows))
    indicator = datasets.dataset_indicators(con, dataset_id).indicator_id.iloc[0]
    limit = disclosure.threshold(con)

    def safe(frame: pd.DataFrame) -> None:
        mine = frame[frame.indicator_id == indicator] if "indicator_id" in frame else frame
        assert len(mine)
        numerator = mine["numerator"].astype(float)
        denominator = mine["denominator"].astype(float)
        shown = numerator.notna()
        assert (numerator[shown] >= limit).all()
        assert ((denominator - numerator)[shown] >= limit).all()
        assert mine.loc[~shown, "value"].isna().all()

    safe(queries.area_values(con, TRAFFORD, LOCALITIES, [indicator]))
    safe(queries.lsoa_values(con, TRAFFORD, indicator, LOCALITIES))
    published = queries.published_table(con, "indicator_values", TRAFFORD)
    safe(published)
    safe(datasets.dataset_values(con, dataset_id))
    safe(display.for_download(datasets.dataset_values(con, dataset_id)))
    # ui.download_csv, which every page's download button goes through.
    captured = {}
    monkeypatch.setattr(ui, "cursor", lambda: con)
    monkeypatch.setattr(
        ui.st,
        "download_button",
        lambda label, data, **kw: captured.update(label=label, data=data, **kw),
    )
    leaky = published.copy()  # a frame as a page might build it, before suppression
    raw = pd.DataFrame(rows, columns=SERVICE_HEADER)
    small = raw[(raw.measure == "appointments_missed") & (raw["count"] < limit)].iloc[0]
    mask = (leaky.indicator_id == indicator) & (leaky.area_code == small.lsoa_code)
    leaky.loc[mask, ["numerator", "value"]] = [float(small["count"]), 1.0]
    ui.download_csv(leaky, "x.csv")
    downloaded = pd.read_csv(io.BytesIO(captured["data"]()))  # made when pressed
    safe(downloaded)
    assert downloaded.loc[downloaded.indicator_id == indicator, "suppressed"].any()
    # The Data page's published table, labelled, audited and made only when pressed.
    monkeypatch.setattr(ui, "base_connection", lambda: con)
    ui._published_shape.clear()
    ui.published_download("indicator_values", TRAFFORD, "v.csv", "values")
    assert f"{len(published):,} rows, CSV" in captured["label"]
    assert captured["on_click"] is ui._log_download
    assert captured["args"] == ("v.csv", len(published), (indicator,))
    safe(pd.read_csv(io.BytesIO(captured["data"]())))


# ---------------------------------------------------------------- the page


@pytest.fixture
def app_env(real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    user_db = tmp_path / "user" / "user_data.duckdb"
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    monkeypatch.setattr(db, "USER_DB", user_db)
    monkeypatch.delenv(disclosure.ENV_VAR, raising=False)
    route_pages_through_the_router(monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield user_db
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/partner_data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at: AppTest, name: str, path: Path | None = None, data: bytes = b"") -> AppTest:
    next(box for box in at.text_input if box.label == "Dataset name").input(name)
    content = path.read_bytes() if path else data
    at.file_uploader[0].set_value(((path.name if path else "bad.csv"), content, "text/csv"))
    at.button(key="FormSubmitter:upload_data-Check and save").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.slow
def test_the_page_uploads_lists_and_the_indicator_shows_on_every_page(app_env) -> None:
    at = _page()
    assert any("your data" in t.value for t in at.title)
    example = EXAMPLES / "example_real_census_no_car_trafford_lsoa.csv"  # Census 2021
    at = _submit(at, "Households without a car", example)
    assert not at.error, [e.value for e in at.error]
    assert any("Saved Households without a car" in s.value for s in at.success)
    table = at.dataframe[-1].value  # the chosen dataset's values, after suppression
    assert {"Borough", "Neighbourhood"} == set(table.area_type)
    assert table.loc[table.suppressed, "value"].isna().all()
    con = db.cursor(ui.base_connection())  # the app's own connection (one per process)
    listed = datasets.list_datasets(con, TRAFFORD)
    indicator = datasets.dataset_indicators(con, listed.dataset_id.iloc[0]).indicator_id
    for page in ("briefing", "trends", "compare", "map", "inequality", "neighbourhoods",
                 "partner_data", "data_sources"):  # fmt: skip
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params["ind"] = indicator.iloc[0]
        at.run()
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.session_state["ind"] == indicator.iloc[0], page


@pytest.mark.slow
def test_the_page_shows_every_problem_of_a_rejected_file(app_env) -> None:
    at = _page()
    at = _submit(at, "Broken", data=service([T2, "2025-13", "visits", "*"]))
    assert any("nothing was stored" in e.value for e in at.error)
    problems = at.dataframe[-1].value
    assert {(4, "period"), (4, "count")} <= set(zip(problems.Row, problems.Column, strict=True))


@pytest.mark.slow
def test_the_page_replaces_and_deletes_a_dataset(app_env) -> None:
    at = _page()
    survey_file = EXAMPLES / "example_real_census_no_car_trafford_localities.csv"
    at = _submit(at, "Survey <b>2024</b>", survey_file)
    assert any("Saved Survey \\<b\\>2024\\</b\\>" in s.value for s in at.success)
    at.file_uploader(key="replace_file").set_value(
        ("again.csv", b"".join(survey_file.read_bytes().splitlines(True)[:3]), "text/csv")
    )
    at.button(key="FormSubmitter:replace_data-Check and replace").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Replaced" in s.value for s in at.success)
    next(c for c in at.checkbox if (c.key or "").startswith("data_delete_sure:")).check()
    at.run()
    at.button(key="data_delete").click()
    at.run()
    assert not at.exception
    assert any("Nothing uploaded" in i.value for i in at.info)


# ---------------------------------------------------------------- smaller findings


@pytest.mark.parametrize(
    ("cell", "column"),
    [("٢٠٢٥-٠١", "period"), ("２０２５-01", "period"), ("2025-٠١", "period"), ("۲۰۲۵", "period"),
     ("١٢", "count"), ("１２", "count"), ("²", "count")],
)  # fmt: skip
def test_digits_other_than_ascii_are_refused_with_row_and_column(con, cell, column) -> None:
    """'٢٠٢٥-٠١' was read as a second copy of 2025-01; now every period and count is 0-9."""
    row = [T2, "2025-01", "appointments_booked", 5]
    row[1 if column == "period" else 3] = cell
    error = rejected(con, service(row))
    (problem,) = error.details
    assert (problem.row, problem.column) == (4, column)
    assert "digits other than 0-9" in problem.message


@pytest.mark.parametrize(
    ("cell", "words"),
    [("9" * 5_000, "too large"), ("1" + "0" * 12 + "1", "too large"), ("9" * 4_301 + ".0",
     "too large"), ("-" + "9" * 5_000, "negative")],
)  # fmt: skip
def test_counts_with_thousands_of_digits_are_refused_not_a_crash(con, cell, words) -> None:
    error = rejected(con, service([T2, "2025-01", "appointments_booked", cell]))
    (problem,) = error.details
    assert (problem.row, problem.column) == (4, "count") and words in problem.message


def test_leading_zeros_do_not_make_a_count_large(con) -> None:
    dataset = datasets.validate_dataset(
        con, service([T2, "2025-01", "visits", "0" * 5_000 + "7"]), TRAFFORD
    )
    assert dataset.rows["count"].tolist() == [120, 6, 7]


def test_control_characters_are_removed_from_names_and_questions(con) -> None:
    data = survey(["North\x1b", "2024", "I feel \u202esafe\x00?", 30, 20])
    dataset_id = upload(con, data.replace(b"\x00", b""), "Data\x1b[2J \u202eset\x07",
                        model=LOCALITIES)  # fmt: skip
    (name,) = con.execute(
        "SELECT dataset_name FROM usr.user_datasets WHERE dataset_id = ?", [dataset_id]
    ).fetchall()[0]
    assert name == "Data [2J set"
    rows = con.execute(
        "SELECT DISTINCT area_code, measure FROM usr.user_dataset_rows WHERE dataset_id = ?",
        [dataset_id],
    ).fetchall()
    assert {m for _, m in rows} == {"I feel safe", "I feel safe?"}
    assert {a for a, _ in rows} == {"north"}  # 'North\x1b' is the model's North (as stored)


def test_datasets_whose_names_slug_alike_are_kept_apart(con) -> None:
    first = upload(con, service(), "北区 referrals")
    second = upload(con, service(), "南区 referrals")  # not 'already exists', not replaced
    third = upload(con, service(), "Referrals & visits")
    fourth = upload(con, service(), "referrals-visits")
    assert len({first, second, third, fourth}) == 4
    listed = datasets.list_datasets(con, TRAFFORD).set_index("dataset_id").dataset_name
    assert listed.to_dict() == {
        first: "北区 referrals", second: "南区 referrals", third: "Referrals & visits",
        fourth: "referrals-visits",
    }  # fmt: skip
    error = rejected(con, service(), name="南区 Referrals")  # the same name: replace it?
    assert "already exists" in error.problems[0]
    assert upload(con, service(), "南区 Referrals", replace=True) == second


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


@pytest.mark.parametrize(
    ("make", "words"),
    [(_gzip, "gzip-compressed"),
     (lambda b: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b, "PNG image"),
     (lambda b: b + b"\x00\x01\x02\x03", "binary data (NUL bytes)"),
     (lambda b: b.decode().encode("utf-16-le"), "UTF-16 text")],
    ids=["gzip", "png", "nul", "utf16-without-bom"],
)  # fmt: skip
def test_binary_and_compressed_files_are_named(con, make, words) -> None:
    error = rejected(con, make(service()))
    assert words in error.problems[0], error.problems
    if words != "UTF-16 text":
        assert "UTF-16" not in error.problems[0]
