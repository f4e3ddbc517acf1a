"""The council's and partners' own data: two CSV formats, validated, stored and aggregated.

1. **Service events**: one area column (`lsoa_code` 2011 or 2021, `practice_code` or
   `postcode`), `period` (YYYY-MM or YYYY), `measure`, `count`. A measure `<x>_missed` or
   `<x>_attended` with `<x>_booked` becomes a rate (e.g. missed appointments as % of booked,
   with Wilson intervals); any other measure becomes a count.
2. **Survey results**: `neighbourhood` (a name in one of the borough's models) or `lsoa_code`,
   `period`, `question`, `respondents`, `agreeing`: the proportion agreeing, with Wilson
   intervals.

Validation names the row and column of every problem, and nothing is stored from a rejected
file. An accepted file is written in one transaction to the user database (which a rebuild of
the public data never touches): its rows, how its areas map onto LSOAs 2021, catalogue rows
(domain 'Your data') and indicator values for the LSOAs, every neighbourhood model of the
borough and the borough itself, all after small-number suppression (`outcomes.disclosure`).
Values are re-aggregated lazily (`refresh_stale`) whenever the public build, the borough's
uploaded models or the suppression threshold change.

User text (names, questions) is data: it is bound as a parameter or registered as a frame,
never put into SQL, and pages show it through `escape_markdown` or tables.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from outcomes import disclosure, stats
from outcomes.custom_models import MAX_NAME_LENGTH, ModelFileError, slugify

PROJECT_DIR = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_DIR / "data" / "raw"
TEMPLATES_DIR = PROJECT_DIR / "data" / "templates"
POSTCODE_LOOKUP = (
    RAW_DIR / "service_use" / "postcode_lsoa11_lookup_kirklees_trafford_wigan_testvalley.csv.gz"
)
PRACTICE_FILES = (
    RAW_DIR / "health" / "gp_practices_england_dec2025.csv.gz",
    RAW_DIR / "service_use" / "gp_practice_locations_dec2025.csv.gz",
)
POSTCODE_COVERAGE = "Kirklees, Trafford, Wigan and Test Valley"

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_PROBLEMS = 100
MAX_TEXT = 200
MAX_INDICATORS = 200
VERSION = "1"  # bump when aggregation changes, so stored values are re-aggregated

SERVICE_EVENTS, SURVEY = "service_events", "survey"
KIND_NAMES = {SERVICE_EVENTS: "Service events", SURVEY: "Survey results"}
AREA_COLUMNS = {
    SERVICE_EVENTS: ("lsoa_code", "practice_code", "postcode"),
    SURVEY: ("neighbourhood", "lsoa_code"),
}
VALUE_COLUMNS = {
    SERVICE_EVENTS: ("period", "measure", "count"),
    SURVEY: ("period", "question", "respondents", "agreeing"),
}
AREA_NAMES = {
    "lsoa_code": "LSOA",
    "practice_code": "GP practice",
    "postcode": "postcode",
    "neighbourhood": "neighbourhood",
}
DENOMINATOR = "booked"
PARTS = {"missed": "higher_is_worse", "attended": "higher_is_better"}
POLARITIES = ("higher_is_better", "higher_is_worse", "no_judgement")
DOMAIN = "Your data"
USER_TABLES = (
    "user_dataset_indicators",
    "user_dataset_areas",
    "user_dataset_rows",
    "user_datasets",
)

LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
PRACTICE_CODE = re.compile(r"^[A-Z]\d{5}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
MEASURE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
WHOLE = re.compile(r"^\d+(\.0*)?$")
MASKED = re.compile(
    r"^(\*+|[<≤]\s*=?\s*\d+(\.\d+)?|c|x|\.\.?|-|–|—|~|n/?a|s|supp(ressed)?|redacted|"
    r"\d+\s*-\s*\d+)$",
    re.IGNORECASE,
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One reason a file was rejected: where (row of the file, 1 = header; column) and why."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class DataFileError(ModelFileError):
    """The file was rejected; `details` lists every problem with its row and column."""

    def __init__(self, problems: list[Problem]):
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(Problem(None, None, f"… and {len(problems) - MAX_PROBLEMS} more problems"))
        self.details = shown
        super().__init__([str(p) for p in shown])

    def table(self) -> pd.DataFrame:
        """The problems as a table for the page (Row, Column, Problem)."""
        return pd.DataFrame(
            {
                "Row": [p.row for p in self.details],
                "Column": [p.column or "" for p in self.details],
                "Problem": [p.message for p in self.details],
            }
        ).astype({"Row": "Int64"})


# ---------------------------------------------------------------- text helpers


def escape_markdown(text: object) -> str:
    """User text made safe for st.markdown: every Markdown/HTML character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def display_text(text: str) -> str:
    """User text as it appears in indicator names and caveats, which other pages render as
    Markdown, chart titles (Plotly reads a little HTML) or CSV cells (Excel reads formulae):
    look-alikes replace < > [ ] ` $, and a leading = + - @ is dropped."""
    text = " ".join(CONTROL.sub(" ", str(text)).split())
    text = text.translate(str.maketrans({"<": "‹", ">": "›", "[": "(", "]": ")", "`": "'"}))
    text = text.replace("$", "＄")
    return text.lstrip("=+-@ \t") or "(unnamed)"


def _clean_text(cell: str) -> str:
    return " ".join(CONTROL.sub(" ", cell).split())


def _id_slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_") or "x"


# ---------------------------------------------------------------- parsing


@dataclass
class ParsedFile:
    """The rows of a well-formed file (types checked, nothing looked up yet)."""

    kind: str
    area_column: str
    rows: pd.DataFrame  # row, area_code, period, period_start, measure, count | respondents...
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # rows left out of `rows`


def _decode(data: bytes) -> str:
    mb = 1024 * 1024
    if len(data) > MAX_BYTES:
        raise DataFileError(
            [
                Problem(
                    None,
                    None,
                    f"the file is {len(data) / mb:.1f} MB; the limit is {MAX_BYTES // mb} MB. "
                    "Split it (e.g. one file per year) and upload each part as its own dataset.",
                )
            ]
        )
    if not data.strip():
        raise DataFileError([Problem(1, None, "the file is empty")])
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise DataFileError(
            [
                Problem(
                    None,
                    None,
                    "this is an Excel workbook, not a CSV file: in Excel use File > Save As > "
                    "'CSV UTF-8 (Comma delimited) (*.csv)' and upload that file",
                )
            ]
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise DataFileError(
            [
                Problem(
                    1,
                    None,
                    "the file is UTF-16 text (Excel's 'Unicode Text'), not CSV: save it as "
                    "'CSV UTF-8 (Comma delimited)'",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        row = data[: exc.start].count(b"\n") + 1
        header = data.split(b"\n", 1)[0].decode("utf-8", "replace").split(",")
        position = data[start : exc.start].count(b",")
        column = header[position].strip().lower() if position < len(header) else f"{position + 1}"
        raise DataFileError(
            [
                Problem(
                    row,
                    column or f"{position + 1}",
                    f"the file is not UTF-8 text (byte {data[exc.start]:#x}): Excel's 'CSV "
                    "(Comma delimited)' uses another encoding. Save it as 'CSV UTF-8 (Comma "
                    "delimited)'.",
                )
            ]
        ) from exc
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise DataFileError([Problem(row, None, "the file contains NUL bytes: not a CSV file")])
    return text


def parse_csv(data: bytes, *, strict: bool = True) -> ParsedFile:
    """Check a file's shape and every cell's format; ParsedFile or DataFileError. With
    `strict` false, rows with problems are left out and listed in `problems` instead (so that
    the checks against the data can report the other rows' problems in the same go)."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise DataFileError([Problem(1, None, "the file is empty")])
        columns, kind, area_column, notes = _read_header(header)
        for row_number, record in enumerate(reader, start=2):
            if len(records) >= MAX_ROWS:
                raise DataFileError(
                    [
                        Problem(
                            None,
                            None,
                            f"the file has more than {MAX_ROWS:,} rows: split it into several "
                            "files (e.g. one per year) and upload each as its own dataset",
                        )
                    ]
                )
            records.append((row_number, record))
    except csv.Error as exc:  # e.g. a value over the csv module's 128 KB limit
        row = len(records) + 2 if header is not None else 1
        raise DataFileError([Problem(row, None, f"not readable as CSV ({exc})")]) from exc
    parsed = _parse_records(records, columns, kind, area_column, notes)
    if strict and parsed.problems:
        raise DataFileError(parsed.problems)
    return parsed


def _read_header(header: list[str]) -> tuple[list[str], str, str, list[str]]:
    names = [_clean_text(h).strip().strip('"').lower().replace(" ", "_") for h in header]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise DataFileError([Problem(1, None, "the first row is empty; it must be the header")])
    if len(names) == 1 and any(sep in header[0] for sep in (";", "\t")):
        raise DataFileError(
            [
                Problem(
                    1,
                    None,
                    "the columns are separated by semicolons or tabs; save the file as 'CSV "
                    "UTF-8 (Comma delimited)' so they are separated by commas",
                )
            ]
        )
    problems = []
    for i, name in enumerate(names):
        if not name:
            problems.append(Problem(1, f"{i + 1}", "a column has no name in the header"))
        elif name in names[:i]:
            problems.append(Problem(1, name, "this column appears twice in the header"))
    survey = {"question", "respondents", "agreeing"} & set(names)
    events = {"measure", "count"} & set(names)
    if (survey and events) or not (survey or events):
        problems.append(
            Problem(
                1,
                None,
                "the header matches neither format: service events need 'period, measure, "
                "count' and one of 'lsoa_code', 'practice_code', 'postcode'; survey results "
                "need 'period, question, respondents, agreeing' and 'neighbourhood' or "
                f"'lsoa_code' (found: {', '.join(names)})",
            )
        )
        raise DataFileError(problems)
    kind = SURVEY if survey else SERVICE_EVENTS
    areas = [c for c in AREA_COLUMNS[kind] if c in names]
    if not areas:
        problems.append(
            Problem(
                1,
                None,
                f"no area column: {KIND_NAMES[kind].lower()} need one of "
                + ", ".join(f"'{c}'" for c in AREA_COLUMNS[kind]),
            )
        )
    elif len(areas) > 1:
        problems.append(
            Problem(
                1,
                areas[1],
                f"use one area column per file (found {' and '.join(areas)}); upload each kind "
                "of area as its own dataset",
            )
        )
    for column in VALUE_COLUMNS[kind]:
        if column not in names:
            problems.append(
                Problem(
                    1,
                    column,
                    f"missing from the header; {KIND_NAMES[kind].lower()} need "
                    + ", ".join(VALUE_COLUMNS[kind]),
                )
            )
    if problems:
        raise DataFileError(problems)
    known = {*AREA_COLUMNS[kind], *VALUE_COLUMNS[kind]}
    extra = [n for n in names if n not in known]
    notes = [f"ignored column(s): {', '.join(extra)}"] if extra else []
    return names, kind, areas[0], notes


def _parse_records(
    records: list[tuple[int, list[str]]],
    columns: list[str],
    kind: str,
    area_column: str,
    notes: list[str],
) -> ParsedFile:
    at = {name: i for i, name in enumerate(columns)}
    problems: list[Problem] = []
    out: list[dict[str, object]] = []
    for row, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(columns) and any(c.strip() for c in record[len(columns) :]):
            problems.append(
                Problem(
                    row,
                    f"{len(columns) + 1} (beyond the header)",
                    f"{len(record)} values but the header has {len(columns)} columns (a comma "
                    "inside a name? put that name in double quotes)",
                )
            )
            continue
        cells = record + [""] * (len(columns) - len(record))
        parsed: dict[str, object] = {"row": row}
        before = len(problems)
        parsed["area_code"] = _parse_area(cells[at[area_column]], area_column, row, problems)
        period = _parse_period(cells[at["period"]])
        if isinstance(period, str):
            problems.append(Problem(row, "period", period))
        else:
            parsed["period"], parsed["period_start"] = period
        if kind == SERVICE_EVENTS:
            parsed["measure"] = _parse_measure(cells[at["measure"]], row, problems)
            parsed["count"] = _parse_count(cells[at["count"]], row, "count", problems)
        else:
            parsed["measure"] = _parse_question(cells[at["question"]], row, problems)
            for column in ("respondents", "agreeing"):
                parsed[column] = _parse_count(cells[at[column]], row, column, problems)
        if len(problems) == before:
            out.append(parsed)
        if len(problems) > MAX_PROBLEMS:
            break
    if not problems and not out:
        raise DataFileError([Problem(None, None, "the file has a header but no data rows")])
    if not problems:
        problems += _mixed_periods(out)
    frame = pd.DataFrame(
        out,
        columns=["row", "area_code", "period", "period_start", "measure", "count",
                 "respondents", "agreeing"],
    )  # fmt: skip
    if kind == SERVICE_EVENTS:
        frame["respondents"] = pd.NA
        frame["agreeing"] = pd.NA
    else:
        frame["count"] = pd.NA
    frame = frame.astype(
        {"row": "int64", "count": "Int64", "respondents": "Int64", "agreeing": "Int64"}
    )
    return ParsedFile(kind, area_column, frame, notes, problems)


def _parse_area(cell: str, column: str, row: int, problems: list[Problem]) -> str | None:
    raw = _clean_text(cell)
    if not raw:
        problems.append(Problem(row, column, f"empty: give a {AREA_NAMES[column]}"))
        return None
    if column == "neighbourhood":
        if len(raw) > MAX_NAME_LENGTH:
            problems.append(Problem(row, column, f"longer than {MAX_NAME_LENGTH} characters"))
        return raw
    code = raw.upper().replace(" ", "") if column == "postcode" else raw.upper()
    if column == "lsoa_code" and not LSOA_CODE.match(code):
        problems.append(
            Problem(row, column, f"{_quote(raw)} is not an LSOA code (E01 and six digits)")
        )
    elif column == "lsoa_code" and code.startswith("W"):
        problems.append(
            Problem(row, column, f"{_quote(raw)} is a Welsh LSOA: only English areas are covered")
        )
    elif column == "practice_code" and not PRACTICE_CODE.match(code):
        problems.append(
            Problem(
                row,
                column,
                f"{_quote(raw)} is not a GP practice code (a letter and five digits, e.g. P91003)",
            )
        )
    elif column == "postcode" and not POSTCODE.match(code):
        problems.append(Problem(row, column, f"{_quote(raw)} is not a full UK postcode"))
    return code


def _quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _parse_period(cell: str) -> tuple[str, date] | str:
    text = cell.strip()
    hint = (
        "expected a month as YYYY-MM (e.g. 2024-03) or a year as YYYY; if Excel turned "
        "2024-03 into a date, format the column as Text and type the months again"
    )
    if not text:
        return "empty: give the month (YYYY-MM) or year (YYYY)"
    month = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    year = re.fullmatch(r"\d{4}", text)
    if month:
        y, m = int(month.group(1)), int(month.group(2))
        if not 1 <= m <= 12:
            return f"{_quote(text)}: month {m} does not exist"
        if len(month.group(2)) != 2:
            return f"{_quote(text)}: write the month with two digits ({y}-{m:02d})"
        if not 1990 <= y <= 2100:
            return f"{_quote(text)}: year {y} is out of range"
        return f"{y}-{m:02d}", date(y, m, 1)
    if year:
        y = int(text)
        if not 1990 <= y <= 2100:
            return f"{_quote(text)}: year {y} is out of range"
        return text, date(y, 1, 1)
    if re.fullmatch(r"\d{4}/\d{2}", text):
        return (
            f"{_quote(text)}: financial years are not supported; give months (YYYY-MM) or "
            "calendar years (YYYY)"
        )
    return f"{_quote(text)} is not a month or year: {hint}"


def _parse_measure(cell: str, row: int, problems: list[Problem]) -> str | None:
    text = cell.strip().lower()
    if not text:
        problems.append(
            Problem(row, "measure", "empty: name the measure, e.g. appointments_booked")
        )
        return None
    if not MEASURE.match(text):
        problems.append(
            Problem(
                row,
                "measure",
                f"{_quote(cell.strip())}: a measure name is lower-case letters, digits and "
                "underscores, starting with a letter (at most 60), e.g. appointments_missed",
            )
        )
        return None
    return text


def _parse_question(cell: str, row: int, problems: list[Problem]) -> str | None:
    text = _clean_text(cell)
    if not text:
        problems.append(Problem(row, "question", "empty: give the question or statement"))
        return None
    if len(text) > MAX_TEXT:
        problems.append(Problem(row, "question", f"longer than {MAX_TEXT} characters"))
        return None
    return text


def _parse_count(cell: str, row: int, column: str, problems: list[Problem]) -> int | None:
    text = cell.strip()
    problem = None
    if not text:
        problem = "empty: give a whole number (0 if none)"
    elif MASKED.match(text):
        problem = (
            f"{_quote(text)} looks like a suppressed or masked value. Send the unsuppressed "
            "counts: the dashboard suppresses small numbers itself before it shows or "
            "downloads anything."
        )
    elif WHOLE.match(text):
        value = int(text.split(".")[0])
        if value > 10**12:
            problem = f"{_quote(text)} is too large"
        else:
            return value
    elif re.fullmatch(r"-\s*\d+(\.\d*)?", text):
        problem = f"{_quote(text)} is negative: counts cannot be below 0"
    elif re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        problem = f"{_quote(text)}: write numbers without thousands separators"
    elif re.fullmatch(r"\d*\.\d+", text):
        problem = f"{_quote(text)} is not a whole number: counts are whole numbers"
    elif re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", text):
        problem = (
            f"{_quote(text)} is in scientific notation: format the column as Number with no "
            "decimals in Excel and save again"
        )
    else:
        problem = f"{_quote(text)} is not a whole number"
    problems.append(Problem(row, column, problem))
    return None


def _mixed_periods(rows: list[dict[str, object]]) -> list[Problem]:
    first_monthly = "-" in str(rows[0]["period"])
    for r in rows:
        if ("-" in str(r["period"])) != first_monthly:
            return [
                Problem(
                    int(r["row"]),
                    "period",
                    f"{r['period']} is a {'year' if first_monthly else 'month'} but row "
                    f"{rows[0]['row']} is a {'month' if first_monthly else 'year'}: use "
                    "months or years throughout a file",
                )
            ]
    return []


# ---------------------------------------------------------------- validation against the data


@dataclass
class ValidatedDataset:
    """A file that passed every check, with its areas mapped onto LSOAs 2021."""

    lad_code: str
    lad_name: str
    kind: str
    area_column: str
    model_id: str | None
    rows: pd.DataFrame
    areas: pd.DataFrame  # area_code, unit_code, lsoa21_code, share
    notes: list[str] = field(default_factory=list)

    @property
    def periods(self) -> list[str]:
        return sorted(self.rows["period"].unique())

    @property
    def measures(self) -> list[str]:
        return sorted(self.rows["measure"].unique())


def validate_dataset(
    con: duckdb.DuckDBPyConnection, data: bytes, lad_code: str, model_id: str | None = None
) -> ValidatedDataset:
    """Parse a file and check it against the borough (codes, names, sums); nothing is stored.
    `model_id` is the model whose neighbourhood names a survey file by neighbourhood uses."""
    parsed = parse_csv(data, strict=False)
    lad_name = _lad_name(con, lad_code)
    rows = parsed.rows
    problems: list[Problem] = list(parsed.problems)
    if rows.empty:
        raise DataFileError(problems)
    notes = list(parsed.notes)
    if parsed.area_column == "neighbourhood":
        areas, model_id = _resolve_neighbourhoods(con, rows, lad_code, model_id, problems)
    else:
        model_id = None
        resolve = {
            "lsoa_code": _resolve_lsoas,
            "postcode": _resolve_postcodes,
            "practice_code": _resolve_practices,
        }[parsed.area_column]
        areas = resolve(con, rows, lad_code, lad_name, problems, notes)
    problems += _duplicates(rows, parsed.area_column, parsed.kind)
    if parsed.kind == SERVICE_EVENTS and not parsed.problems:  # pairs need every row
        problems += _check_service_events(rows, parsed.area_column)
    else:
        problems += [
            Problem(
                int(r.row),
                "agreeing",
                f"{r.agreeing} agreeing is more than the {r.respondents} respondents",
            )
            for r in rows[rows.agreeing > rows.respondents].itertuples()
        ]
    if problems:
        raise DataFileError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    indicators = len(_specs(parsed.kind, sorted(rows["measure"].unique())))
    if indicators > MAX_INDICATORS:
        raise DataFileError(
            [
                Problem(
                    None,
                    "measure" if parsed.kind == SERVICE_EVENTS else "question",
                    f"the file would make {indicators} indicators; the limit is "
                    f"{MAX_INDICATORS}. Split it into several datasets.",
                )
            ]
        )
    return ValidatedDataset(
        lad_code=lad_code,
        lad_name=lad_name,
        kind=parsed.kind,
        area_column=parsed.area_column,
        model_id=model_id,
        rows=rows.reset_index(drop=True),
        areas=areas,
        notes=notes,
    )


def _lad_name(con: duckdb.DuckDBPyConnection, lad_code: str) -> str:
    found = con.execute(
        "SELECT any_value(lad_name) FROM int_lsoa21_geography WHERE lad_code = ?", [lad_code]
    ).fetchall()
    if not found or found[0][0] is None:
        raise ValueError(f"{lad_code} is not an English local authority (2024)")
    return found[0][0]


def _rows_for(rows: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    return rows[rows["area_code"].isin(set(codes))]


def _per_row(rows: pd.DataFrame, bad: dict[str, str], column: str, problems: list[Problem]) -> None:
    for r in _rows_for(rows, bad).itertuples():
        problems.append(Problem(int(r.row), column, bad[r.area_code]))


def _resolve_lsoas(con, rows, lad_code, lad_name, problems, notes) -> pd.DataFrame:
    codes = pd.DataFrame({"code": sorted(rows["area_code"].unique())})
    con.register("_partner_codes", codes)
    try:
        found = con.execute(
            """
            SELECT c.code, g21.lsoa21_code IS NOT NULL AS is_2021,
                coalesce(g21.lsoa21_code, s.lsoa21_code) AS lsoa21_code,
                CASE WHEN g21.lsoa21_code IS NOT NULL THEN 1.0 ELSE s.share END AS share,
                g.lad_code, g.lad_name
            FROM _partner_codes AS c
            LEFT JOIN int_lsoa21_geography AS g21 ON g21.lsoa21_code = c.code
            LEFT JOIN int_lsoa11_lsoa21_shares AS s
                ON g21.lsoa21_code IS NULL AND s.lsoa11_code = c.code
            LEFT JOIN int_lsoa21_geography AS g
                ON g.lsoa21_code = coalesce(g21.lsoa21_code, s.lsoa21_code)
            ORDER BY c.code, lsoa21_code
            """
        ).df()
    finally:
        con.unregister("_partner_codes")
    return _check_lsoa_links(rows, found, "lsoa_code", lad_code, lad_name, problems, notes)


def _check_lsoa_links(rows, found, column, lad_code, lad_name, problems, notes) -> pd.DataFrame:
    """Turn (code -> lsoa21, share, lad) links into area rows, reporting codes that are
    unknown or outside the borough on every row that uses them."""
    bad: dict[str, str] = {}
    for code, links in found.groupby("code", sort=True):
        if links["lsoa21_code"].isna().all():
            bad[code] = f"{code} is not an LSOA 2011 or 2021 code"
            continue
        outside = links[links["lad_code"] != lad_code]
        if len(outside) == len(links):
            bad[code] = f"{code} is in {outside['lad_name'].iloc[0]}, not in {lad_name}"
        elif len(outside):
            bad[code] = f"{code} (LSOA 2011) crosses the boundary of {lad_name}"
    _per_row(rows, bad, column, problems)
    areas = found[~found["code"].isin(bad) & found["lsoa21_code"].notna()]
    is_2011 = areas.loc[~areas["is_2021"].astype(bool), "code"].unique()
    if len(is_2011):
        direct = set(areas.loc[areas["is_2021"].astype(bool), "code"])
        overlap = areas[areas["code"].isin(is_2011) & areas["lsoa21_code"].isin(direct)]
        for r in overlap.itertuples():
            first = rows.loc[rows["area_code"] == r.lsoa21_code, "row"].min()
            for row in rows.loc[rows["area_code"] == r.code, "row"]:
                problems.append(
                    Problem(
                        int(row),
                        column,
                        f"{r.code} is a 2011 code covering {r.lsoa21_code}, which row {first} "
                        "gives as a 2021 code: use one year's codes throughout a file",
                    )
                )
        notes.append(
            f"{len(is_2011)} LSOA 2011 code(s) were converted to 2021 codes (split LSOAs' "
            "counts shared by Census 2021 population)"
        )
    return pd.DataFrame(
        {
            "area_code": areas["code"],
            "unit_code": areas["code"],
            "lsoa21_code": areas["lsoa21_code"],
            "share": areas["share"].astype(float),
        }
    ).reset_index(drop=True)


def _lookup_to_lsoa21(
    con, links: pd.DataFrame, rows, column, lad_code, lad_name, problems, notes
) -> pd.DataFrame:
    """links: code, lsoa11 -> LSOA 2021 links through the ONS lookup, then checked."""
    con.register("_partner_links", links)
    try:
        found = con.execute(
            """
            SELECT l.code, l.lsoa11 AS unit_code, false AS is_2021, s.lsoa21_code, s.share,
                g.lad_code, g.lad_name
            FROM _partner_links AS l
            LEFT JOIN int_lsoa11_lsoa21_shares AS s ON s.lsoa11_code = l.lsoa11
            LEFT JOIN int_lsoa21_geography AS g ON g.lsoa21_code = s.lsoa21_code
            ORDER BY l.code, s.lsoa21_code
            """
        ).df()
    finally:
        con.unregister("_partner_links")
    bad: dict[str, str] = {}
    for code, group in found.groupby("code", sort=True):
        if group["lsoa21_code"].isna().all():
            bad[code] = f"{code}: its LSOA is not in the ONS 2011 -> 2021 lookup"
        elif (group["lad_code"] != lad_code).all():
            bad[code] = f"{code} is in {group['lad_name'].iloc[0]}, not in {lad_name}"
    _per_row(rows, bad, column, problems)
    keep = found[~found["code"].isin(bad) & found["lsoa21_code"].notna()]
    keep = keep[keep["lad_code"] == lad_code]
    return pd.DataFrame(
        {
            "area_code": keep["code"],
            "unit_code": keep["unit_code"],
            "lsoa21_code": keep["lsoa21_code"],
            "share": keep["share"].astype(float),
        }
    ).reset_index(drop=True)


def _resolve_postcodes(con, rows, lad_code, lad_name, problems, notes) -> pd.DataFrame:
    wanted = pd.DataFrame({"code": sorted(rows["area_code"].unique())})
    con.register("_partner_codes", wanted)
    try:
        links = con.execute(
            "SELECT c.code, l.lsoa11cd AS lsoa11 FROM _partner_codes AS c "
            "LEFT JOIN (SELECT replace(upper(postcode), ' ', '') AS code, "
            "any_value(lsoa11cd) AS lsoa11cd "
            "FROM read_csv(?, all_varchar = true) GROUP BY 1) AS l USING (code) ORDER BY c.code",
            [str(POSTCODE_LOOKUP)],
        ).df()
    finally:
        con.unregister("_partner_codes")
    unknown = {
        code: f"{code} is not in the bundled ONS postcode lookup (May 2022), which covers "
        f"{POSTCODE_COVERAGE} only: give LSOA codes instead for other boroughs"
        for code in links.loc[links["lsoa11"].isna(), "code"]
    }
    _per_row(rows, unknown, "postcode", problems)
    links = links[links["lsoa11"].notna()]
    notes.append(
        f"{len(links)} postcode(s) placed in LSOAs with the ONS postcode lookup (May 2022)"
    )
    return _lookup_to_lsoa21(con, links, rows, "postcode", lad_code, lad_name, problems, notes)


def _practice_file() -> Path:
    for path in PRACTICE_FILES:
        if path.is_file():
            return path
    raise FileNotFoundError("no GP practice list in data/raw (see data/README.md)")


def _resolve_practices(con, rows, lad_code, lad_name, problems, notes) -> pd.DataFrame:
    wanted = pd.DataFrame({"code": sorted(rows["area_code"].unique())})
    con.register("_partner_codes", wanted)
    try:
        links = con.execute(
            "SELECT c.code, p.lsoa11cd AS lsoa11, p.code IS NOT NULL AS listed "
            "FROM _partner_codes AS c LEFT JOIN (SELECT upper(trim(practice_code)) AS code, "
            "any_value(lsoa11cd) AS lsoa11cd FROM read_csv(?, all_varchar = true) GROUP BY 1) "
            "AS p USING (code) ORDER BY c.code",
            [str(_practice_file())],
        ).df()
    finally:
        con.unregister("_partner_codes")
    bad = {
        r.code: (
            f"{r.code} has no LSOA: its postcode is newer than the ONS lookup (May 2022)"
            if r.listed
            else f"{r.code} is not in NHS England's list of GP practices (December 2025); "
            "closed or merged practices are not in it"
        )
        for r in links[links["lsoa11"].isna()].itertuples()
    }
    _per_row(rows, bad, "practice_code", problems)
    links = links[links["lsoa11"].notna()][["code", "lsoa11"]]
    notes.append(
        f"{len(links)} practice(s) placed in the LSOA of their postcode: practices are "
        "attributed to neighbourhoods by their location"
    )
    return _lookup_to_lsoa21(con, links, rows, "practice_code", lad_code, lad_name, problems, notes)


def _model_names(con, model_id: str) -> pd.DataFrame:
    return con.execute(
        "SELECT DISTINCT neighbourhood_code, neighbourhood_name, model_name, lad_code "
        "FROM neighbourhood_models WHERE model_id = ? ORDER BY neighbourhood_name",
        [model_id],
    ).df()


def _name_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _resolve_neighbourhoods(con, rows, lad_code, model_id, problems):
    names = _model_names(con, model_id) if model_id else pd.DataFrame()
    if names.empty or (names["lad_code"] != lad_code).any():
        problems.append(
            Problem(
                None,
                "neighbourhood",
                "choose the neighbourhood model of this borough whose names the file uses",
            )
        )
        return pd.DataFrame(columns=["area_code", "unit_code", "lsoa21_code", "share"]), None
    keys = {_name_key(n) for n in names["neighbourhood_name"]}
    listed = ", ".join(_quote(n, 30) for n in names["neighbourhood_name"][:8])
    more = " …" if len(names) > 8 else ""
    for r in rows.itertuples():
        if _name_key(r.area_code) not in keys:
            problems.append(
                Problem(
                    int(r.row),
                    "neighbourhood",
                    f"{_quote(r.area_code)} is not a neighbourhood of "
                    f"{_quote(names['model_name'].iloc[0], 60)} (its names: {listed}{more})",
                )
            )
    rows["area_code"] = rows["area_code"].map(_name_key)
    areas = pd.DataFrame({"area_code": sorted(rows["area_code"].unique())})
    areas["unit_code"] = areas["area_code"]
    areas["lsoa21_code"] = None
    areas["share"] = 1.0
    return areas, model_id


def _duplicates(rows: pd.DataFrame, area_column: str, kind: str) -> list[Problem]:
    key = ["area_code", "period", "measure"]
    dup = rows[rows.duplicated(key, keep=False)].sort_values("row")
    first = dup.groupby(key, dropna=False)["row"].transform("min")
    thing = "question" if kind == SURVEY else "measure"
    return [
        Problem(
            int(r.row),
            area_column,
            f"repeats row {int(f)}: the same {AREA_NAMES[area_column]}, period and "
            f"{thing} appear twice",
        )
        for r, f in zip(dup.itertuples(), first, strict=True)
        if r.row != f
    ]


def _check_service_events(rows: pd.DataFrame, area_column: str) -> list[Problem]:
    problems: list[Problem] = []
    measures = set(rows["measure"])
    parts = {m for m in measures if _part(m) is not None}
    for m in sorted(parts):
        base, suffix = _part(m)
        if f"{base}_{DENOMINATOR}" not in measures:
            row = int(rows.loc[rows["measure"] == m, "row"].min())
            problems.append(
                Problem(
                    row,
                    "measure",
                    f"{m} needs {base}_{DENOMINATOR} rows too: the rate is {suffix} / "
                    f"{DENOMINATOR}",
                )
            )
    wide = rows.pivot_table(
        index=["area_code", "period"], columns="measure", values="count", aggfunc="first"
    )
    line = rows.pivot_table(
        index=["area_code", "period"], columns="measure", values="row", aggfunc="first"
    )
    bases = sorted({_part(m)[0] for m in parts if f"{_part(m)[0]}_{DENOMINATOR}" in measures})
    for base in bases:
        booked = f"{base}_{DENOMINATOR}"
        members = [f"{base}_{s}" for s in PARTS if f"{base}_{s}" in measures]
        for m in members:
            missing = wide[m].isna() & wide[booked].notna()
            for (code, period), r in line.loc[missing, booked].items():
                problems.append(
                    Problem(
                        int(r),
                        "measure",
                        f"{booked} for {code}, {period} has no {m} row (give 0 if there were none)",
                    )
                )
            orphan = wide[m].notna() & wide[booked].isna()
            for (code, period), r in line.loc[orphan, m].items():
                problems.append(
                    Problem(int(r), "measure", f"{m} for {code}, {period} has no {booked} row")
                )
            over = wide[m] > wide[booked]
            for (code, period), r in line.loc[over.fillna(False), m].items():
                problems.append(
                    Problem(
                        int(r),
                        "count",
                        f"{m} ({int(wide.at[(code, period), m])}) is more than {booked} "
                        f"({int(wide.at[(code, period), booked])}, row "
                        f"{int(line.at[(code, period), booked])})",
                    )
                )
        if len(members) > 1:
            total = wide[members].sum(axis=1, min_count=len(members))
            over = (total > wide[booked]).fillna(False)
            for (code, period), r in line.loc[over, booked].items():
                problems.append(
                    Problem(
                        int(r),
                        "count",
                        f"{' + '.join(members)} is more than {booked} for {code}, {period}",
                    )
                )
    return problems


def _part(measure: str) -> tuple[str, str] | None:
    base, _, suffix = measure.rpartition("_")
    return (base, suffix) if base and suffix in PARTS else None


# ---------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Spec:
    """One indicator of a dataset. Indicators of one family share their suppression."""

    key: str  # measure or question it reports
    family: str
    numerator: str  # a measure, or 'agreeing'
    denominator: str | None  # a measure, or 'respondents'; None for a count
    label: str
    polarity: str


def _specs(kind: str, measures: list[str], polarity: str = "no_judgement") -> list[Spec]:
    if kind == SURVEY:
        return [
            Spec(q, q, "agreeing", "respondents", f"{q} (% agreeing)", polarity) for q in measures
        ]
    specs = []
    present = set(measures)
    denominators = set()
    for m in measures:
        part = _part(m)
        if part and f"{part[0]}_{DENOMINATOR}" in present:
            base, suffix = part
            denominators.add(f"{base}_{DENOMINATOR}")
            label = f"{base.replace('_', ' ').capitalize()} {suffix} (% of {DENOMINATOR})"
            specs.append(Spec(m, f"{base}_{DENOMINATOR}", m, f"{base}_{DENOMINATOR}", label,
                              PARTS[suffix]))  # fmt: skip
    for m in measures:
        if m not in denominators and not (_part(m) and f"{_part(m)[0]}_{DENOMINATOR}" in present):
            label = f"{m.replace('_', ' ').capitalize()} (count)"
            specs.append(Spec(m, m, m, None, label, "no_judgement"))
    return sorted(specs, key=lambda s: s.key)


def _indicator_ids(dataset_id: str, specs: list[Spec]) -> dict[str, str]:
    base = f"{disclosure.USER_PREFIX}{_id_slug(dataset_id, 60)}"
    ids, taken = {}, set()
    for spec in specs:
        stem = f"{base}__{_id_slug(spec.key)}"
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = f"{stem}_{n}"
        taken.add(candidate)
        ids[spec.key] = candidate
    return ids


# ---------------------------------------------------------------- storing


def dataset_id_for(lad_code: str, dataset_name: str) -> str:
    """The id of a dataset: borough code plus a slug of its name."""
    return f"{lad_code}_data_{slugify(dataset_name)}"


def threshold(con: duckdb.DuckDBPyConnection) -> int:
    """The suppression threshold in force (see `disclosure.threshold`)."""
    return disclosure.threshold(con)


def set_threshold(con: duckdb.DuckDBPyConnection, value: int) -> int:
    """Store a new threshold and re-suppress every dataset; return how many were redone."""
    value = disclosure.check_threshold(value)
    con.execute(
        "INSERT OR REPLACE INTO usr.user_settings VALUES ('suppress_below', ?)", [str(value)]
    )
    return refresh_stale(con)


def save_dataset(
    con: duckdb.DuckDBPyConnection,
    dataset: ValidatedDataset,
    dataset_name: str,
    *,
    organisation: str = "",
    source_file: str = "",
    polarity: str = "no_judgement",
    replace: bool = False,
) -> str:
    """Store a validated dataset, its indicators and their suppressed values in one
    transaction; return its id. An existing dataset of the same name in the borough is
    replaced only when `replace` is true."""
    dataset_name = _clean_text(dataset_name)[:MAX_NAME_LENGTH]
    organisation = _clean_text(organisation)[:MAX_NAME_LENGTH]
    source_file = _clean_text(source_file)[:MAX_TEXT]
    if not dataset_name:
        raise DataFileError([Problem(None, None, "the dataset needs a name")])
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}")
    dataset_id = dataset_id_for(dataset.lad_code, dataset_name)
    exists = con.execute(
        "SELECT dataset_name FROM usr.user_datasets WHERE dataset_id = ?", [dataset_id]
    ).fetchall()
    if exists and not replace:
        raise DataFileError(
            [
                Problem(
                    None,
                    None,
                    f"a dataset called {_quote(exists[0][0], 60)} already exists in "
                    f"{dataset.lad_name}: choose another name, or replace it",
                )
            ]
        )
    meta = {
        "dataset_id": dataset_id,
        "dataset_name": dataset_name,
        "lad_code": dataset.lad_code,
        "kind": dataset.kind,
        "area_column": dataset.area_column,
        "model_id": dataset.model_id,
        "organisation": organisation,
        "source_file": source_file,
        "polarity": polarity,
        "uploaded_at": datetime.now().replace(microsecond=0),
        "row_count": len(dataset.rows),
    }
    rows = dataset.rows.assign(dataset_id=dataset_id)[
        ["dataset_id", "row", "area_code", "period", "period_start", "measure", "count",
         "respondents", "agreeing"]
    ].rename(columns={"row": "row_number"})  # fmt: skip
    areas = dataset.areas.assign(dataset_id=dataset_id)[
        ["dataset_id", "area_code", "unit_code", "lsoa21_code", "share"]
    ]
    limit = threshold(con)
    catalogue, values = materialise(con, meta, rows, areas, limit)
    meta["aggregated_state"] = _state(con, dataset.lad_code, limit)
    con.register("_partner_rows", rows)
    con.register("_partner_areas", areas)
    try:
        con.execute("BEGIN TRANSACTION")
        _delete(con, dataset_id)
        con.execute(
            "INSERT INTO usr.user_datasets BY NAME SELECT * FROM (SELECT "
            + ", ".join(f"? AS {k}" for k in meta)
            + ")",
            list(meta.values()),
        )
        con.execute("INSERT INTO usr.user_dataset_rows BY NAME SELECT * FROM _partner_rows")
        con.execute("INSERT INTO usr.user_dataset_areas BY NAME SELECT * FROM _partner_areas")
        _write_indicators(con, dataset_id, catalogue, values)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_partner_rows")
        con.unregister("_partner_areas")
    return dataset_id


def _write_indicators(con, dataset_id: str, catalogue: pd.DataFrame, values: pd.DataFrame):
    """Insert a dataset's catalogue rows and values (inside the caller's transaction)."""
    columns = {r[0] for r in con.execute("DESCRIBE usr.user_indicator_catalogue").fetchall()}
    catalogue = catalogue[[c for c in catalogue.columns if c in columns]]
    con.register("_partner_catalogue", catalogue)
    con.register("_partner_values", values)
    link = pd.DataFrame(
        {"dataset_id": dataset_id, "indicator_id": catalogue["indicator_id"].astype(str)}
    )
    con.register("_partner_link", link)
    try:
        con.execute("INSERT INTO usr.user_dataset_indicators SELECT * FROM _partner_link")
        con.execute(
            "INSERT INTO usr.user_indicator_catalogue BY NAME SELECT * FROM _partner_catalogue"
        )
        _insert_values(con)
    finally:
        for name in ("_partner_catalogue", "_partner_values", "_partner_link"):
            con.unregister(name)


def _insert_values(con) -> None:
    con.execute("INSERT INTO usr.user_indicator_values BY NAME SELECT * FROM _partner_values")


def _delete(con, dataset_id: str) -> None:
    """Remove a dataset's rows, indicators and values (inside the caller's transaction)."""
    con.execute(
        "DELETE FROM usr.user_indicator_values WHERE indicator_id IN (SELECT indicator_id "
        "FROM usr.user_dataset_indicators WHERE dataset_id = ?)",
        [dataset_id],
    )
    con.execute(
        "DELETE FROM usr.user_indicator_catalogue WHERE indicator_id IN (SELECT indicator_id "
        "FROM usr.user_dataset_indicators WHERE dataset_id = ?)",
        [dataset_id],
    )
    for table in USER_TABLES:
        con.execute(f"DELETE FROM usr.{table} WHERE dataset_id = ?", [dataset_id])


def delete_dataset(con: duckdb.DuckDBPyConnection, dataset_id: str) -> None:
    """Remove an uploaded dataset with its indicators and values."""
    con.execute("BEGIN TRANSACTION")
    try:
        _delete(con, dataset_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _state(con, lad_code: str, limit: int) -> str:
    """What a dataset's values depend on besides its own rows: the public build, the
    borough's uploaded models and the threshold. A change means re-aggregation."""
    build = con.execute("SELECT built_at FROM pub.build_info").fetchall()[0][0]
    models = con.execute(
        "SELECT model_id, uploaded_at FROM usr.user_models WHERE lad_code = ? ORDER BY model_id",
        [lad_code],
    ).fetchall()
    return f"v{VERSION}|{build}|{limit}|" + ",".join(f"{m}@{t}" for m, t in models)


def refresh_stale(con: duckdb.DuckDBPyConnection) -> int:
    """Re-aggregate and re-suppress datasets whose inputs changed; return how many."""
    limit = threshold(con)
    datasets = con.execute("SELECT * FROM usr.user_datasets ORDER BY dataset_id").df()
    states: dict[str, str] = {}
    done = 0
    for meta in datasets.to_dict("records"):
        lad = meta["lad_code"]
        if lad not in states:
            states[lad] = _state(con, lad, limit)
        if meta["aggregated_state"] == states[lad]:
            continue
        rows = con.execute(
            "SELECT * FROM usr.user_dataset_rows WHERE dataset_id = ? ORDER BY row_number",
            [meta["dataset_id"]],
        ).df()
        areas = con.execute(
            "SELECT * FROM usr.user_dataset_areas WHERE dataset_id = ?", [meta["dataset_id"]]
        ).df()
        catalogue, values = materialise(con, meta, rows, areas, limit)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "DELETE FROM usr.user_indicator_values WHERE indicator_id IN (SELECT "
                "indicator_id FROM usr.user_dataset_indicators WHERE dataset_id = ?)",
                [meta["dataset_id"]],
            )
            con.execute(
                "DELETE FROM usr.user_indicator_catalogue WHERE indicator_id IN (SELECT "
                "indicator_id FROM usr.user_dataset_indicators WHERE dataset_id = ?)",
                [meta["dataset_id"]],
            )
            con.execute(
                "DELETE FROM usr.user_dataset_indicators WHERE dataset_id = ?",
                [meta["dataset_id"]],
            )
            _write_indicators(con, meta["dataset_id"], catalogue, values)
            con.execute(
                "UPDATE usr.user_datasets SET aggregated_state = ? WHERE dataset_id = ?",
                [states[lad], meta["dataset_id"]],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        done += 1
    return done


# ---------------------------------------------------------------- aggregation


def materialise(
    con: duckdb.DuckDBPyConnection,
    meta: dict,
    rows: pd.DataFrame,
    areas: pd.DataFrame,
    limit: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Catalogue rows and suppressed indicator values of one dataset (nothing written)."""
    polarity = meta.get("polarity") or "no_judgement"
    specs = _specs(meta["kind"], sorted(rows["measure"].unique()), polarity)
    ids = _indicator_ids(meta["dataset_id"], specs)
    geography = _Geography.load(con, meta, areas)
    frames = []
    for family in sorted({s.family for s in specs}):
        members = [s for s in specs if s.family == family]
        frames.append(_family_values(rows, members, ids, geography, meta, limit))
    values = pd.concat(frames, ignore_index=True)
    catalogue = _catalogue(meta, specs, ids, geography, limit)
    # An indicator with no rows (e.g. its neighbourhood model was deleted) is left out of the
    # catalogue: pages list only indicators that have periods.
    catalogue = catalogue[catalogue["indicator_id"].isin(set(values["indicator_id"]))]
    return catalogue.reset_index(drop=True), values


@dataclass
class _Geography:
    """Where a dataset's areas sit: leaves (LSOAs 2021, or neighbourhoods for a survey by
    neighbourhood), the neighbourhoods of every model made of them, and the borough."""

    lad_code: str
    lad_name: str
    by_neighbourhood: bool
    publish_leaves: bool
    leaf_names: dict[str, str]
    models: pd.DataFrame  # model_id, model_name, neighbourhood_code, neighbourhood_name, leaf
    links: pd.DataFrame  # area_code, unit_code, leaf, share
    model_name: str = ""

    @classmethod
    def load(cls, con, meta: dict, areas: pd.DataFrame) -> _Geography:
        lad_code = meta["lad_code"]
        lad_name = _lad_name(con, lad_code)
        if meta["area_column"] == "neighbourhood":
            model = _model_names(con, meta["model_id"]) if meta["model_id"] else pd.DataFrame()
            if model.empty:
                model = pd.DataFrame(
                    columns=["neighbourhood_code", "neighbourhood_name", "model_name"]
                )
            model["leaf"] = model["neighbourhood_name"].map(_name_key)
            model = model.drop_duplicates("leaf")
            links = areas.assign(leaf=areas["area_code"])[
                ["area_code", "unit_code", "leaf", "share"]
            ]
            links = links[links["leaf"].isin(set(model["leaf"]))]
            return cls(
                lad_code=lad_code,
                lad_name=lad_name,
                by_neighbourhood=True,
                publish_leaves=True,
                leaf_names=dict(zip(model["leaf"], model["neighbourhood_name"], strict=True)),
                models=model.assign(model_id=meta["model_id"])[
                    ["model_id", "model_name", "neighbourhood_code", "neighbourhood_name", "leaf"]
                ],
                links=links,
                model_name=model["model_name"].iloc[0] if len(model) else "",
            )
        models = con.execute(
            "SELECT model_id, model_name, neighbourhood_code, neighbourhood_name, "
            "lsoa21_code AS leaf FROM neighbourhood_models WHERE lad_code = ? "
            "ORDER BY model_id, neighbourhood_code, leaf",
            [lad_code],
        ).df()
        names = con.execute(
            "SELECT lsoa21_code, lsoa21_name FROM int_lsoa21_geography WHERE lad_code = ?",
            [lad_code],
        ).fetchall()
        return cls(
            lad_code=lad_code,
            lad_name=lad_name,
            by_neighbourhood=False,
            publish_leaves=meta["area_column"] != "practice_code",
            leaf_names=dict(names),
            models=models,
            links=areas.rename(columns={"lsoa21_code": "leaf"})[
                ["area_code", "unit_code", "leaf", "share"]
            ],
        )


def _family_values(
    rows: pd.DataFrame,
    specs: list[Spec],
    ids: dict[str, str],
    geography: _Geography,
    meta: dict,
    limit: int,
) -> pd.DataFrame:
    """Values of one family of indicators (e.g. missed and attended over booked), with one
    suppression pattern for the family, every period."""
    if specs[0].numerator == "agreeing":  # survey question
        part = rows[rows["measure"] == specs[0].key]
        wide = part.set_index(["area_code", "period"])[["respondents", "agreeing"]].astype(float)
        measures = ["respondents", "agreeing"]
    else:
        measures = sorted({s.numerator for s in specs} | {s.denominator for s in specs} - {None})
        part = rows[rows["measure"].isin(measures)]
        wide = part.pivot_table(
            index=["area_code", "period"], columns="measure", values="count", aggfunc="sum"
        ).astype(float)
        wide = wide.reindex(columns=measures)
    starts = rows.groupby("period")["period_start"].min()
    # Source areas -> leaves (LSOA 2021 or neighbourhood), counts shared by `share`.
    linked = wide.reset_index().merge(geography.links, on="area_code", how="inner")
    for m in measures:
        linked[m] = linked[m] * linked["share"]
    out = []
    for period, at_period in linked.groupby("period", sort=True):
        leaf_values = at_period.groupby("leaf")[measures].sum()
        units = at_period.pivot_table(
            index="leaf", columns="unit_code", values="share", aggfunc="max", fill_value=0.0
        ).reindex(leaf_values.index)
        table = _area_table(geography, list(leaf_values.index))
        membership = table.membership
        counts = membership.astype(float) @ leaf_values.to_numpy()
        kinds = _kinds(specs, measures, counts)
        kind_leaves = _kinds(specs, measures, leaf_values.to_numpy())
        groups = disclosure.hierarchy_groups(
            membership, kind_leaves, table.leaf_rows, table.partitions
        )
        hidden = disclosure.suppress(
            kinds, groups, limit, vectors=membership.astype(float) @ units.to_numpy()
        )
        for spec in specs:
            numerator = counts[:, measures.index(spec.numerator)]
            denominator = counts[:, measures.index(spec.denominator)] if spec.denominator else None
            frame = table.rows.assign(
                indicator_id=ids[spec.key],
                period=period,
                period_start=starts[period],
            )
            frame = _with_values(frame, numerator, denominator)
            frame["suppressed"] = hidden
            for column in disclosure.NULLED:
                frame.loc[hidden, column] = np.nan
            out.append(frame)
    columns = [
        "area_type", "area_code", "area_name", "model_id", "lad_code", "indicator_id", "period",
        "period_start", *disclosure.NULLED, "suppressed",
    ]  # fmt: skip
    if not out:
        return pd.DataFrame(columns=columns)
    result = pd.concat(out, ignore_index=True)[columns]
    result["period_start"] = pd.to_datetime(result["period_start"]).dt.date
    return result


def _kinds(specs: list[Spec], measures: list[str], counts: np.ndarray) -> np.ndarray:
    """The counts suppression looks at: each numerator, and for a proportion its complement."""
    columns = []
    for spec in specs:
        numerator = counts[:, measures.index(spec.numerator)]
        columns.append(numerator)
        if spec.denominator:
            columns.append(counts[:, measures.index(spec.denominator)] - numerator)
    return np.column_stack(columns)


def _with_values(frame: pd.DataFrame, numerator: np.ndarray, denominator) -> pd.DataFrame:
    frame = frame.copy()
    if denominator is None:
        frame["value"] = numerator
        frame["numerator"] = numerator
        frame["denominator"] = np.nan
        for column in disclosure.NULLED[3:]:
            frame[column] = np.nan
        return frame
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["value"] = np.where(denominator > 0, numerator / denominator * 100, np.nan)
    frame["numerator"] = numerator
    frame["denominator"] = denominator
    safe_num = np.minimum(numerator, denominator)  # shares can leave 1e-15 rounding over
    for level, confidence in (("95", 0.95), ("998", 0.998)):
        lower, upper = stats.wilson_ci(safe_num, denominator, confidence)
        frame[f"lower_ci{level}"] = np.asarray(lower) * 100
        frame[f"upper_ci{level}"] = np.asarray(upper) * 100
    return frame


@dataclass
class _AreaTable:
    rows: pd.DataFrame  # area_type, area_code, area_name, model_id, lad_code
    membership: np.ndarray  # rows x leaves
    leaf_rows: np.ndarray
    partitions: np.ndarray


def _area_table(geography: _Geography, leaves: list[str]) -> _AreaTable:
    """The published rows made from the leaves that have data: leaves (if published), every
    model's neighbourhoods that contain any of them, and the borough."""
    index = {leaf: i for i, leaf in enumerate(leaves)}
    records, members, leaf_rows, partitions = [], [], [], []
    if geography.publish_leaves and not geography.by_neighbourhood:
        for leaf in leaves:
            records.append(("lsoa", leaf, geography.leaf_names.get(leaf, leaf), None))
            members.append([index[leaf]])
            leaf_rows.append(True)
            partitions.append(-1)
    models = geography.models[geography.models["leaf"].isin(index)]
    for number, (model_id, model) in enumerate(models.groupby("model_id", sort=True)):
        for code, hood in model.groupby("neighbourhood_code", sort=True):
            records.append(("neighbourhood", code, hood["neighbourhood_name"].iloc[0], model_id))
            members.append([index[leaf] for leaf in hood["leaf"]])
            leaf_rows.append(geography.by_neighbourhood)
            partitions.append(-1 if geography.by_neighbourhood else number)
    records.append(("lad", geography.lad_code, geography.lad_name, None))
    members.append(list(range(len(leaves))))
    leaf_rows.append(False)
    partitions.append(-1)
    membership = np.zeros((len(records), len(leaves)), dtype=bool)
    for r, cols in enumerate(members):
        membership[r, cols] = True
    frame = pd.DataFrame(records, columns=["area_type", "area_code", "area_name", "model_id"])
    frame["lad_code"] = geography.lad_code
    return _AreaTable(frame, membership, np.array(leaf_rows), np.array(partitions))


def _catalogue(
    meta: dict, specs: list[Spec], ids: dict[str, str], geography: _Geography, limit: int
) -> pd.DataFrame:
    organisation = meta.get("organisation") or ""
    by = display_text(organisation) if organisation else "your organisation"
    name = display_text(meta["dataset_name"])
    uploaded = pd.Timestamp(meta["uploaded_at"]).strftime("%d %B %Y")
    where = {
        "lsoa_code": (
            "LSOA 2021 (LSOA 2011 codes converted: a split LSOA's counts are shared between "
            "its 2021 LSOAs by Census 2021 population, so some counts are fractional). "
        ),
        "postcode": (
            "Postcodes placed in LSOAs with the ONS postcode lookup (May 2022), bundled for "
            f"{POSTCODE_COVERAGE} only; 2011 LSOAs converted to 2021 by population share. "
        ),
        "practice_code": (
            "Practices attributed to neighbourhoods by their location (NHS England practice "
            "list, December 2025; ONS postcode lookup); registered patients live elsewhere "
            "too, so no LSOA values are shown. "
        ),
        "neighbourhood": (
            f"Given for the neighbourhoods of the model "
            f"'{display_text(geography.model_name)}' only: no LSOA values, and no values for "
            "other models. "
        ),
    }[meta["area_column"]]
    geography_words = {
        "lsoa_code": "LSOA 2021 (from the uploaded LSOA codes)",
        "postcode": "postcode, placed in LSOAs 2021",
        "practice_code": "GP practice, placed in the LSOA of its postcode",
        "neighbourhood": f"neighbourhoods of '{display_text(geography.model_name)}'",
    }[meta["area_column"]]
    area_types = (
        "neighbourhood,lad"
        if meta["area_column"] in ("neighbourhood", "practice_code")
        else "lsoa,neighbourhood,lad"
    )
    common = (
        f"Uploaded on {uploaded} from the file '{display_text(meta['source_file'] or '?')}' "
        f"by {by}. {where}Counts below {limit} are suppressed (shown blank and flagged), and "
        "further rows where a total would reveal them. Neighbourhood and borough values add "
        "up the areas in the file: areas left out count as no data, not as zero. No England "
        "comparator: this is one organisation's data for one borough."
    )
    epoch = int(pd.Timestamp(meta["uploaded_at"]).timestamp())
    records = []
    for order, spec in enumerate(specs):
        proportion = spec.denominator is not None
        if spec.numerator == "agreeing":
            definition = (
                f"Respondents agreeing with '{display_text(spec.key)}' as a percentage of "
                "respondents (unweighted)."
            )
            caveat = (
                " A survey proportion with Wilson intervals that assume a simple random "
                "sample; weighting is not applied."
            )
        elif proportion:
            definition = (
                f"{spec.numerator} as a percentage of {spec.denominator}, from the counts uploaded."
            )
            caveat = " Wilson score intervals for the proportion."
        else:
            definition = f"Number of {spec.key.replace('_', ' ')} (sum of the uploaded counts)."
            caveat = " A count: it depends on the size of the area."
        records.append(
            {
                "indicator_id": ids[spec.key],
                "name": f"{display_text(spec.label)} – {name}",
                "domain": DOMAIN,
                "definition": definition,
                "unit": "%" if proportion else "count",
                "polarity": spec.polarity if spec.polarity in POLARITIES else "no_judgement",
                "aggregation": "ratio" if proportion else "sum",
                "source": f"Uploaded by {by}",
                "publisher": by,
                "licence": f"Held by {by}: share only as your data-sharing agreements allow",
                "caveats": common + caveat,
                "multiplier": 100.0 if proportion else 1.0,
                "ci_method": "wilson" if proportion else "none",
                "geography": geography_words,
                "sort_order": 10**13 + epoch * 1000 + order,
                "area_types": area_types,
                "coverage": f"{geography.lad_name} only (your data)",
            }
        )
    return pd.DataFrame(records)


# ---------------------------------------------------------------- reading back


def list_datasets(con: duckdb.DuckDBPyConnection, lad_code: str) -> pd.DataFrame:
    """The borough's uploaded datasets, newest first, with their periods and indicators."""
    return con.execute(
        """
        SELECT d.dataset_id, d.dataset_name, d.kind, d.area_column, d.model_id,
            d.organisation, d.source_file, d.uploaded_at, d.row_count,
            p.first_period, p.last_period, p.periods,
            (SELECT count(*) FROM usr.user_dataset_indicators AS i
             WHERE i.dataset_id = d.dataset_id) AS indicators
        FROM usr.user_datasets AS d
        LEFT JOIN (
            SELECT dataset_id, min(period) AS first_period, max(period) AS last_period,
                count(DISTINCT period) AS periods
            FROM usr.user_dataset_rows GROUP BY dataset_id
        ) AS p USING (dataset_id)
        WHERE d.lad_code = ?
        ORDER BY d.uploaded_at DESC, d.dataset_id
        """,
        [lad_code],
    ).df()


def dataset_polarity(con: duckdb.DuckDBPyConnection, dataset_id: str) -> str | None:
    """The polarity chosen for a dataset's survey questions (None if there is no dataset)."""
    found = con.execute(
        "SELECT polarity FROM usr.user_datasets WHERE dataset_id = ?", [dataset_id]
    ).fetchall()
    return found[0][0] if found else None


def dataset_indicators(con: duckdb.DuckDBPyConnection, dataset_id: str) -> pd.DataFrame:
    """The catalogue rows of one dataset's indicators."""
    return con.execute(
        "SELECT c.* FROM usr.user_indicator_catalogue AS c JOIN usr.user_dataset_indicators "
        "AS i USING (indicator_id) WHERE i.dataset_id = ? ORDER BY c.sort_order",
        [dataset_id],
    ).df()


def dataset_values(
    con: duckdb.DuckDBPyConnection,
    dataset_id: str,
    model_id: str | None = None,
    *,
    lsoas: bool = True,
) -> pd.DataFrame:
    """A dataset's values as stored (suppressed) for the borough, one model's neighbourhoods
    (all models if None) and, optionally, LSOAs; passed through `protect_frame` again (with
    the secondary check too: the frame holds whole models and every LSOA)."""
    frame = con.execute(
        """
        SELECT c.name AS indicator, v.area_type, v.area_code, v.area_name, v.model_id,
            v.lad_code, v.indicator_id, v.period, v.period_start, v.value, v.numerator,
            v.denominator, v.lower_ci95, v.upper_ci95, v.lower_ci998, v.upper_ci998,
            coalesce(v.suppressed, false) AS suppressed
        FROM usr.user_indicator_values AS v
        JOIN usr.user_dataset_indicators AS i USING (indicator_id)
        JOIN usr.user_indicator_catalogue AS c USING (indicator_id)
        WHERE i.dataset_id = ?
          AND (v.area_type = 'lad' OR (v.area_type = 'lsoa' AND ?)
               OR (v.area_type = 'neighbourhood' AND (? IS NULL OR v.model_id = ?)))
        ORDER BY c.sort_order, v.period,
            CASE v.area_type WHEN 'lad' THEN 0 WHEN 'neighbourhood' THEN 1 ELSE 2 END,
            v.model_id, v.area_name
        """,
        [dataset_id, lsoas, model_id, model_id],
    ).df()
    return disclosure.protect_frame(frame, threshold(con), secondary=True)


def for_download(frame: pd.DataFrame) -> pd.DataFrame:
    """A protected values frame made safe for spreadsheets: text cells that Excel would read
    as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
            )
    return out


def templates() -> list[Path]:
    """The downloadable templates and illustrative examples, by name."""
    return sorted(TEMPLATES_DIR.glob("*.csv"))
