"""One cell of a dataset file: its format checked, a clear reason when it is wrong.

Each parser returns the value, or None after adding a `Problem` (row, column, reason) to the
caller's list, so that one pass over a file reports every bad cell at once.
"""

from __future__ import annotations

import re
from datetime import date

from outcomes.text import clean_text
from outcomes.uploads import formats
from outcomes.uploads.problems import Problem

# Codes, periods and counts are ASCII only (re.ASCII: `\d` is 0-9): Arabic-Indic or
# full-width digits would otherwise be read as a second copy of the same period or count.
LSOA_CODE = re.compile(r"^[EW]01\d{6}$", re.ASCII)
PRACTICE_CODE = re.compile(r"^[A-Z]\d{5}$", re.ASCII)
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$", re.ASCII)
MEASURE = re.compile(r"^[a-z][a-z0-9_]{0,59}$", re.ASCII)
WHOLE = re.compile(r"^\d+(\.0*)?$", re.ASCII)
MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
YEAR = re.compile(r"\d{4}", re.ASCII)
MASKED = re.compile(
    r"^(\*+|[<≤]\s*=?\s*\d+(\.\d+)?|c|x|\.\.?|-|–|—|~|n/?a|s|supp(ressed)?|redacted|"
    r"\d+\s*-\s*\d+)$",
    re.IGNORECASE | re.ASCII,
)
MAX_COUNT = 10**12
OTHER_DIGITS = (
    "uses digits other than 0-9 (e.g. Arabic-Indic or full-width digits): write it with the "
    "digits 0-9"
)


def quote(text: str, limit: int = 40) -> str:
    """User text quoted in a message, cut to `limit` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def parse_area(cell: str, column: str, row: int, problems: list[Problem]) -> str | None:
    """An area as stored: a code in upper case (a postcode without spaces), or a name."""
    raw = clean_text(cell)
    if not raw:
        problems.append(Problem(row, column, f"empty: give a {formats.AREA_NAMES[column]}"))
        return None
    if column == "neighbourhood":
        if len(raw) > formats.MAX_NAME_LENGTH:
            problems.append(
                Problem(row, column, f"longer than {formats.MAX_NAME_LENGTH} characters")
            )
        return raw
    code = raw.upper().replace(" ", "") if column == "postcode" else raw.upper()
    problem = _area_problem(raw, code, column)
    if problem:
        problems.append(Problem(row, column, problem))
    return code


def _area_problem(raw: str, code: str, column: str) -> str | None:
    if column == "lsoa_code" and not LSOA_CODE.match(code):
        return f"{quote(raw)} is not an LSOA code (E01 and six digits)"
    if column == "lsoa_code" and code.startswith("W"):
        return f"{quote(raw)} is a Welsh LSOA: only English areas are covered"
    if column == "practice_code" and not PRACTICE_CODE.match(code):
        return f"{quote(raw)} is not a GP practice code (a letter and five digits, e.g. P91003)"
    if column == "postcode" and not POSTCODE.match(code):
        return f"{quote(raw)} is not a full UK postcode"
    return None


def parse_period(cell: str) -> tuple[str, date] | str:
    """(period, first day) of a month YYYY-MM or a year YYYY, or why the cell is not one."""
    text = cell.strip()
    hint = (
        "expected a month as YYYY-MM (e.g. 2024-03) or a year as YYYY; if Excel turned "
        "2024-03 into a date, format the column as Text and type the months again"
    )
    if not text:
        return "empty: give the month (YYYY-MM) or year (YYYY)"
    if other_digits(text):
        return f"{quote(text)}: {OTHER_DIGITS}"
    month = MONTH.fullmatch(text)
    year = YEAR.fullmatch(text)
    if month:
        y, m = int(month.group(1)), int(month.group(2))
        if not 1 <= m <= 12:
            return f"{quote(text)}: month {m} does not exist"
        if len(month.group(2)) != 2:
            return f"{quote(text)}: write the month with two digits ({y}-{m:02d})"
        if not 1990 <= y <= 2100:
            return f"{quote(text)}: year {y} is out of range"
        return f"{y}-{m:02d}", date(y, m, 1)
    if year:
        y = int(text)
        if not 1990 <= y <= 2100:
            return f"{quote(text)}: year {y} is out of range"
        return text, date(y, 1, 1)
    if re.fullmatch(r"\d{4}/\d{2}", text, re.ASCII):
        return (
            f"{quote(text)}: financial years are not supported; give months (YYYY-MM) or "
            "calendar years (YYYY)"
        )
    return f"{quote(text)} is not a month or year: {hint}"


def parse_measure(cell: str, row: int, problems: list[Problem]) -> str | None:
    """A measure name: lower-case letters, digits and underscores."""
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
                f"{quote(cell.strip())}: a measure name is lower-case letters, digits and "
                "underscores, starting with a letter (at most 60), e.g. appointments_missed",
            )
        )
        return None
    return text


def parse_question(cell: str, row: int, problems: list[Problem]) -> str | None:
    """A survey question or statement, as text."""
    text = clean_text(cell)
    if not text:
        problems.append(Problem(row, "question", "empty: give the question or statement"))
        return None
    if len(text) > formats.MAX_TEXT:
        problems.append(Problem(row, "question", f"longer than {formats.MAX_TEXT} characters"))
        return None
    return text


def parse_count(cell: str, row: int, column: str, problems: list[Problem]) -> int | None:
    """A whole number of 0 or more; masked values ('*', '<5') are refused, with the reason."""
    text = cell.strip()
    if WHOLE.match(text):
        digits = text.split(".")[0].lstrip("0") or "0"
        # Checked before int(): Python refuses to convert more than 4,300 digits.
        if len(digits) <= len(str(MAX_COUNT)) and int(digits) <= MAX_COUNT:
            return int(digits)
    problems.append(Problem(row, column, _count_problem(text)))
    return None


def other_digits(text: str) -> bool:
    """Whether `text` holds digits other than 0-9 (Arabic-Indic, full-width, ...)."""
    return any(c.isdigit() and not c.isascii() for c in text)


def _count_problem(text: str) -> str:
    if not text:
        return "empty: give a whole number (0 if none)"
    if other_digits(text):
        return f"{quote(text)}: {OTHER_DIGITS}"
    if MASKED.match(text):
        return (
            f"{quote(text)} looks like a suppressed or masked value. Send the unsuppressed "
            "counts: the dashboard suppresses small numbers itself before it shows or "
            "downloads anything."
        )
    if WHOLE.match(text):
        return f"{quote(text)} is too large"
    if re.fullmatch(r"-\s*\d+(\.\d*)?", text):
        return f"{quote(text)} is negative: counts cannot be below 0"
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return f"{quote(text)}: write numbers without thousands separators"
    if re.fullmatch(r"\d*\.\d+", text):
        return f"{quote(text)} is not a whole number: counts are whole numbers"
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", text):
        return (
            f"{quote(text)} is in scientific notation: format the column as Number with no "
            "decimals in Excel and save again"
        )
    return f"{quote(text)} is not a whole number"
