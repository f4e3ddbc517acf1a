"""A council's own neighbourhood model from a CSV of `lsoa_code, neighbourhood`.

Validation names the line and column of every problem and nothing is stored unless the whole
file is valid. Accepted models are written, with their re-aggregated indicator values, in one
transaction to the user database, which a rebuild of the public data never touches.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from transforms.run import render, sql_file

MAX_BYTES = 5 * 1024 * 1024
MAX_NAME_LENGTH = 80
LSOA_CODE = re.compile(r"^E01\d{6}$")
REQUIRED = ("lsoa_code", "neighbourhood")
UNASSIGNED = "Unassigned"


class ModelFileError(ValueError):
    """The file was rejected; `problems` lists every reason with its line and column."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass
class ValidatedModel:
    """A model that passed validation: 2021 LSOA -> neighbourhood, plus what to tell the user."""

    lad_code: str
    assignments: dict[str, str]
    unassigned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ModelFileError(
            [f"the file is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES // 1_000_000} MB"]
        )
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise ModelFileError(
            [
                "this is an Excel workbook, not a CSV file: in Excel use File > Save As > "
                "'CSV UTF-8 (Comma delimited)' and upload that"
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ModelFileError(
            [
                f"line {line}: the file is not UTF-8 text (byte {data[exc.start]:#x}); save it as "
                "'CSV UTF-8'"
            ]
        ) from exc


def parse_model_csv(data: bytes) -> list[tuple[int, str, str]]:
    """(line, lsoa_code, neighbourhood) rows of a model file, or ModelFileError."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _parse_rows(reader)
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KB limit
        raise ModelFileError([f"line {reader.line_num}: not readable as CSV ({exc})"]) from exc


def _parse_rows(reader) -> list[tuple[int, str, str]]:
    header = next(reader, None)
    if not header:
        raise ModelFileError(
            ["line 1: the file is empty; expected a header 'lsoa_code,neighbourhood'"]
        )
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ModelFileError(
            [f"line 1 (header): column '{missing[0]}' is missing; found {', '.join(header)}"]
        )
    code_at, name_at = names.index("lsoa_code"), names.index("neighbourhood")
    rows, problems = [], []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(code_at, name_at):
            problems.append(f"line {line}: expected {len(header)} columns, found {len(row)}")
            continue
        code, name = row[code_at].strip().upper(), " ".join(row[name_at].split())
        if not code:
            problems.append(f"line {line}, column lsoa_code: empty")
        elif not LSOA_CODE.match(code):
            problems.append(
                f"line {line}, column lsoa_code: {row[code_at]!r} is not an English LSOA code "
                "(E01 and six digits)"
            )
        if not name:
            problems.append(f"line {line}, column neighbourhood: empty name")
        elif len(name) > MAX_NAME_LENGTH:
            problems.append(
                f"line {line}, column neighbourhood: name longer than {MAX_NAME_LENGTH} characters"
            )
        rows.append((line, code, name))
    if problems:
        raise ModelFileError(problems)
    if not rows:
        raise ModelFileError(["the file has a header but no rows"])
    return rows


def validate_model(con: duckdb.DuckDBPyConnection, data: bytes, lad_code: str) -> ValidatedModel:
    """Check a model file against the borough's LSOAs (2011 or 2021 codes accepted)."""
    rows = parse_model_csv(data)
    frame = pd.DataFrame(rows, columns=["line", "code", "neighbourhood"])
    con.register("_upload", frame)
    try:
        resolved = con.execute(
            """
            SELECT u.line, u.code, u.neighbourhood,
                coalesce(g21.lsoa21_code, s.lsoa21_code) AS lsoa21_code,
                coalesce(g21.lad_code, g11.lad_code) AS lad_code,
                coalesce(g21.lad_name, g11.lad_name) AS lad_name,
                g21.lsoa21_code IS NULL AND s.lsoa21_code IS NOT NULL AS from_2011
            FROM _upload AS u
            LEFT JOIN int_lsoa21_geography AS g21 ON g21.lsoa21_code = u.code
            LEFT JOIN int_lsoa11_lsoa21_shares AS s
                ON g21.lsoa21_code IS NULL AND s.lsoa11_code = u.code
            LEFT JOIN int_lsoa21_geography AS g11 ON g11.lsoa21_code = s.lsoa21_code
            ORDER BY u.line, lsoa21_code
            """
        ).df()
        borough = {
            r[0]
            for r in con.execute(
                "SELECT lsoa21_code FROM int_lsoa21_geography WHERE lad_code = ?", [lad_code]
            ).fetchall()
        }
    finally:
        con.unregister("_upload")
    problems: list[str] = []
    assignments: dict[str, tuple[int, str]] = {}
    notes: list[str] = []
    for r in resolved.itertuples(index=False):
        if pd.isna(r.lsoa21_code):
            problems.append(
                f"line {r.line}, column lsoa_code: {r.code} is not an LSOA 2011 or 2021 code"
            )
            continue
        if r.lsoa21_code not in borough:
            problems.append(
                f"line {r.line}, column lsoa_code: {r.code} is in {r.lad_name}, not in this borough"
            )
            continue
        earlier = assignments.get(r.lsoa21_code)
        if earlier and earlier[1] != r.neighbourhood:
            via = " (through the 2011->2021 lookup)" if r.from_2011 else ""
            problems.append(
                f"line {r.line}, column lsoa_code: {r.code}{via} is already in "
                f"'{earlier[1]}' on line {earlier[0]}; an LSOA can be in one neighbourhood only"
            )
            continue
        if earlier:
            continue
        assignments[r.lsoa21_code] = (r.line, r.neighbourhood)
    if problems:
        raise ModelFileError(sorted(set(problems), key=_line_number))
    converted = resolved.loc[resolved["from_2011"].astype(bool), "line"].nunique()
    if converted:
        notes.append(f"{converted} LSOA 2011 code(s) were converted to 2021 codes")
    unassigned = sorted(borough - assignments.keys())
    if unassigned:
        notes.append(
            f"{len(unassigned)} of the borough's {len(borough)} LSOAs are not in the file; they "
            f"are shown as '{UNASSIGNED}'"
        )
    if any(name == UNASSIGNED for _, name in assignments.values()):
        notes.append(f"the file itself uses the name '{UNASSIGNED}'; those LSOAs are merged")
    return ValidatedModel(
        lad_code=lad_code,
        assignments={code: name for code, (_, name) in assignments.items()},
        unassigned=unassigned,
        notes=notes,
    )


def _line_number(problem: str) -> int:
    match = re.match(r"line (\d+)", problem)
    return int(match.group(1)) if match else 0


def slugify(text: str) -> str:
    """A lower-case identifier made of letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "model"


def model_id_for(lad_code: str, model_name: str) -> str:
    """The id of a user's model: borough code plus a slug of its name."""
    return f"{lad_code}_user_{slugify(model_name)}"


def _membership_frame(model: ValidatedModel, model_id: str, model_name: str) -> pd.DataFrame:
    pairs = [*model.assignments.items(), *((code, UNASSIGNED) for code in model.unassigned)]
    frame = pd.DataFrame(pairs, columns=["lsoa21_code", "neighbourhood_name"])
    # One code per distinct name: names whose slugs coincide ('North', 'north', '!!', '??')
    # get a numeric suffix, so they are never summed together.
    codes: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(frame["neighbourhood_name"].unique()):
        slug, n = slugify(name), 1
        while (code := slug if n == 1 else f"{slug}-{n}") in taken:
            n += 1
        taken.add(code)
        codes[name] = code
    frame["neighbourhood_code"] = model_id + ":" + frame["neighbourhood_name"].map(codes)
    frame["model_id"] = model_id
    frame["model_name"] = model_name
    frame["lad_code"] = model.lad_code
    return frame[
        [
            "model_id",
            "model_name",
            "lad_code",
            "neighbourhood_code",
            "neighbourhood_name",
            "lsoa21_code",
        ]
    ]


def aggregate_sql(membership_table: str) -> str:
    """SQL giving published indicator rows for the neighbourhoods in `membership_table`:
    the same transforms the build runs for the shipped models."""
    sums = render(
        sql_file("intermediate", "int_neighbourhood_sums"),
        {"neighbourhood_models": membership_table},
    )
    return render(sql_file("marts", "indicator_values"), {"area_sums": f"({sums})"})


def save_model(
    con: duckdb.DuckDBPyConnection,
    model: ValidatedModel,
    model_name: str,
    source_file: str = "",
) -> str:
    """Store a validated model and its re-aggregated values in one transaction; return its id.
    A model of the same name in the same borough is replaced."""
    model_name = " ".join(model_name.split())[:MAX_NAME_LENGTH]
    if not model_name:
        raise ModelFileError(["the model needs a name"])
    model_id = model_id_for(model.lad_code, model_name)
    membership = _membership_frame(model, model_id, model_name)
    build = con.execute("SELECT built_at FROM pub.build_info").fetchall()[0][0]
    con.register("_membership", membership)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM usr.user_indicator_values WHERE model_id = ?", [model_id])
        con.execute("DELETE FROM usr.user_neighbourhood_models WHERE model_id = ?", [model_id])
        con.execute("DELETE FROM usr.user_models WHERE model_id = ?", [model_id])
        con.execute(
            "INSERT INTO usr.user_models VALUES (?, ?, ?, ?, ?, ?)",
            [model_id, model_name, model.lad_code, source_file, datetime.now(), build],
        )
        con.execute("INSERT INTO usr.user_neighbourhood_models SELECT * FROM _membership")
        con.execute(
            "INSERT INTO usr.user_indicator_values BY NAME "
            f"SELECT * FROM ({aggregate_sql('_membership')})"
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_membership")
    _refresh_partner_data(con)
    return model_id


def delete_model(con: duckdb.DuckDBPyConnection, model_id: str) -> None:
    """Remove a user's model and its values (shipped models cannot be deleted)."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("user_indicator_values", "user_neighbourhood_models", "user_models"):
            con.execute(f"DELETE FROM usr.{table} WHERE model_id = ?", [model_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    _refresh_partner_data(con)


def refresh_stale_models(con: duckdb.DuckDBPyConnection) -> int:
    """Re-aggregate user models built against an older public database; return how many."""
    build = con.execute("SELECT built_at FROM pub.build_info").fetchall()[0][0]
    stale = con.execute(
        "SELECT model_id FROM usr.user_models WHERE aggregated_for_build IS DISTINCT FROM ?",
        [build],
    ).fetchall()
    for (model_id,) in stale:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM usr.user_indicator_values WHERE model_id = ?", [model_id])
            # A temporary table that is dropped again: left behind, it would clash with the
            # `_membership` view a later save_model registers on the same connection.
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _stale_membership AS "
                "SELECT * FROM usr.user_neighbourhood_models WHERE model_id = ?",
                [model_id],
            )
            con.execute(
                "INSERT INTO usr.user_indicator_values BY NAME "
                f"SELECT * FROM ({aggregate_sql('_stale_membership')})"
            )
            con.execute("DROP TABLE _stale_membership")
            con.execute(
                "UPDATE usr.user_models SET aggregated_for_build = ? WHERE model_id = ?",
                [build, model_id],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    _refresh_partner_data(con)
    return len(stale)


def _refresh_partner_data(con: duckdb.DuckDBPyConnection) -> None:
    """Re-aggregate uploaded partner data onto the borough's models as they now are (a model
    was saved, deleted or re-aggregated, or the public build changed)."""
    from outcomes import partner_data  # imported late: partner_data imports this module

    partner_data.refresh_stale(con)
