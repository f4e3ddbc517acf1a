"""Load the raw layer: bundled files into `raw_*` tables, checked as they come in.

Every file is read as text first, then each declared column is checked (present, castable to its
type, well-formed codes, unique keys) so that a bad file fails with its path, line and column.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import duckdb
import pandas as pd

from transforms.sources import RawFile


class BuildError(RuntimeError):
    """A build step failed; the message says which file, line and column."""


def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB SQL (the one place identifiers are escaped)."""
    return '"' + name.replace('"', '""') + '"'


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def read_header(path: Path, label: str) -> list[str]:
    """The header row of a CSV file, or a BuildError naming the file."""
    try:
        with _open_text(path) as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise BuildError(f"{label}: cannot read the file ({exc})") from exc
    if not header:
        raise BuildError(f"{label}: the file is empty (no header on line 1)")
    return [name.strip() for name in header]


def _stage_text(con: duckdb.DuckDBPyConnection, raw: RawFile, path: Path, label: str) -> None:
    """Create temp table `_raw_text` with every column as text and a `_line` number."""
    if raw.kind in ("geojson_properties", "geojson_features"):
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                features = json.load(handle)["features"]
        except (OSError, ValueError, KeyError) as exc:
            raise BuildError(f"{label}: not a readable GeoJSON file ({exc})") from exc
        records = [dict(f.get("properties") or {}) for f in features]
        if raw.kind == "geojson_features":  # the geometry kept as GeoJSON text
            for record, feature in zip(records, features, strict=True):
                record["geometry"] = json.dumps(feature.get("geometry"), separators=(",", ":"))
        frame = pd.DataFrame(records).astype("string")
        missing = [c for c in raw.columns if c not in frame.columns]
        if missing:
            raise BuildError(f"{label}: feature property '{missing[0]}' is missing")
        frame.insert(0, "_line", range(1, len(frame) + 1))
        con.register("_raw_frame", frame)
        con.execute("CREATE OR REPLACE TEMP TABLE _raw_text AS SELECT * FROM _raw_frame")
        con.unregister("_raw_frame")
        return
    header = read_header(path, label)
    missing = [c for c in raw.columns if c not in header]
    if missing:
        raise BuildError(f"{label}: line 1 (header): column '{missing[0]}' is missing")
    if len(set(header)) != len(header):
        raise BuildError(f"{label}: line 1 (header): a column name appears twice")
    columns = dict.fromkeys(header, "VARCHAR")
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _raw_text AS "
            "SELECT row_number() OVER () + 1 AS _line, * FROM read_csv(?, header = true, "
            "auto_detect = false, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
            "columns = ?, compression = 'auto')",
            [str(path), columns],
        )
    except duckdb.Error as exc:
        raise BuildError(f"{label}: {_csv_problem(str(exc))}") from exc


def _csv_problem(message: str) -> str:
    """DuckDB's CSV error in the loader's words: the line, and what is wrong with it."""
    line = re.search(r"CSV Error on Line: (\d+)", message)
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    if line and columns:
        return (
            f"line {line.group(1)}: expected {columns.group(1)} columns, found "
            f"{columns.group(2)} (a malformed row)"
        )
    if line:
        return f"line {line.group(1)}: not valid CSV ({message.splitlines()[0]})"
    return f"not valid CSV ({message.splitlines()[0]})"


def _type_checks(raw: RawFile) -> list[tuple[str, str, str]]:
    """(column, condition of a bad cell, what it should be) for every typed column: each
    non-empty cell must cast to its type."""
    checks = []
    for column, sql_type in raw.columns.items():
        if sql_type == "VARCHAR":
            continue
        value = f"trim({quote_ident(column)})"
        if sql_type == "INTEGER":  # whole numbers only: no '1.5', '1e3', '0x10' or '1_000'
            invalid, kind = f"NOT regexp_full_match({value}, '[+-]?[0-9]+')", "whole number"
        else:  # numbers only: no NaN or infinity
            invalid, kind = (
                (
                    f"TRY_CAST({value} AS {sql_type}) IS NULL "
                    f"OR NOT isfinite(TRY_CAST({value} AS {sql_type}))"
                ),
                "number",
            )
        checks.append(
            (column, f"nullif({value}, '') IS NOT NULL AND ({invalid})", f"is not a {kind}")
        )
    return checks


def _code_checks(raw: RawFile) -> list[tuple[str, str, str]]:
    """(column, condition of a bad cell, what it should be) for every code column."""
    checks = []
    for column, pattern in raw.code_patterns.items():
        ident = quote_ident(column)
        literal = "'" + pattern.replace("'", "''") + "'"
        checks.append(
            (
                column,
                f"{ident} IS NULL OR NOT regexp_full_match({ident}, {literal})",
                f"is not a well-formed code (expected {pattern})",
            )
        )
    return checks


def _check_cells(con: duckdb.DuckDBPyConnection, raw: RawFile, label: str) -> None:
    """Every typed cell casts to its type and every code matches its format, checked in one
    scan of the file; the first bad cell of the first failing check (types first, in column
    order, then codes) is named with its line."""
    checks = _type_checks(raw) + _code_checks(raw)
    if not checks:
        return
    firsts = ", ".join(f"min(_line) FILTER (WHERE {where})" for _, where, _ in checks)
    lines = con.execute(f"SELECT {firsts} FROM _raw_text").fetchall()[0]
    for (column, _, problem), line in zip(checks, lines, strict=True):
        if line is not None:
            (value,) = con.execute(
                f"SELECT {quote_ident(column)} FROM _raw_text WHERE _line = ?", [line]
            ).fetchall()[0]
            raise BuildError(f"{label}: line {line}, column '{column}': {value!r} {problem}")


def _check_key(con: duckdb.DuckDBPyConnection, raw: RawFile, label: str) -> None:
    """The declared key is unique (the line of the second copy is named)."""
    if not raw.key:
        return
    keys = ", ".join(quote_ident(k) for k in raw.key)
    dup = con.execute(
        f"SELECT max(_line), {keys} FROM _raw_text GROUP BY {keys} HAVING count(*) > 1 "
        "ORDER BY 1 LIMIT 1"
    ).fetchall()
    if dup:
        line, *values = dup[0]
        key = dict(zip(raw.key, values, strict=True))
        raise BuildError(f"{label}: line {line}: duplicate key {key}")


def load_raw_file(
    con: duckdb.DuckDBPyConnection, raw: RawFile, data_dir: Path, temporary: bool = False
) -> int:
    """Load one declared raw file into its table (a TEMP table when `temporary`: the
    connection's memory, never written to the database file); return the rows kept."""
    path = data_dir / raw.path
    label = raw.path
    if not path.is_file():
        raise BuildError(f"{label}: file is missing (expected at {path})")
    _stage_text(con, raw, path, label)
    if raw.filter_sql:
        con.execute(f"DELETE FROM _raw_text WHERE NOT coalesce(({raw.filter_sql}), false)")
    _check_cells(con, raw, label)
    _check_key(con, raw, label)
    select = ", ".join(
        f"CAST(nullif(trim({quote_ident(c)}), '') AS {t}) AS {quote_ident(c)}"
        for c, t in raw.columns.items()
    )
    # In file order without a sort: _raw_text was written in file order, and this connection
    # preserves insertion order (the models alone turn that off).
    con.execute(
        f"CREATE OR REPLACE {'TEMP ' if temporary else ''}TABLE {quote_ident(raw.table)} AS "
        f"SELECT {select} FROM _raw_text"
    )
    con.execute("DROP TABLE _raw_text")
    return con.execute(f"SELECT count(*) FROM {quote_ident(raw.table)}").fetchall()[0][0]
