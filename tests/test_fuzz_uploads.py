"""Fuzzing the two upload validators (partner datasets and council models) with a mutation
corpus: thousands of files made from real seed files by byte flips, truncation, huge numbers,
odd encodings, byte order marks, carriage returns, quotes, empty cells, unknown codes,
suppressed cells, duplicated headers, extra columns, binary junk and more.

Every file goes through both validators, as a user could upload it to either form. What must
hold for every one:
* the only exceptions are the documented ones (`DataFileError`, `ModelFileError`);
* every problem of a rejection says where it is (a row and/or a column), except the reasons
  that concern the whole file (too large, not text, no rows ...);
* nothing is stored from a rejected file: the user database is unchanged;
* what is accepted is clean: ASCII periods, counts in range, names without control
  characters.

The seeds are real: the templates and examples in data/templates/ (Census 2021 and NHS
England figures for Trafford), Trafford's published localities and real postcodes and GP
practices of the fixture build. Two seeds hold synthetic counts, labelled where they are made.
The mutations come from fixed random seeds, so a failure is reproduced by its file number.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from outcomes import db
from outcomes.identity import local_user
from outcomes.text import CONTROL
from outcomes.uploads import datasets, formats, models
from outcomes.uploads.problems import DataFileError, ModelFileError

PROJECT_DIR = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT_DIR / "data" / "templates"
LOCALITIES_CSV = (
    PROJECT_DIR / "data/raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv"
)
TRAFFORD = "E08000009"
LOCALITIES = "E08000009_localities2023"
DATASET_FILES = 2_500  # mutants of the dataset seeds
MODEL_FILES = 2_500  # mutants of the model seeds
SAVED = 6  # accepted files of each test that are also saved (and deleted again)

# Reasons about a whole file, where no row or column applies.
FILE_LEVEL = re.compile(
    r"the file is \d|the limit is|the file is empty|the first row is empty|Excel workbook|"
    r"not CSV text|UTF-16 text|UTF-32 text|has a header but no (data )?rows|more than [\d,]+ rows|"
    r"would make \d+ indicators|… and \d+ more problems|semicolons or tabs|"
    r"header matches neither format|no area column|has a name too close"
)
# A column as a problem names it: a column name or a position ('3', '5 (beyond the header)').
ONE_COLUMN = re.compile(r"[a-z0-9_]{1,60}|\d+( \(beyond the header\))?")
ASCII_PERIOD = re.compile(r"[0-9]{4}(-[0-9]{2})?")

# Cell values a careless, unlucky or hostile file holds.
ODD_CELLS = [
    "", " ", "*", "**", "<5", "< 5", "≤3", "c", "x", "..", "-", "n/a", "suppressed", "1-4",
    "-1", "- 3", "1.5", "2.0", "1e3", "1E+06", "1,234", "12 ", " 7", "0x10", "NaN", "None",
    "null", "TRUE", "9" * 20, "9" * 5_000, "0" * 5_000 + "7", "1" + "0" * 12, "1" + "0" * 13,
    "٢٠٢٤-٠٣", "２０２４-03", "2024-٠٣", "۱۲", "١٢٣", "１２", "½", "²", "2024-3", "2024-13",
    "2024/25", "1899", "2101-01", "24-03", "March 2024", "2024-03-01", "01/03/2024",
    "E01999999", "W01000001", "E0100607", "e01006074", "E01006185", "E02001234", "ZZ99 9ZZ",
    "M41 0RZ", "m410rz", "M41", "P99999", "P91003", "Y00000",
    '=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "@SUM(1)",
    "a\x00b", "\x1b[31mred", "\u202eevil", "zero\u200bwidth", "tab\there", "x" * 300,
    '"', 'say "hi"', "a,b", "a\nb", "a\rb", "北区", "南区 model", "👍", "Ünïcödé",
    "appointments_booked", "appointments_missed", "appointments_attended", "Booked!",
    "1st_measure", "m" * 61, "[x](http://example.invalid)", "![x](http://example.invalid/x.png)",
    "<b>bold</b>", ":red[alert]", "$x^2$",
]  # fmt: skip
ODD_HEADERS = [
    "lsoa_code", "LSOA_CODE", " lsoa code ", "postcode", "practice_code", "neighbourhood",
    "period", "measure", "count", "question", "respondents", "agreeing", "", "extra",
    "lsoa21cd", "Count ", "\ufeffperiod", "count;period", "count\tperiod",
]  # fmt: skip
JUNK = [
    b"\x00", b"\x00\x00\x00\x00", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x1f\x8b\x08",
    b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF-1.7", b"\x80\x81\xfe",
    b"\xc3\x28", b"\xe2\x82", b"\r", b"\r\n", b"\n\n\n", b",,,", b'"', b'"""', b"\x1a",
]  # fmt: skip


# ---------------------------------------------------------------- the seed files


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _head(path: Path, rows: int) -> bytes:
    """The header and first `rows` rows of a real file (small seeds keep the fuzz quick)."""
    lines = path.read_bytes().splitlines(keepends=True)
    return b"".join(lines[: rows + 1])


def _localities() -> list[tuple[str, str]]:
    with LOCALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        return [(r["lsoa21cd"], r["locality_2023"]) for r in csv.DictReader(handle)]


def dataset_seeds() -> list[bytes]:
    """Real files in each format the Your data page takes (small cuts of them)."""
    real = [
        _head(TEMPLATES / "example_real_census_no_car_trafford_localities.csv", 4),
        _head(TEMPLATES / "example_real_census_no_car_trafford_lsoa.csv", 8),
        _head(TEMPLATES / "example_real_online_consultations_trafford_practices.csv", 8),
    ]
    codes = [code for code, _ in _localities()[:4]]
    # synthetic: booked, missed and attended appointments (made-up counts) for real LSOAs
    events = [
        row
        for i, code in enumerate(codes)
        for month in ("2025-01", "2025-02")
        for row in (
            [code, month, "appointments_booked", 100 + 10 * i],
            [code, month, "appointments_missed", 3 + i],
            [code, month, "appointments_attended", 90 + i],
        )
    ]
    # synthetic: referral counts (made-up) for real Trafford postcodes
    postcodes = [
        [pc, "2024", "referrals", n]
        for pc, n in (("M41 0RZ", 4), ("WA15 7LT", 12), ("WA15 6HE", 2), ("M15 4AB", 30))
    ]
    return [
        *real,
        _csv(["lsoa_code", "period", "measure", "count"], events),
        _csv(["postcode", "period", "measure", "count"], postcodes),
    ]


def model_seeds() -> list[bytes]:
    """Trafford's published localities as an upload-ready model, whole and in parts."""
    pairs = _localities()
    return [
        _csv(["lsoa_code", "neighbourhood"], [list(p) for p in pairs]),
        _csv(["lsoa_code", "neighbourhood"], [list(p) for p in pairs[:20]]),
        _csv(["neighbourhood", "lsoa_code"], [[n, c] for c, n in pairs[20:40]]),
    ]


# ---------------------------------------------------------------- mutations


def _records(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8", "replace")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return [text.split(",")]


def _cell_mutation(change: Callable[[random.Random, list[list[str]]], None]):
    """A mutation of the parsed records, written back as CSV."""

    def mutate(rng: random.Random, data: bytes) -> bytes:
        records = _records(data) or [[""]]
        change(rng, records)
        out = io.StringIO()
        csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"])).writerows(records)
        return out.getvalue().encode("utf-8")

    return mutate


def _pick_cell(rng: random.Random, records: list[list[str]]) -> tuple[int, int]:
    r = rng.randrange(len(records))
    while not records[r]:
        records[r].append("")
    return r, rng.randrange(len(records[r]))


@_cell_mutation
def odd_cell(rng: random.Random, records: list[list[str]]) -> None:
    r, c = _pick_cell(rng, records[1:] or records)
    (records[1:] or records)[r][c] = rng.choice(ODD_CELLS)


@_cell_mutation
def odd_header(rng: random.Random, records: list[list[str]]) -> None:
    header = records[0]
    if not header:
        header.append("")
    action = rng.randrange(4)
    if action == 0:  # rename or blank a column
        header[rng.randrange(len(header))] = rng.choice(ODD_HEADERS)
    elif action == 1:  # a duplicated column
        header.append(rng.choice(header))
    elif action == 2:  # an extra column, with values
        header.append(rng.choice(ODD_HEADERS))
        for record in records[1:]:
            record.append(rng.choice(ODD_CELLS[:30]))
    else:  # a column dropped
        del header[rng.randrange(len(header))]


@_cell_mutation
def odd_rows(rng: random.Random, records: list[list[str]]) -> None:
    action = rng.randrange(5)
    body = records[1:]
    if action == 0 and body:  # a row repeated
        records.append(list(rng.choice(body)))
    elif action == 1 and body:  # a row with too few or too many values
        row = list(rng.choice(body))
        records.append(row[: rng.randrange(len(row) + 1)] + ["x"] * rng.randrange(3))
    elif action == 2:  # empty rows
        records.insert(rng.randrange(1, len(records) + 1), [])
    elif action == 3:  # only the header
        del records[1:]
    else:  # rows shuffled
        rng.shuffle(body)
        records[1:] = body


@_cell_mutation
def many_rows(rng: random.Random, records: list[list[str]]) -> None:
    """The same rows many times over (duplicates on every row but the first copies)."""
    records[1:] = records[1:] * rng.randrange(2, 10)


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data or b"x")
    for _ in range(rng.randrange(1, 6)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def insert_junk(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice(JUNK) if rng.random() < 0.7 else rng.randbytes(rng.randrange(1, 64))
    return data[:at] + junk + data[at:]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def cut_slice(rng: random.Random, data: bytes) -> bytes:
    a = rng.randrange(len(data) + 1)
    return data[:a] + data[a + rng.randrange(1, 40) :]


def line_ends(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\r", b"\r\r\n"]))


def bom(rng: random.Random, data: bytes) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe"]) + data


def encoding(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    codec = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"])
    return text.encode(codec, "replace")


def separators(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b",", rng.choice([b";", b"\t", b"|", b", "]))


def compressed_or_image(rng: random.Random, data: bytes) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:
        return gzip.compress(data, mtime=0)
    if choice == 1:
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(200)
    return rng.randbytes(rng.randrange(1, 600))


def quotes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice([b'"', b'""', b'"x', b"'", b'"\n"']) + data[at:]


def huge_field(rng: random.Random, data: bytes) -> bytes:
    """A value over the csv module's 128 KB field limit, or a very long line."""
    filler = b"9" * 140_000 if rng.random() < 0.5 else b'"' + b"x" * 140_000 + b'"'
    lines = data.split(b"\n")
    lines.insert(min(len(lines), 1 + rng.randrange(3)), b"E01006074,2024," + filler)
    return b"\n".join(lines)


MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    odd_cell, odd_cell, odd_cell, odd_cell, odd_header, odd_header, odd_rows, odd_rows,
    many_rows, flip_bytes, flip_bytes, insert_junk, truncate, cut_slice, line_ends, bom,
    encoding, separators, compressed_or_image, quotes, huge_field,
]  # fmt: skip


def mutants(seeds: list[bytes], count: int, seed: int) -> Iterator[tuple[int, bytes]]:
    """`count` files, each a seed with one to three mutations (numbered, reproducible)."""
    rng = random.Random(seed)
    for number in range(count):
        data = rng.choice(seeds)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            data = rng.choice(MUTATIONS)(rng, data)
        yield number, data


# ---------------------------------------------------------------- the store and the checks


@pytest.fixture(scope="module")
def con(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The fixture build (real rows of Trafford and two other boroughs) and a user database
    that already holds a model and a dataset, so that a stray delete would show too."""
    user_db = tmp_path_factory.mktemp("fuzz") / "user.duckdb"
    base = db.open_database(fixture_db, user_db)
    cur = db.cursor(base)
    user = local_user()
    model = models.validate_model(cur, model_seeds()[1], TRAFFORD)
    models.save_model(cur, model, "Resident model", "model.csv", user=user)
    dataset = datasets.validate_dataset(cur, dataset_seeds()[3], TRAFFORD)
    datasets.save_dataset(cur, dataset, "Resident data", user=user, source_file="data.csv")
    cur.execute("CHECKPOINT")
    yield Store(cur, user_db)
    base.close()


class Store:
    """The cursor the validators use, and the user database's files on disk."""

    def __init__(self, con, path: Path) -> None:
        self.con = con
        self.files = (path, path.with_name(path.name + ".wal"))

    def disk(self) -> tuple:
        """Size and modification time of the database and its write-ahead log: any write that
        is committed changes them (a cheap check after every file)."""
        return tuple(
            (f.stat().st_size, f.stat().st_mtime_ns) if f.exists() else None for f in self.files
        )


def fingerprint(con) -> dict[str, tuple]:
    """Every user table's row count and a hash of its rows: equal iff nothing was written."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'usr' ORDER BY 1"
        ).fetchall()
    ]
    sql = " UNION ALL ".join(
        f"SELECT '{t}', count(*), coalesce(bit_xor(hash(t)), 0) FROM usr.{t} AS t" for t in tables
    )
    return {r[0]: r[1:] for r in con.execute(sql).fetchall()}


def located(problem, lines: int) -> str | None:
    """Why a dataset problem does not say where it is (None if it does)."""
    if problem.row is None and not problem.column:
        return None if FILE_LEVEL.search(problem.message) else "no row or column"
    if problem.row is not None and not 1 <= problem.row <= lines + 1:
        return f"row {problem.row} is outside the file's {lines} lines"
    if problem.column and problem.row != 1 and not ONE_COLUMN.fullmatch(problem.column):
        return f"column {problem.column!r} is not one column's name or position"
    return None


def model_located(problem: str) -> str | None:
    """Why a model problem (text) does not say where it is (None if it does)."""
    if re.match(r"line \d+", problem) or FILE_LEVEL.search(problem):
        return None
    return "no line"


def clean_dataset(dataset: datasets.ValidatedDataset) -> list[str]:
    """What is wrong with an accepted dataset (nothing, for a clean one)."""
    rows = dataset.rows
    wrong = [f"period {p!r}" for p in rows["period"].unique() if not ASCII_PERIOD.fullmatch(p)]
    for column in ("count", "respondents", "agreeing"):
        values = rows[column].dropna()
        wrong += [f"{column} {v}" for v in values if not 0 <= v <= 10**12]
    texts = [*rows["measure"].unique(), *rows["area_code"].unique()]
    wrong += [f"control character in {t!r}" for t in texts if CONTROL.search(t)]
    return wrong


def clean_model(model: models.ValidatedModel) -> list[str]:
    names = set(model.assignments.values())
    return [
        f"name {n!r}"
        for n in names
        if CONTROL.search(n) or not n or len(n) > formats.MAX_NAME_LENGTH or n != n.strip()
    ]


class Tally:
    """What happened to the fuzzed files, for the assertions and the report."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []

    def fail(self, number: int, validator: str, why: str) -> None:
        if len(self.failures) < 20:
            self.failures.append(f"file {number} ({validator}): {why}")
        self.counts["failures"] += 1


def run_dataset(con, number: int, data: bytes, tally: Tally) -> datasets.ValidatedDataset | None:
    lines = data.count(b"\n") + data.count(b"\r") + 1
    try:
        found = datasets.validate_dataset(con, data, TRAFFORD, LOCALITIES)
    except DataFileError as exc:
        tally.counts["dataset rejected"] += 1
        for problem in exc.details:
            why = located(problem, lines)
            if why:
                tally.fail(number, "dataset", f"{why}: {problem}")
        return None
    except ModelFileError as exc:  # documented, but a dataset rejection carries its details
        tally.fail(number, "dataset", f"ModelFileError without details: {exc}")
        return None
    except Exception as exc:  # the point: nothing else may escape
        tally.counts["escaped"] += 1
        tally.fail(number, "dataset", f"escaped {type(exc).__name__}: {str(exc)[:200]}")
        return None
    tally.counts["dataset accepted"] += 1
    for why in clean_dataset(found):
        tally.fail(number, "dataset", f"accepted but {why}")
    return found


def run_model(con, number: int, data: bytes, tally: Tally) -> models.ValidatedModel | None:
    try:
        found = models.validate_model(con, data, TRAFFORD)
    except ModelFileError as exc:
        tally.counts["model rejected"] += 1
        for problem in exc.problems:
            why = model_located(problem)
            if why:
                tally.fail(number, "model", f"{why}: {problem}")
        return None
    except Exception as exc:  # the point: nothing else may escape
        tally.counts["escaped"] += 1
        tally.fail(number, "model", f"escaped {type(exc).__name__}: {str(exc)[:200]}")
        return None
    tally.counts["model accepted"] += 1
    for why in clean_model(found):
        tally.fail(number, "model", f"accepted but {why}")
    return found


def save_and_remove(con, dataset, model, tally: Tally) -> None:
    """An accepted file saved as the page would, then deleted: the documented errors only."""
    user = local_user()
    try:
        if dataset is not None:
            dataset_id = datasets.save_dataset(
                con, dataset, "Fuzzed data", user=user, source_file="fuzz.csv", replace=True
            )
            datasets.delete_dataset(con, dataset_id, user=user)
            tally.counts["dataset saved"] += 1
        if model is not None:
            model_id = models.save_model(con, model, "Fuzzed model", "fuzz.csv", user=user)
            models.delete_model(con, model_id, user=user)
            tally.counts["model saved"] += 1
    except ModelFileError:
        tally.counts["rejected when saved"] += 1


def fuzz(store: Store, files: Iterator[tuple[int, bytes]], tally: Tally) -> None:
    """Every file through both validators. After every file the database files on disk are
    unchanged unless an accepted file was saved; the contents (every row of every user table)
    are compared before and after each run of rejected files."""
    con = store.con
    contents, disk = fingerprint(con), store.disk()
    for number, data in files:
        tally.counts["files"] += 1
        dataset = run_dataset(con, number, data, tally)
        model = run_model(con, number, data, tally)
        saved = tally.counts["dataset saved"] + tally.counts["model saved"]
        if (dataset is not None or model is not None) and saved < SAVED:
            if fingerprint(con) != contents:
                tally.fail(number, "store", "the user database changed")
            save_and_remove(con, dataset, model, tally)
            contents, disk = fingerprint(con), store.disk()
        elif store.disk() != disk:
            tally.fail(number, "store", "the user database files changed")
            disk = store.disk()
    if fingerprint(con) != contents:
        tally.fail(-1, "store", "the user database changed")


# ---------------------------------------------------------------- the tests


def test_dataset_mutants_through_both_validators(con: Store) -> None:
    tally = Tally()
    fuzz(con, mutants(dataset_seeds(), DATASET_FILES, seed=20240), tally)
    print(dict(tally.counts))
    assert tally.counts["files"] == DATASET_FILES
    assert not tally.failures, "\n".join(tally.failures)
    assert tally.counts["escaped"] == 0
    # the corpus exercises both outcomes
    assert tally.counts["dataset rejected"] > DATASET_FILES // 3
    assert tally.counts["dataset accepted"] > DATASET_FILES // 20


def test_model_mutants_through_both_validators(con: Store) -> None:
    tally = Tally()
    fuzz(con, mutants(model_seeds(), MODEL_FILES, seed=20241), tally)
    print(dict(tally.counts))
    assert tally.counts["files"] == MODEL_FILES
    assert not tally.failures, "\n".join(tally.failures)
    assert tally.counts["escaped"] == 0
    assert tally.counts["model rejected"] > MODEL_FILES // 3
    assert tally.counts["model accepted"] > MODEL_FILES // 20
