"""A council's own neighbourhood model, uploaded as CSV, against the full real build.

The public database is the session's `real_db` (read-only); the user database is a fresh file in
a temporary folder, emptied before each test. Files are made from real LSOA codes: Trafford's
published localities, real LSOA 2011 codes from the ONS lookup, and Wigan's real wards.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes import db, identity, queries
from outcomes.uploads import models, refresh
from outcomes.uploads.problems import ModelFileError

PROJECT_DIR = Path(__file__).resolve().parents[1]
LOCALITIES_CSV = (
    PROJECT_DIR / "data/raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv"
)
LOOKUP_CSV = PROJECT_DIR / "data/raw/geography/lookups/lsoa11_lsoa21_lad22_ew.csv.gz"
TRAFFORD, WIGAN = "E08000009", "E08000010"
SHIPPED = "E08000009_localities2023"
USER_TABLES = ("user_models", "user_neighbourhood_models", "user_indicator_values")
# Who uploads in these tests: a council analyst.
USER = identity.User("analyst@trafford.example", "Test analyst", "Trafford Council", "analyst")
# The log only ever grows (tests/test_ownership_audit.py): "the store as it was" leaves it out.
AUDIT_TABLE = "user_audit_log"
# Trafford's one split LSOA (chgind S in the ONS 2011 -> 2021 lookup): Trafford 001E became
# Trafford 001G and 001H.
SPLIT_2011 = "E01006185"
SPLIT_2021 = ("E01034000", "E01034001")
VALUE_COLUMNS = [
    "area_name", "indicator_id", "period", "period_start", "lad_code", "value", "numerator",
    "denominator", "lower_ci95", "upper_ci95", "lower_ci998", "upper_ci998",
]  # fmt: skip


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def con(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    base = db.open_database(real_db, tmp_path_factory.mktemp("models_user") / "user.duckdb")
    yield db.cursor(base)
    base.close()


@pytest.fixture(autouse=True)
def empty_store(request: pytest.FixtureRequest) -> None:
    """Each test starts with an empty user store (tests without `con` skip this)."""
    if "con" in request.fixturenames:
        _empty(request.getfixturevalue("con"))


def _user_tables(con) -> list[str]:
    """Every table of the user database (models, and whatever else the app keeps there)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'usr' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def _empty(con) -> None:
    for table in _user_tables(con):
        con.execute(f"DELETE FROM usr.{table}")


@pytest.fixture(scope="module")
def localities() -> pd.DataFrame:
    """Trafford's published localities: LSOA 2021 -> locality (2023 wards)."""
    return pd.read_csv(LOCALITIES_CSV, dtype=str)


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    """The ONS LSOA 2011 -> 2021 lookup, Trafford rows."""
    frame = pd.read_csv(LOOKUP_CSV, dtype=str)
    return frame[frame.lad22cd == TRAFFORD]


@pytest.fixture(scope="module")
def wigan_wards(con) -> pd.DataFrame:
    return con.execute(
        "SELECT lsoa21_code, ward_code, ward_name FROM lsoa_geography "
        "WHERE lad_code = ? ORDER BY ward_code, lsoa21_code",
        [WIGAN],
    ).df()


def model_csv(rows, header=("lsoa_code", "neighbourhood")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def localities_csv(localities: pd.DataFrame) -> bytes:
    """The real file with its two columns renamed to the upload format; other columns stay
    (the upload ignores them)."""
    frame = localities.rename(columns={"lsoa21cd": "lsoa_code", "locality_2023": "neighbourhood"})
    return frame.to_csv(index=False).encode("utf-8")


def upload(con, data: bytes, lad_code: str, name: str, source_file: str = "model.csv") -> str:
    """What the Neighbourhoods page does: validate, then save."""
    model = models.validate_model(con, data, lad_code)
    return models.save_model(con, model, name, source_file, user=USER)


def snapshot(con) -> dict[str, list[tuple]]:
    """Every row of every user table (uploaded_at included), in a stable order."""
    tables = [t for t in _user_tables(con) if t != AUDIT_TABLE]
    assert set(USER_TABLES) <= set(tables)
    return {
        table: sorted(
            con.execute(f"SELECT * FROM usr.{table}").fetchall(),
            key=lambda row: tuple(str(v) for v in row),
        )
        for table in tables
    }


def model_values(con, model_id: str) -> pd.DataFrame:
    return (
        con.execute(
            f"SELECT {', '.join(VALUE_COLUMNS)} FROM indicator_values WHERE model_id = ?",
            [model_id],
        )
        .df()
        .sort_values(["area_name", "indicator_id", "period"])
        .reset_index(drop=True)
    )


def assert_same_values(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Equal row for row: keys and LSOA counts exactly; other numbers to rel 1e-12, because
    sums of doubles (population-weighted scores, apportioned counts) may differ in the last
    bit: DuckDB sums in parallel, so the order of addition varies from run to run."""
    assert len(ours) == len(theirs) > 0
    exact = ["area_name", "indicator_id", "period", "period_start", "lad_code"]
    pd.testing.assert_frame_equal(ours[exact], theirs[exact])
    numbers = ["value", "numerator", "denominator", *VALUE_COLUMNS[-4:]]
    for column in numbers:
        pd.testing.assert_series_equal(ours[column], theirs[column], rtol=1e-12, atol=0)
    counts = ours.indicator_id.str.startswith("imd_lsoas_")
    assert counts.any()
    for column in ["numerator", "denominator"]:
        pd.testing.assert_series_equal(
            ours.loc[counts, column], theirs.loc[counts, column], check_exact=True
        )
    # and identical to the two decimals the pages show
    pd.testing.assert_series_equal(ours.value.round(2), theirs.value.round(2), check_exact=True)


# ---------------------------------------------------------------- real models


def test_trafford_localities_upload_reproduces_the_shipped_model(con, localities) -> None:
    model = models.validate_model(con, localities_csv(localities), TRAFFORD)
    assert len(model.assignments) == 139
    assert model.unassigned == []
    assert model.notes == []
    model_id = models.save_model(con, model, "Trafford localities (my copy)", "loc.csv", user=USER)
    assert model_id == "E08000009_user_trafford-localities-my-copy"

    ours = queries.model_membership(con, model_id)[["lsoa21_code", "neighbourhood_name"]]
    theirs = queries.model_membership(con, SHIPPED)[["lsoa21_code", "neighbourhood_name"]]
    pd.testing.assert_frame_equal(ours, theirs)
    assert_same_values(model_values(con, model_id), model_values(con, SHIPPED))

    listed = queries.models(con, TRAFFORD).set_index("model_id")
    assert listed.loc[model_id, "source"] == "uploaded"
    assert listed.loc[model_id, "neighbourhoods"] == 4
    assert listed.index[-1] == model_id  # uploaded models are listed after the shipped ones


def test_lsoa_2011_codes_are_converted_including_a_split_lsoa(con, localities, lookup) -> None:
    split = lookup[lookup.lsoa11cd == SPLIT_2011]
    assert split.chgind.tolist() == ["S", "S"]
    assert sorted(split.lsoa21cd) == list(SPLIT_2021)
    locality = dict(zip(localities.lsoa21cd, localities.locality_2023, strict=True))
    # every Trafford LSOA given by its 2011 code (each 2011 LSOA once)
    rows = (
        lookup.assign(neighbourhood=lookup.lsoa21cd.map(locality))
        .drop_duplicates("lsoa11cd")[["lsoa11cd", "neighbourhood"]]
        .itertuples(index=False)
    )
    model = models.validate_model(con, model_csv(rows), TRAFFORD)
    assert len(model.assignments) == 139 and model.unassigned == []
    for code in SPLIT_2021:
        assert model.assignments[code] == locality[SPLIT_2021[0]]
    assert model.notes == ["1 LSOA 2011 code(s) were converted to 2021 codes"]
    model_id = models.save_model(con, model, "From 2011 codes", user=USER)
    assert_same_values(model_values(con, model_id), model_values(con, SHIPPED))


def test_a_split_lsoa_and_its_2021_part_in_two_neighbourhoods_is_rejected(con) -> None:
    data = model_csv([(SPLIT_2021[0], "South"), (SPLIT_2011, "North")])
    with pytest.raises(ModelFileError) as caught:
        models.validate_model(con, data, TRAFFORD)
    (problem,) = caught.value.problems
    assert problem.startswith("line 3, column lsoa_code: E01006185")
    assert "through the 2011->2021 lookup" in problem
    assert "'South' on line 2" in problem


def test_unassigned_lsoas_are_reported_and_shown_as_unassigned(con, localities) -> None:
    left_out = sorted(localities.lsoa21cd)[:10]
    kept = localities[~localities.lsoa21cd.isin(left_out)]
    model = models.validate_model(con, localities_csv(kept), TRAFFORD)
    assert model.unassigned == left_out
    assert model.notes == [
        "10 of the borough's 139 LSOAs are not in the file; they are shown as 'Unassigned'"
    ]
    model_id = models.save_model(con, model, "Partial", user=USER)
    hoods = queries.neighbourhoods(con, model_id)
    assert dict(zip(hoods.neighbourhood_name, hoods.lsoas, strict=True))["Unassigned"] == 10
    assert hoods.lsoas.sum() == 139
    lsoa = queries.lsoa_values(con, TRAFFORD, "imd_decile", model_id)
    assert set(lsoa[lsoa.neighbourhood_name == "Unassigned"].lsoa21_code) == set(left_out)
    values = model_values(con, model_id)
    unassigned = values[
        (values.area_name == "Unassigned")
        & (values.indicator_id == "imd_lsoas_most_deprived_10_pct")
    ]
    assert (unassigned.denominator == 10).all() and len(unassigned) == 4


def test_a_file_that_names_a_neighbourhood_unassigned_is_merged_with_a_note(con) -> None:
    codes = _trafford_codes(con)
    model = models.validate_model(con, model_csv([(codes[0], "Unassigned")]), TRAFFORD)
    assert any("uses the name 'Unassigned'" in note for note in model.notes)
    model_id = models.save_model(con, model, "Nothing assigned", user=USER)
    hoods = queries.neighbourhoods(con, model_id)
    assert hoods[["neighbourhood_name", "lsoas"]].values.tolist() == [["Unassigned", 139]]


def test_names_that_slug_alike_stay_separate_neighbourhoods(con) -> None:
    """'North' and 'north' (and '!!' and '??') are different names in the file: they must not
    be summed together under one neighbourhood code."""
    codes = _trafford_codes(con)
    names = ["North", "north", "!!", "??"]
    rows = [(code, names[i % 4]) for i, code in enumerate(codes)]
    model_id = upload(con, model_csv(rows), TRAFFORD, "Lookalikes")
    hoods = queries.neighbourhoods(con, model_id)
    assert sorted(hoods.neighbourhood_name) == sorted(names)
    assert hoods.neighbourhood_code.is_unique
    population = model_values(con, model_id).query(
        "indicator_id == 'imd_lsoas_most_deprived_10_pct'"
    )
    assert sorted(population.area_name.unique()) == sorted(names)
    assert population.groupby("period").denominator.sum().eq(139).all()


def _trafford_codes(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT lsoa21_code FROM lsoa_geography WHERE lad_code = ? ORDER BY 1",
            [TRAFFORD],
        ).fetchall()
    ]


def _ward_groups(wards: pd.DataFrame, n: int, label: str) -> list[tuple[str, str]]:
    """Synthetic neighbourhoods for tests: Wigan's real wards (2024, best fit) in `n` groups of
    consecutive ward codes. Wigan's own neighbourhood definitions are not available; these
    group real LSOAs the way such definitions do (whole wards)."""
    ward_codes = sorted(wards.ward_code.unique())
    group_of = {
        ward: f"{label} {i + 1}"
        for i, chunk in enumerate(np.array_split(np.array(ward_codes), n))
        for ward in chunk
    }
    return [(r.lsoa21_code, group_of[r.ward_code]) for r in wards.itertuples(index=False)]


def test_wigan_two_user_models_side_by_side(con, wigan_wards) -> None:
    n_lsoas = len(wigan_wards)
    seven = upload(con, model_csv(_ward_groups(wigan_wards, 7, "Area")), WIGAN, "Wigan 7")
    fourteen = upload(
        con, model_csv(_ward_groups(wigan_wards, 14, "Neighbourhood")), WIGAN, "Wigan 14"
    )
    listed = queries.models(con, WIGAN).set_index("model_id")
    assert listed.loc[seven, "neighbourhoods"] == 7
    assert listed.loc[fourteen, "neighbourhoods"] == 14
    assert (listed.loc[[seven, fourteen], "lsoas"] == n_lsoas).all()
    assert {"E08000010_msoa21", "E08000010_wards24"} <= set(listed.index)
    assert listed.source.tolist()[-2:] == ["uploaded", "uploaded"]
    assert seven not in set(queries.models(con, TRAFFORD).model_id)

    # all three partition the same LSOAs: counts sum to the same totals in every model
    def totals(model_id: str) -> pd.DataFrame:
        values = model_values(con, model_id)
        counts = values[values.indicator_id == "imd_lsoas_most_deprived_10_pct"]
        return counts.groupby("period")[["numerator", "denominator"]].sum()

    wards = totals("E08000010_wards24")
    assert (wards.denominator == n_lsoas).all()
    pd.testing.assert_frame_equal(totals(seven), wards)
    pd.testing.assert_frame_equal(totals(fourteen), wards)

    models.delete_model(con, seven, user=USER)
    remaining = set(queries.models(con, WIGAN).model_id)
    assert fourteen in remaining and seven not in remaining
    assert len(queries.neighbourhoods(con, fourteen)) == 14


def test_html_and_sql_in_names_are_stored_as_plain_text(con) -> None:
    codes = _trafford_codes(con)
    hostile = ["<script>alert(1)</script>", "x'); DROP TABLE usr.user_models; --"]
    rows = [(code, hostile[i % 2]) for i, code in enumerate(codes)]
    model_name = "Robert'); DROP TABLE usr.user_neighbourhood_models; --"
    model_id = upload(con, model_csv(rows), TRAFFORD, model_name, "<b>file</b>.csv")
    assert re.fullmatch(r"E08000009_user_[a-z0-9-]+", model_id)
    hoods = queries.neighbourhoods(con, model_id)
    assert sorted(hoods.neighbourhood_name) == sorted(hostile)
    assert hoods.neighbourhood_code.str.fullmatch(r"E08000009_user_[a-z0-9-]+:[a-z0-9-]+").all()
    stored = con.execute(
        "SELECT model_name, source_file FROM usr.user_models WHERE model_id = ?", [model_id]
    ).fetchall()
    assert stored == [(model_name, "<b>file</b>.csv")]
    for table in USER_TABLES:  # nothing was dropped
        assert con.execute(f"SELECT count(*) FROM usr.{table}").fetchall()[0][0] > 0
    assert set(model_values(con, model_id).area_name) == set(hostile)


# ---------------------------------------------------------------- rejected files

TRAFFORD_LSOA = "E01006074"  # Trafford 025A
WIGAN_LSOA = "E01006219"  # a Wigan LSOA (checked against the build below)
HEADER = b"lsoa_code,neighbourhood\n"


def _xlsx_bytes() -> bytes:
    """A (minimal) Excel workbook: a zip file, as every .xlsx is."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


# (id, file bytes, fragments every one of which some problem must contain, needs line+column)
BAD_FILES = [
    (
        "unknown-code",
        HEADER + b"E01006074,North\nE01999999,North\n",
        ["line 3, column lsoa_code: E01999999 is not an LSOA 2011 or 2021 code"],
    ),
    (
        "lsoa-in-another-borough",
        HEADER + f"{WIGAN_LSOA},North\n".encode(),
        [f"line 2, column lsoa_code: {WIGAN_LSOA} is in Wigan, not in this borough"],
    ),
    (
        "lsoa-in-two-neighbourhoods",
        HEADER + b"E01006074,North\nE01006075,North\nE01006074,South\n",
        ["line 4, column lsoa_code: E01006074 is already in 'North' on line 2"],
    ),
    ("empty-name", HEADER + b"E01006074,  \n", ["line 2, column neighbourhood: empty name"]),
    ("empty-code", HEADER + b",North\n", ["line 2, column lsoa_code: empty"]),
    (
        "malformed-code",
        HEADER + b"E1006074,North\n",
        ["line 2, column lsoa_code: 'E1006074' is not an English LSOA code"],
    ),
    (
        "welsh-code",
        HEADER + b"W01000001,North\n",
        ["line 2, column lsoa_code: 'W01000001' is not an English LSOA code"],
    ),
    (
        "name-too-long",
        HEADER + b"E01006074," + b"n" * 81 + b"\n",
        ["line 2, column neighbourhood: name longer than 80 characters"],
    ),
    (
        "missing-column",
        b"lsoa_code,name\nE01006074,North\n",
        ["line 1 (header): column 'neighbourhood' is missing; found lsoa_code, name"],
    ),
    ("empty-file", b"", ["line 1: the file is empty"]),
    ("blank-lines-only", b"\n\n\n", ["line 1: the file is empty"]),
    ("header-only", HEADER, ["the file has a header but no rows"]),
    ("header-and-blank-rows", HEADER + b",\n\n , \n", ["the file has a header but no rows"]),
    ("excel-xlsx", _xlsx_bytes(), ["this is an Excel workbook, not a CSV file"]),
    ("excel-xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, ["Excel workbook"]),
    (
        "cp1252-not-utf8",
        HEADER + "E01006074,Café\n".encode("cp1252"),
        ["line 2: the file is not UTF-8 text (byte 0xe9)"],
    ),
    (
        "oversize",
        HEADER + b"E01006074,North\n" * (models.MAX_BYTES // 16 + 1),
        ["the file is 5.2 MB; the limit is 5 MB"],
    ),
    ("ragged-row", HEADER + b"E01006074,North\nE01006075\n", ["line 3: expected 2 columns"]),
    (
        "field-over-csv-limit",
        HEADER + b"E01006074,North\nE01006075," + b"x" * 200_000 + b"\n",
        ["line 3: not readable as CSV"],
    ),
    (
        "several-problems-in-line-order",
        HEADER + b",North\nE01006074,\nbad,North\n",
        [
            "line 2, column lsoa_code: empty",
            "line 3, column neighbourhood: empty name",
            "line 4, column lsoa_code: 'bad'",
        ],
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_rejected_file_names_its_problems_and_changes_nothing(con, localities, data, expected):
    upload(con, localities_csv(localities), TRAFFORD, "Existing model")
    before = snapshot(con)
    with pytest.raises(ModelFileError) as caught:
        upload(con, data, TRAFFORD, "Rejected model")
    problems = caught.value.problems
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)
    for problem in problems:
        located = re.match(r"line (\d+)", problem)
        if "column" in problem or located:
            assert located, problem
    lines = [int(m.group(1)) for p in problems if (m := re.match(r"line (\d+)", p))]
    assert lines == sorted(lines)
    assert str(caught.value)  # a readable summary for logs
    assert snapshot(con) == before


def test_the_wigan_lsoa_used_above_is_in_wigan(con) -> None:
    assert con.execute(
        "SELECT lad_name FROM lsoa_geography WHERE lsoa21_code = ?", [WIGAN_LSOA]
    ).fetchall() == [("Wigan",)]


def test_a_model_needs_a_name(con, localities) -> None:
    model = models.validate_model(con, localities_csv(localities), TRAFFORD)
    before = snapshot(con)
    with pytest.raises(ModelFileError, match="needs a name"):
        models.save_model(con, model, "  \t ", user=USER)
    assert snapshot(con) == before


def test_utf8_bom_windows_line_ends_and_header_case_are_accepted(con) -> None:
    data = "\ufeffLSOA_Code , Neighbourhood\r\ne01006074 ,  Old   Trafford \r\n".encode()
    model = models.validate_model(con, data, TRAFFORD)
    assert model.assignments == {"E01006074": "Old Trafford"}


# ---------------------------------------------------------------- replace, delete, interrupt


def test_same_name_replaces_the_model(con, localities) -> None:
    first = upload(con, localities_csv(localities), TRAFFORD, "My model")
    codes = _trafford_codes(con)
    halves = [(code, "East" if i < 70 else "West") for i, code in enumerate(codes)]
    second = upload(con, model_csv(halves), TRAFFORD, "  my   MODEL ")
    assert second == first
    assert con.execute("SELECT count(*) FROM usr.user_models").fetchall() == [(1,)]
    hoods = queries.neighbourhoods(con, first)
    assert dict(zip(hoods.neighbourhood_name, hoods.lsoas, strict=True)) == {"East": 70, "West": 69}
    assert set(model_values(con, first).area_name) == {"East", "West"}
    rows = con.execute(
        "SELECT count(*) FROM usr.user_indicator_values WHERE model_id = ?", [first]
    ).fetchall()[0][0]
    assert rows == len(model_values(con, first))


def test_delete_removes_the_model_and_only_it(con, localities, wigan_wards) -> None:
    trafford = upload(con, localities_csv(localities), TRAFFORD, "Gone soon")
    wigan = upload(con, model_csv(_ward_groups(wigan_wards, 7, "Area")), WIGAN, "Stays")
    models.delete_model(con, trafford, user=USER)
    for table in USER_TABLES:
        assert con.execute(
            f"SELECT count(*) FROM usr.{table} WHERE model_id = ?", [trafford]
        ).fetchall() == [(0,)]
    assert trafford not in set(queries.models(con, TRAFFORD).model_id)
    assert len(queries.neighbourhoods(con, wigan)) == 7
    before = snapshot(con)
    models.delete_model(con, "no-such-model", user=USER)
    models.delete_model(con, SHIPPED, user=USER)  # shipped models live in the read-only database
    assert snapshot(con) == before
    assert SHIPPED in set(queries.models(con, TRAFFORD).model_id)


class _FailingInsert:
    """The connection, except that inserting indicator values fails part-way through a save
    (after the deletes and the other inserts of the same transaction have run)."""

    def __init__(self, con, error: BaseException):
        self._con, self._error = con, error

    def execute(self, sql: str, *args):
        if sql.startswith("INSERT INTO usr.user_indicator_values"):
            raise self._error
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
@pytest.mark.parametrize("name", ["Existing model", "A new model"])
def test_an_interrupted_save_leaves_the_store_as_it_was(con, localities, error, name) -> None:
    upload(con, localities_csv(localities), TRAFFORD, "Existing model")
    before = snapshot(con)
    codes = _trafford_codes(con)
    model = models.validate_model(con, model_csv([(c, "One") for c in codes]), TRAFFORD)
    with pytest.raises(type(error)):
        models.save_model(_FailingInsert(con, error), model, name, user=USER)
    assert snapshot(con) == before
    # the connection is usable afterwards (transaction closed, temporary view dropped)
    model_id = models.save_model(con, model, name, user=USER)
    assert queries.neighbourhoods(con, model_id).neighbourhood_name.tolist() == ["One"]


def test_refresh_stale_models_reaggregates(con, localities) -> None:
    model_id = upload(con, localities_csv(localities), TRAFFORD, "Refresh me")
    fresh = model_values(con, model_id)
    build = queries.build_info(con)["built_at"]
    assert refresh.refresh_stale_models(con) == 0
    # as if saved against an older public build, whose values were different
    con.execute(
        "UPDATE usr.user_models SET aggregated_for_build = 'old' WHERE model_id = ?", [model_id]
    )
    con.execute("UPDATE usr.user_indicator_values SET value = -1 WHERE model_id = ?", [model_id])
    con.execute(
        "DELETE FROM usr.user_indicator_values WHERE model_id = ? AND indicator_id = 'population'",
        [model_id],
    )
    assert refresh.refresh_stale_models(con) == 1
    assert_same_values(model_values(con, model_id), fresh)
    assert con.execute(
        "SELECT aggregated_for_build FROM usr.user_models WHERE model_id = ?", [model_id]
    ).fetchall() == [(build,)]
    assert refresh.refresh_stale_models(con) == 0


def test_an_interrupted_refresh_keeps_the_old_values(con, localities) -> None:
    model_id = upload(con, localities_csv(localities), TRAFFORD, "Stale")
    con.execute(
        "UPDATE usr.user_models SET aggregated_for_build = 'old' WHERE model_id = ?", [model_id]
    )
    before = snapshot(con)
    with pytest.raises(RuntimeError):
        refresh.refresh_stale_models(_FailingInsert(con, RuntimeError("boom")))
    assert snapshot(con) == before
    assert refresh.refresh_stale_models(con) == 1


# ---------------------------------------------------------------- property-based

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run
    # the module's store is emptied once per test; each example compares its own snapshots
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_are_rejected_cleanly_and_store_nothing(con, data: bytes) -> None:
    before = snapshot(con)
    try:
        models.validate_model(con, data, TRAFFORD)
    except ModelFileError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
    assert snapshot(con) == before


# Codes: real Trafford 2021 and 2011 codes, another borough's, unknown, malformed, blank.
CODES = st.sampled_from(
    [
        "E01006074", "E01006075", "e01006076", " E01006077 ", SPLIT_2011, SPLIT_2021[0],
        WIGAN_LSOA, "E01999999", "E0100607", "W01000001", "", "lsoa_code", "E01006074;North",
    ]
)  # fmt: skip
NAMES = st.one_of(
    st.sampled_from(["North", "north", "Unassigned", "", "  ", "<b>x</b>", "a,b", 'q"q']),
    st.text(max_size=90),
)
ROWS = st.lists(
    st.one_of(
        st.tuples(CODES, NAMES),
        st.lists(st.one_of(CODES, NAMES), max_size=4).map(tuple),  # ragged rows
    ),
    max_size=30,
)
HEADERS = st.sampled_from(
    [
        ("lsoa_code", "neighbourhood"),
        ("neighbourhood", "lsoa_code"),
        ("LSOA_CODE", "Neighbourhood", "notes"),
        ("lsoa_code",),
        ("code", "name"),
        None,
    ]
)


@PROPERTY_SETTINGS
@given(header=HEADERS, rows=ROWS, line_end=st.sampled_from(["\n", "\r\n"]))
def test_arbitrary_csv_text_validates_or_is_rejected_and_stores_nothing(
    con, header, rows, line_end
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    before = snapshot(con)
    try:
        model = models.validate_model(con, out.getvalue().encode("utf-8"), TRAFFORD)
    except ModelFileError as exc:
        assert exc.problems
    else:
        borough = set(_trafford_codes(con))
        assert set(model.assignments) | set(model.unassigned) == borough
        assert not set(model.assignments) & set(model.unassigned)
        assert all(name and len(name) <= models.MAX_NAME_LENGTH for name in
                   model.assignments.values())  # fmt: skip
    assert snapshot(con) == before


@settings(PROPERTY_SETTINGS, max_examples=15)
@given(names=st.lists(st.text(min_size=1, max_size=85), min_size=1, max_size=6))
def test_any_valid_model_saves_and_deletes_cleanly(con, names) -> None:
    """Whatever names a valid file uses, saving keeps one neighbourhood per distinct name and
    deleting restores the store."""
    codes = _trafford_codes(con)[:12]
    rows = [(code, names[i % len(names)]) for i, code in enumerate(codes)]
    try:
        model = models.validate_model(con, model_csv(rows), TRAFFORD)
    except ModelFileError:
        return  # e.g. a name that is blank once whitespace is normalised
    before = snapshot(con)
    model_id = models.save_model(con, model, "Property model", user=USER)
    hoods = queries.neighbourhoods(con, model_id)
    expected = set(model.assignments.values()) | {models.UNASSIGNED}
    assert set(hoods.neighbourhood_name) == expected
    assert hoods.neighbourhood_code.is_unique
    assert hoods.lsoas.sum() == 139
    counts = model_values(con, model_id).query("indicator_id == 'imd_lsoas_most_deprived_10_pct'")
    assert counts.groupby("period").denominator.sum().eq(139).all()
    assert not any(math.isnan(v) for v in counts.denominator)
    models.delete_model(con, model_id, user=USER)
    assert snapshot(con) == before


# ---------------------------------------------------------------- ids, names and downloads


def _small_model(con, name: str, *, first: int = 0) -> str:
    """A model of a dozen real Trafford LSOAs in two neighbourhoods, saved as `name`."""
    codes = _trafford_codes(con)[first : first + 12]
    rows = [(code, "East" if i % 2 else "West") for i, code in enumerate(codes)]
    return upload(con, model_csv(rows), TRAFFORD, name)


def _stored_names(con) -> dict[str, str]:
    return dict(con.execute("SELECT model_id, model_name FROM usr.user_models").fetchall())


@pytest.mark.parametrize(
    "names",
    [("北区 model", "南区 model"), ("North & South", "north-south"), ("Café", "Cafe"),
     ("Trafford neighbourhoods model for 2024 version A",
      "Trafford neighbourhoods model for 2024 version B")],
)  # fmt: skip
def test_names_with_one_slug_are_two_models_not_one_replacing_the_other(con, names) -> None:
    first, second = (_small_model(con, name) for name in names)
    assert first != second
    assert _stored_names(con) == {first: names[0], second: names[1]}
    # uploading either again replaces that one, under the same id
    assert _small_model(con, names[1], first=20) == second
    assert _small_model(con, names[0], first=40) == first
    assert _stored_names(con) == {first: names[0], second: names[1]}


def test_ids_of_plain_names_are_unchanged(con) -> None:
    assert _small_model(con, "Trafford localities (2023)") == (
        f"{TRAFFORD}_user_trafford-localities-2023"
    )
    assert _small_model(con, "<script>alert(1)</script> model") == (
        f"{TRAFFORD}_user_script-alert-1-script-model"
    )
    # a different spelling of the same name is the same model
    assert _small_model(con, "  TRAFFORD   localities (2023) ") == (
        f"{TRAFFORD}_user_trafford-localities-2023"
    )
    assert len(_stored_names(con)) == 2


def test_a_model_stored_under_an_id_without_hash_keeps_its_id(con) -> None:
    """Models saved before ids had a hash (e.g. '北区 model' as '..._user_model') are
    replaced in place when uploaded again, not duplicated."""
    hashed = _small_model(con, "北区 model")
    legacy = f"{TRAFFORD}_user_model"
    for table in USER_TABLES:
        con.execute(f"UPDATE usr.{table} SET model_id = ? WHERE model_id = ?", [legacy, hashed])
    assert _small_model(con, "北区 model", first=30) == legacy
    assert _stored_names(con) == {legacy: "北区 model"}


def test_control_characters_are_removed_from_model_and_neighbourhood_names(con) -> None:
    codes = _trafford_codes(con)[:6]
    names = ["North\x1b[31m", "Sou\u202eth", "We\x07st\x7f", "\x0bEast\u200b side", "Mid\x85"]
    rows = [(code, names[i % len(names)]) for i, code in enumerate(codes)]
    model_id = upload(con, model_csv(rows), TRAFFORD, "Esc\x1b]8;;http://x\x07 model\x00")
    stored = con.execute(
        "SELECT DISTINCT model_name, neighbourhood_name FROM usr.user_neighbourhood_models "
        "WHERE model_id = ?",
        [model_id],
    ).fetchall()
    assert {m for m, _ in stored} == {"Esc ]8;;http://x model"}
    assert {n for _, n in stored} == {
        "North [31m", "Sou th", "We st", "East side", "Mid", models.UNASSIGNED
    }  # fmt: skip


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "gzip-compressed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(32), "PDF document"),
        (b"lsoa_code,neighbourhood\nE01006074,North\x00\x00\x01\x02", "binary data"),
        ("lsoa_code,neighbourhood\nE01006074,North\n".encode("utf-16-le"), "UTF-16 text"),
    ],
    ids=["gzip", "png", "pdf", "nul-bytes", "utf16-without-bom"],
)
def test_binary_files_are_named_for_what_they_are(con, data, words) -> None:
    with pytest.raises(ModelFileError) as caught:
        models.validate_model(con, data, TRAFFORD)
    assert words in caught.value.problems[0]
    assert words == "UTF-16 text" or "UTF-16" not in caught.value.problems[0]


def test_the_upload_ready_download_is_formula_safe(page_app, monkeypatch) -> None:
    """The Neighbourhoods page's upload-ready CSV of a model whose names a spreadsheet would
    run as formulas: each such cell starts with an apostrophe (shown as text)."""
    import streamlit

    payloads: dict[str, bytes] = {}
    keep = streamlit.download_button

    def recorded(label, data, *args, file_name=None, **kwargs):
        if file_name:  # the file the button makes when pressed (a deferred download)
            payloads[file_name] = data() if callable(data) else data
        return keep(label, data, *args, file_name=file_name, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recorded)
    hostile = ['=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "@SUM(A1)",
               "-2+3", "North"]  # fmt: skip
    lines = LOCALITIES_CSV.read_text(encoding="utf-8").splitlines()[1:]
    rows = [(line.split(",")[0], hostile[i % len(hostile)]) for i, line in enumerate(lines)]
    at = page_app(PROJECT_DIR / "pages" / "neighbourhoods.py")
    next(t for t in at.text_input if t.label == "Model name").input("Formula names")
    at.file_uploader[0].set_value(("formulas.csv", model_csv(rows), "text/csv"))
    at.button(key="FormSubmitter:upload_model-Check and save the model").click().run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    (name,) = [f for f in payloads if f.endswith("_formula_names_lsoas.csv")]
    got = pd.read_csv(io.BytesIO(payloads[name]), dtype=str, keep_default_na=False)
    assert list(got.columns) == ["lsoa_code", "neighbourhood"]
    names = set(got["neighbourhood"])
    assert names == {"'" + h for h in hostile[:4]} | {"North"}
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
