"""Uploaded bytes to checked records: one decoder for every upload, then the dataset CSV.

`decode` turns the bytes of any upload (a neighbourhood model or a partner dataset) into text,
refusing with a clear reason what is not CSV text: too big, empty, an Excel workbook, UTF-16,
another encoding than UTF-8, NUL bytes. `parse_csv` then reads a dataset file: its header says
which format it is (`formats`), and every cell is checked (`cells`), each problem with its row
and column. Nothing is looked up against the data here (`geography`, `checks` do that).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from outcomes.text import clean_text
from outcomes.uploads import cells, formats
from outcomes.uploads.problems import DataFileError, Problem

MB = 1024 * 1024
EXCEL = (
    "this is an Excel workbook, not a CSV file: in Excel use File > Save As > "
    "'CSV UTF-8 (Comma delimited) (*.csv)' and upload that file"
)


def decode(
    data: bytes,
    max_bytes: int,
    too_large: Callable[[int], str],
    empty: str = "the file is empty",
) -> str:
    """The text of an uploaded CSV file, or DataFileError saying why it is not one.
    `too_large(size)` words the refusal of a file over `max_bytes`; `empty` that of a file
    with nothing in it."""
    if len(data) > max_bytes:
        raise DataFileError([Problem(None, None, too_large(len(data)))])
    if not data.strip():
        raise DataFileError([Problem(1, None, empty)])
    what = binary_kind(data)
    if what:
        raise DataFileError([Problem(None, None, what)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError([_not_utf8(data, exc.start)]) from exc
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise DataFileError([Problem(row, None, "the file contains NUL bytes: not a CSV file")])
    return text


# The first bytes of files that are not text, and what to call them.
MAGIC = (
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an executable program"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
UTF16 = (
    "the file is UTF-16 text (Excel's 'Unicode Text'), not CSV: save it as "
    "'CSV UTF-8 (Comma delimited)'"
)
NOT_TEXT = ", not CSV text: upload the CSV file itself"


def binary_kind(data: bytes) -> str | None:
    """Why `data` is not CSV text, recognised from its first bytes (an Excel workbook, an
    image, a compressed or other binary file, UTF-16 or UTF-32 text), or None."""
    head = data[:4096]
    if head[:2] == b"PK":
        return _zip_kind(head)
    if head[:4] == b"\xd0\xcf\x11\xe0":  # an old Excel (.xls) or other Office file
        return EXCEL
    for magic, name in MAGIC:
        if head.startswith(magic):
            return f"the file is {name}" + NOT_TEXT
    if head[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "the file is UTF-32 text, not CSV: save it as 'CSV UTF-8 (Comma delimited)'"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(head):
        return UTF16
    if b"\x00" in head:
        return "the file holds binary data (NUL bytes)" + NOT_TEXT
    return None


def _zip_kind(head: bytes) -> str:
    """A workbook (.xlsx) is a ZIP archive whose first entry is one of Office's parts; any
    other named first entry (e.g. 'data.csv') makes it a plain ZIP archive."""
    size = int.from_bytes(head[26:28], "little") if len(head) >= 30 else 0
    first = head[30 : 30 + size]
    office = (b"[Content_Types]", b"_rels/", b"docProps/", b"xl/", b"customXml/")
    if not first or first.startswith(office):
        return EXCEL
    name = first.decode("utf-8", "replace")
    return f"the file is a ZIP archive (holding {cells.quote(name)})" + NOT_TEXT


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 text without a byte order mark: mostly ASCII, so every other byte is NUL."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4 or not (even and odd):
        return False
    zeros = (even.count(0) / len(even), odd.count(0) / len(odd))
    return max(zeros) > 0.4 and min(zeros) < 0.05


def _not_utf8(data: bytes, at: int) -> Problem:
    """Where the first byte that is not UTF-8 is: its row, and the column of the header (its
    name if the header names it plainly, otherwise its position)."""
    start = data.rfind(b"\n", 0, at) + 1
    row = data[:at].count(b"\n") + 1
    header = data.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").split(",")
    position = data[start:at].count(b",")
    name = header[position].strip().strip('"').lower() if position < len(header) else ""
    return Problem(
        row,
        name if re.fullmatch(r"[a-z0-9_]{1,60}", name) else f"{position + 1}",
        f"the file is not UTF-8 text (byte {data[at]:#x}): Excel's 'CSV (Comma delimited)' "
        "uses another encoding. Save it as 'CSV UTF-8 (Comma delimited)'.",
    )


def _dataset_too_large(size: int) -> str:
    return (
        f"the file is {size / MB:.1f} MB; the limit is {formats.MAX_BYTES // MB} MB. "
        "Split it (e.g. one file per year) and upload each part as its own dataset."
    )


# ---------------------------------------------------------------- dataset files


@dataclass
class ParsedFile:
    """The rows of a well-formed file (types checked, nothing looked up yet)."""

    kind: str
    area_column: str
    rows: pd.DataFrame  # row, area_code, period, period_start, measure, count | respondents...
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # rows left out of `rows`


def parse_csv(data: bytes, *, strict: bool = True) -> ParsedFile:
    """Check a file's shape and every cell's format; ParsedFile or DataFileError. With
    `strict` false, rows with problems are left out and listed in `problems` instead (so that
    the checks against the data can report the other rows' problems in the same go)."""
    text = decode(data, formats.MAX_BYTES, _dataset_too_large)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise DataFileError([Problem(1, None, "the file is empty")])
        columns, kind, area_column, notes = read_header(header)
        _read_records(reader, records)
    except csv.Error as exc:  # e.g. a value over the csv module's 128 KB limit
        row = len(records) + 2 if header is not None else 1
        raise DataFileError([Problem(row, None, f"not readable as CSV ({exc})")]) from exc
    parsed = _parse_records(records, columns, kind, area_column, notes)
    if strict and parsed.problems:
        raise DataFileError(parsed.problems)
    return parsed


def _read_records(reader, records: list[tuple[int, list[str]]]) -> None:
    """Append (row number, cells) of every record after the header, up to MAX_ROWS (in
    place, so that a CSV error can say which row it is in)."""
    for row_number, record in enumerate(reader, start=2):
        if len(records) >= formats.MAX_ROWS:
            raise DataFileError(
                [
                    Problem(
                        None,
                        None,
                        f"the file has more than {formats.MAX_ROWS:,} rows: split it into "
                        "several files (e.g. one per year) and upload each as its own dataset",
                    )
                ]
            )
        records.append((row_number, record))


def read_header(header: list[str]) -> tuple[list[str], str, str, list[str]]:
    """(column names, kind, area column, notes) of a header, or DataFileError."""
    names = _header_names(header)
    problems = [
        Problem(1, f"{i + 1}", "a column has no name in the header")
        if not name
        else Problem(1, name, "this column appears twice in the header")
        for i, name in enumerate(names)
        if not name or name in names[:i]
    ]
    kind = _kind(names, problems)
    areas = [c for c in formats.AREA_COLUMNS[kind] if c in names]
    problems += _area_column_problems(kind, areas)
    needed = formats.VALUE_COLUMNS[kind]
    problems += [
        Problem(
            1,
            column,
            f"missing from the header; {formats.KIND_NAMES[kind].lower()} need "
            + ", ".join(needed),
        )
        for column in needed
        if column not in names
    ]
    if problems:
        raise DataFileError(problems)
    known = {*formats.AREA_COLUMNS[kind], *needed}
    extra = [n for n in names if n not in known]
    notes = [f"ignored column(s): {', '.join(extra)}"] if extra else []
    return names, kind, areas[0], notes


def _header_names(header: list[str]) -> list[str]:
    """Column names as compared: cleaned, lower case, spaces as underscores."""
    names = [clean_text(h).strip().strip('"').lower().replace(" ", "_") for h in header]
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
    return names


def _kind(names: list[str], problems: list[Problem]) -> str:
    """Which format the header is (service events or survey), or DataFileError."""
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
    return formats.SURVEY if survey else formats.SERVICE_EVENTS


def _area_column_problems(kind: str, areas: list[str]) -> list[Problem]:
    """A file has exactly one area column."""
    if not areas:
        return [
            Problem(
                1,
                None,
                f"no area column: {formats.KIND_NAMES[kind].lower()} need one of "
                + ", ".join(f"'{c}'" for c in formats.AREA_COLUMNS[kind]),
            )
        ]
    if len(areas) > 1:
        return [
            Problem(
                1,
                areas[1],
                f"use one area column per file (found {' and '.join(areas)}); upload each kind "
                "of area as its own dataset",
            )
        ]
    return []


def _parse_records(
    records: list[tuple[int, list[str]]],
    columns: list[str],
    kind: str,
    area_column: str,
    notes: list[str],
) -> ParsedFile:
    problems: list[Problem] = []
    out: list[dict[str, object]] = []
    for row, record in records:
        if not any(cell.strip() for cell in record):
            continue
        before = len(problems)
        parsed = _parse_record(row, record, columns, kind, area_column, problems)
        if parsed is None:  # more values than columns: nothing else is checked
            continue
        if len(problems) == before:
            out.append(parsed)
        if len(problems) > formats.MAX_PROBLEMS:
            break
    if not problems and not out:
        raise DataFileError([Problem(None, None, "the file has a header but no data rows")])
    if not problems:
        problems += _mixed_periods(out)
    return ParsedFile(kind, area_column, _rows_frame(out, kind), notes, problems)


def _parse_record(
    row: int,
    record: list[str],
    columns: list[str],
    kind: str,
    area_column: str,
    problems: list[Problem],
) -> dict[str, object] | None:
    """One record's values; its problems are added to `problems`."""
    if len(record) > len(columns) and any(c.strip() for c in record[len(columns) :]):
        problems.append(
            Problem(
                row,
                f"{len(columns) + 1} (beyond the header)",
                f"{len(record)} values but the header has {len(columns)} columns (a comma "
                "inside a name? put that name in double quotes)",
            )
        )
        return None
    cell = dict(zip(columns, record + [""] * (len(columns) - len(record)), strict=False))
    parsed: dict[str, object] = {"row": row}
    parsed["area_code"] = cells.parse_area(cell[area_column], area_column, row, problems)
    period = cells.parse_period(cell["period"])
    if isinstance(period, str):
        problems.append(Problem(row, "period", period))
    else:
        parsed["period"], parsed["period_start"] = period
    if kind == formats.SERVICE_EVENTS:
        parsed["measure"] = cells.parse_measure(cell["measure"], row, problems)
        parsed["count"] = cells.parse_count(cell["count"], row, "count", problems)
    else:
        parsed["measure"] = cells.parse_question(cell["question"], row, problems)
        for column in ("respondents", "agreeing"):
            parsed[column] = cells.parse_count(cell[column], row, column, problems)
    return parsed


def _rows_frame(out: list[dict[str, object]], kind: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        out,
        columns=["row", "area_code", "period", "period_start", "measure", "count",
                 "respondents", "agreeing"],
    )  # fmt: skip
    if kind == formats.SERVICE_EVENTS:
        frame["respondents"] = pd.NA
        frame["agreeing"] = pd.NA
    else:
        frame["count"] = pd.NA
    return frame.astype(
        {"row": "int64", "count": "Int64", "respondents": "Int64", "agreeing": "Int64"}
    )


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
