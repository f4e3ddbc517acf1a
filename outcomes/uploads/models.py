"""A council's own neighbourhood model, from a CSV of `lsoa_code, neighbourhood`.

Validation names the line and column of every problem and nothing is stored unless the whole
file is valid. An accepted model is stored with its indicator values (what the build publishes
for its own models) in one transaction, in the user database that a rebuild of the public data
never touches; then the partner data of the borough is re-aggregated onto it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from outcomes.identity import User
from outcomes.text import clean_text
from outcomes.uploads import audit, geography, refresh, storage
from outcomes.uploads.cells import quote
from outcomes.uploads.formats import MAX_NAME_LENGTH, name_slug, unique_id
from outcomes.uploads.problems import DataFileError, ModelFileError
from outcomes.uploads.reading import decode

MAX_BYTES = 5 * 1024 * 1024
LSOA_CODE = re.compile(r"^E01\d{6}$")
REQUIRED = ("lsoa_code", "neighbourhood")
UNASSIGNED = "Unassigned"
MEMBERSHIP_COLUMNS = [
    "model_id", "model_name", "lad_code", "neighbourhood_code", "neighbourhood_name",
    "lsoa21_code",
]  # fmt: skip


@dataclass
class ValidatedModel:
    """A model that passed validation: 2021 LSOA -> neighbourhood, plus what to tell the user."""

    lad_code: str
    assignments: dict[str, str]
    unassigned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes, for the audit log
    rows: int = 0  # data rows in the file


def _too_large(size: int) -> str:
    return f"the file is {size / 1e6:.1f} MB; the limit is {MAX_BYTES // 1_000_000} MB"


def parse_model_csv(data: bytes) -> list[tuple[int, str, str]]:
    """(line, lsoa_code, neighbourhood) rows of a model file, or ModelFileError."""
    try:
        text = decode(
            data,
            MAX_BYTES,
            _too_large,
            empty="the file is empty; expected a header 'lsoa_code,neighbourhood'",
        )
    except DataFileError as exc:  # the same reasons, worded by line as model problems are
        raise ModelFileError(
            [f"line {p.row}: {p.message}" if p.row else p.message for p in exc.details]
        ) from exc
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
        code, name = row[code_at].strip().upper(), clean_text(row[name_at])
        problems += _row_problems(line, code, name, row[code_at])
        rows.append((line, code, name))
    if problems:
        raise ModelFileError(problems)
    if not rows:
        raise ModelFileError(["the file has a header but no rows"])
    return rows


def _row_problems(line: int, code: str, name: str, given: str) -> list[str]:
    problems = []
    if not code:
        problems.append(f"line {line}, column lsoa_code: empty")
    elif not LSOA_CODE.match(code):
        problems.append(
            f"line {line}, column lsoa_code: {given!r} is not an English LSOA code "
            "(E01 and six digits)"
        )
    if not name:
        problems.append(f"line {line}, column neighbourhood: empty name")
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(
            f"line {line}, column neighbourhood: name longer than {MAX_NAME_LENGTH} characters"
        )
    return problems


def validate_model(con: duckdb.DuckDBPyConnection, data: bytes, lad_code: str) -> ValidatedModel:
    """Check a model file against the borough's LSOAs (2011 or 2021 codes accepted)."""
    rows = parse_model_csv(data)
    frame = pd.DataFrame(rows, columns=["line", "code", "neighbourhood"])
    resolved = geography.resolve_model_codes(con, frame)
    borough = set(geography.borough_lsoas(con, lad_code))
    assignments = _assign(resolved, borough)
    notes: list[str] = []
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
        sha256=audit.sha256(data),
        rows=len(rows),
    )


def _assign(resolved: pd.DataFrame, borough: set[str]) -> dict[str, tuple[int, str]]:
    """LSOA 2021 -> (first line, neighbourhood), or ModelFileError naming every code that is
    unknown, outside the borough or given to two neighbourhoods."""
    problems: list[str] = []
    assignments: dict[str, tuple[int, str]] = {}
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
        if not earlier:
            assignments[r.lsoa21_code] = (r.line, r.neighbourhood)
    if problems:
        raise ModelFileError(sorted(set(problems), key=_line_number))
    return assignments


def _line_number(problem: str) -> int:
    match = re.match(r"line (\d+)", problem)
    return int(match.group(1)) if match else 0


def model_id_for(con: duckdb.DuckDBPyConnection, lad_code: str, model_name: str) -> str:
    """The id of a user's model: borough code plus a slug of its name (and a short hash when
    the slug loses letters or another model's name has it: `formats.unique_id`)."""
    stored = storage.store_for(con).list_models(lad_code)
    names = dict(zip(stored["model_id"], stored["model_name"], strict=True))
    model_id = unique_id(f"{lad_code}_user_", model_name, names.get)
    if model_id is None:
        raise ModelFileError(
            ["another model of this borough has a name too close to this one: choose another"]
        )
    return model_id


def membership_frame(model: ValidatedModel, model_id: str, model_name: str) -> pd.DataFrame:
    """The model's LSOAs with their neighbourhoods, as stored and aggregated."""
    pairs = [*model.assignments.items(), *((code, UNASSIGNED) for code in model.unassigned)]
    frame = pd.DataFrame(pairs, columns=["lsoa21_code", "neighbourhood_name"])
    # One code per distinct name: names whose slugs coincide ('North', 'north', '!!', '??')
    # get a numeric suffix, so they are never summed together.
    codes: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(frame["neighbourhood_name"].unique()):
        stem, n = name_slug(name), 1
        while (code := stem if n == 1 else f"{stem}-{n}") in taken:
            n += 1
        taken.add(code)
        codes[name] = code
    frame["neighbourhood_code"] = model_id + ":" + frame["neighbourhood_name"].map(codes)
    frame["model_id"] = model_id
    frame["model_name"] = model_name
    frame["lad_code"] = model.lad_code
    return frame[MEMBERSHIP_COLUMNS]


def save_model(
    con: duckdb.DuckDBPyConnection,
    model: ValidatedModel,
    model_name: str,
    source_file: str = "",
    *,
    user: User,
) -> str:
    """Store a validated model, its owner and values in one transaction with its audit
    entry, then re-aggregate the borough's partner data onto it; return its id. A model of the
    same name in the same borough is replaced, if `user` may change it (its owner or a
    steward; it keeps its owner); otherwise PermissionError."""
    audit.require_upload(user)
    model_name = clean_text(model_name)[:MAX_NAME_LENGTH]
    if not model_name:
        raise ModelFileError(["the model needs a name"])
    model_id = model_id_for(con, model.lad_code, model_name)
    membership = membership_frame(model, model_id, model_name)
    store = storage.store_for(con)
    existing = store.get_model(model_id)
    if existing:
        what = f"The model {quote(existing['model_name'], 60)}"
        audit.require_may_change(user, what, existing["owner_email"], existing["owner_name"])
    entry = audit.entry(
        user,
        audit.REPLACE if existing else audit.UPLOAD,
        audit.MODEL,
        model_id,
        model_name,
        lad_code=model.lad_code,
        sha256=model.sha256 or None,
        row_count=model.rows,
        detail=f"file {clean_text(source_file)[:200]!r}; "
        f"{len(set(model.assignments.values()))} neighbourhoods, "
        f"{len(model.assignments)} LSOAs",
    )
    store.save_model(
        membership,
        source_file=source_file,
        build=refresh.public_build(con),
        owner=_owner(existing, user),
        audit=entry,
    )
    refresh.refresh_stale(con)
    return model_id


def _owner(existing: dict | None, user: User) -> dict[str, str]:
    """Who owns a saved model: its owner so far, or whoever uploads a new one."""
    if existing:
        return {k: existing[k] or "" for k in ("owner_email", "owner_name", "organisation")}
    return {"owner_email": user.email, "owner_name": user.name, "organisation": user.organisation}


def delete_model(con: duckdb.DuckDBPyConnection, model_id: str, *, user: User) -> None:
    """Remove a user's model and its values with an audit entry, if `user` may (its owner or
    a steward; otherwise PermissionError), then re-aggregate the partner data that was given
    for it. Shipped models and unknown ids are left alone."""
    store = storage.store_for(con)
    existing = store.get_model(model_id)
    if existing is None:
        return
    what = f"The model {quote(existing['model_name'], 60)}"
    audit.require_may_change(user, what, existing["owner_email"], existing["owner_name"])
    entry = audit.entry(
        user,
        audit.DELETE,
        audit.MODEL,
        model_id,
        existing["model_name"],
        lad_code=existing["lad_code"],
        detail=f"owner {existing['owner_email']}",
    )
    store.delete_model(model_id, entry)
    refresh.refresh_stale(con)


def list_models(con: duckdb.DuckDBPyConnection, lad_code: str) -> pd.DataFrame:
    """The borough's uploaded models with their owners: model_id, model_name, owner_email,
    owner_name, organisation, uploaded_at."""
    listed = storage.store_for(con).list_models(lad_code)
    return listed[["model_id", "model_name", "owner_email", "owner_name", "organisation",
                   "uploaded_at"]]  # fmt: skip
