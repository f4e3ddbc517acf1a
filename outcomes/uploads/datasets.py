"""Partner datasets: a file validated into rows, stored with its indicators, read back.

Validation names the row and column of every problem, and nothing is stored from a rejected
file. An accepted file is written in one transaction to the user database (which a rebuild of
the public data never touches): its rows, how its areas map onto LSOAs 2021, catalogue rows
(domain 'Your data') and indicator values for the LSOAs, every neighbourhood model of the
borough and the borough itself, all after small-number suppression (`disclosure`). Values are
re-aggregated (`refresh`) whenever the public build, the borough's uploaded models or the
suppression threshold change.

User text (names, questions) is data: it is bound as a parameter or registered as a frame,
never put into SQL, and pages show it through `outcomes.text.escape_markdown` or tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from outcomes.identity import User
from outcomes.text import clean_text
from outcomes.uploads import (
    aggregation,
    audit,
    checks,
    disclosure,
    formats,
    geography,
    refresh,
    storage,
)
from outcomes.uploads.catalogue import specs
from outcomes.uploads.cells import quote
from outcomes.uploads.problems import DataFileError, Problem
from outcomes.uploads.reading import ParsedFile, parse_csv

LISTED = [
    "dataset_id", "dataset_name", "kind", "area_column", "model_id", "owner_email",
    "owner_name", "organisation",
    "source_file", "uploaded_at", "row_count", "first_period", "last_period", "periods",
    "indicators",
]  # fmt: skip


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
    sha256: str = ""  # of the file's bytes, for the audit log

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
    lad_name = geography.lad_name(con, lad_code)
    rows = parsed.rows
    problems: list[Problem] = list(parsed.problems)
    if rows.empty:
        raise DataFileError(problems)
    notes = list(parsed.notes)
    if parsed.area_column == "neighbourhood":
        areas, model_id = geography.resolve_neighbourhoods(con, rows, lad_code, model_id, problems)
    else:
        model_id = None
        areas = geography.resolve_areas(
            con, rows, parsed.area_column, lad_code, lad_name, problems, notes
        )
    problems += _row_checks(parsed)
    if problems:
        raise DataFileError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    _check_indicator_count(parsed)
    return ValidatedDataset(
        lad_code=lad_code,
        lad_name=lad_name,
        kind=parsed.kind,
        area_column=parsed.area_column,
        model_id=model_id,
        rows=rows.reset_index(drop=True),
        areas=areas,
        notes=notes,
        sha256=audit.sha256(data),
    )


def _row_checks(parsed: ParsedFile) -> list[Problem]:
    rows = parsed.rows
    problems = checks.duplicates(rows, parsed.area_column, parsed.kind)
    if parsed.kind == formats.SERVICE_EVENTS and not parsed.problems:  # pairs need every row
        return problems + checks.service_events(rows)
    return problems + checks.agreeing_over_respondents(rows)


def _check_indicator_count(parsed: ParsedFile) -> None:
    indicators = len(specs(parsed.kind, sorted(parsed.rows["measure"].unique())))
    if indicators > formats.MAX_INDICATORS:
        raise DataFileError(
            [
                Problem(
                    None,
                    "measure" if parsed.kind == formats.SERVICE_EVENTS else "question",
                    f"the file would make {indicators} indicators; the limit is "
                    f"{formats.MAX_INDICATORS}. Split it into several datasets.",
                )
            ]
        )


# ---------------------------------------------------------------- storing


def dataset_id_for(con: duckdb.DuckDBPyConnection, lad_code: str, dataset_name: str) -> str:
    """The id of a dataset: borough code plus a slug of its name (and a short hash when the
    slug loses letters or another dataset's name has it: `formats.unique_id`)."""
    store = storage.store_for(con)

    def stored_name(dataset_id: str) -> str | None:
        found = store.get_dataset(dataset_id)
        return found["dataset_name"] if found else None

    dataset_id = formats.unique_id(f"{lad_code}_data_", dataset_name, stored_name)
    if dataset_id is None:
        clash = "another dataset has a name too close to this one: choose another name"
        raise DataFileError([Problem(None, None, clash)])
    return dataset_id


def save_dataset(
    con: duckdb.DuckDBPyConnection,
    dataset: ValidatedDataset,
    dataset_name: str,
    *,
    user: User,
    source_file: str = "",
    polarity: str = "no_judgement",
    replace: bool = False,
) -> str:
    """Store a validated dataset, its owner, indicators and their suppressed values in one
    transaction with its audit entry; return its id. The owner and organisation are
    `user`'s (never free text). An existing dataset of the same name in the borough is
    replaced only when `replace` is true and `user` may change it (its owner or a steward; it
    keeps its owner); otherwise DataFileError or PermissionError."""
    audit.require_upload(user)
    meta, existing = _describe(con, dataset, dataset_name, source_file, polarity, replace, user)
    limit = disclosure.threshold(con)
    catalogue, values = aggregation.materialise(con, meta, dataset.rows, dataset.areas, limit)
    meta["aggregated_state"] = refresh.dataset_state(
        con, dataset.lad_code, refresh.configured_policy()
    )
    entry = audit.entry(
        user,
        audit.REPLACE if existing else audit.UPLOAD,
        audit.DATASET,
        meta["dataset_id"],
        meta["dataset_name"],
        lad_code=dataset.lad_code,
        sha256=dataset.sha256 or None,
        row_count=len(dataset.rows),
        detail=f"file {meta['source_file']!r}; {formats.KIND_NAMES[dataset.kind]} by "
        f"{formats.AREA_NAMES.get(dataset.area_column, dataset.area_column)}",
    )
    store = storage.store_for(con)
    store.save_dataset(meta, dataset.rows, dataset.areas, catalogue, values, entry)
    return meta["dataset_id"]


def _describe(
    con: duckdb.DuckDBPyConnection,
    dataset: ValidatedDataset,
    dataset_name: str,
    source_file: str,
    polarity: str,
    replace: bool,
    user: User,
) -> tuple[dict, dict | None]:
    """The dataset's stored description, once its name, polarity and ownership pass, and the
    dataset it replaces (None if new)."""
    dataset_name = clean_text(dataset_name)[: formats.MAX_NAME_LENGTH]
    source_file = clean_text(source_file)[: formats.MAX_TEXT]
    if not dataset_name:
        raise DataFileError([Problem(None, None, "the dataset needs a name")])
    if polarity not in formats.POLARITIES:
        raise ValueError(f"polarity must be one of {formats.POLARITIES}")
    dataset_id = dataset_id_for(con, dataset.lad_code, dataset_name)
    existing = storage.store_for(con).get_dataset(dataset_id)
    if existing:
        what = f"The dataset {quote(existing['dataset_name'], 60)}"
        audit.require_may_change(user, what, existing["owner_email"], existing["owner_name"])
    if existing and not replace:
        raise DataFileError(
            [
                Problem(
                    None,
                    None,
                    f"a dataset called {quote(existing['dataset_name'], 60)} already exists in "
                    f"{dataset.lad_name}: choose another name, or replace it",
                )
            ]
        )
    owner = existing or {
        "owner_email": user.email,
        "owner_name": user.name,
        "organisation": user.organisation,
    }
    return {
        "dataset_id": dataset_id,
        "dataset_name": dataset_name,
        "lad_code": dataset.lad_code,
        "kind": dataset.kind,
        "area_column": dataset.area_column,
        "model_id": dataset.model_id,
        "owner_email": owner["owner_email"],
        "owner_name": owner["owner_name"] or "",
        "organisation": owner["organisation"] or "",
        "source_file": source_file,
        "polarity": polarity,
        "uploaded_at": datetime.now().replace(microsecond=0),
        "row_count": len(dataset.rows),
    }, existing


def delete_dataset(con: duckdb.DuckDBPyConnection, dataset_id: str, *, user: User) -> None:
    """Remove an uploaded dataset with its indicators and values, and an audit entry, if
    `user` may (its owner or a steward; otherwise PermissionError). Unknown ids are left
    alone."""
    store = storage.store_for(con)
    existing = store.get_dataset(dataset_id)
    if existing is None:
        return
    what = f"The dataset {quote(existing['dataset_name'], 60)}"
    audit.require_may_change(user, what, existing["owner_email"], existing["owner_name"])
    entry = audit.entry(
        user,
        audit.DELETE,
        audit.DATASET,
        dataset_id,
        existing["dataset_name"],
        lad_code=existing["lad_code"],
        row_count=int(existing["row_count"]),
        detail=f"owner {existing['owner_email']}",
    )
    store.delete_dataset(dataset_id, entry)


def record_download(
    con: duckdb.DuckDBPyConnection,
    user: User,
    file_name: str,
    rows: int,
    indicators: tuple[str, ...],
) -> None:
    """Record in the audit log that `user` downloaded a table of `rows` rows holding partner
    data (the uploaded `indicators`), as the file `file_name`."""
    listed = ", ".join(indicators)
    entry = audit.entry(
        user,
        audit.DOWNLOAD,
        audit.TABLE,
        clean_text(file_name)[: formats.MAX_TEXT],
        clean_text(file_name)[: formats.MAX_TEXT],
        row_count=int(rows),
        detail=f"indicators: {listed[:1000]}",
    )
    storage.store_for(con).append_audit(entry)


# ---------------------------------------------------------------- reading back


def list_datasets(con: duckdb.DuckDBPyConnection, lad_code: str) -> pd.DataFrame:
    """The borough's uploaded datasets, newest first, with their periods and indicators."""
    return storage.store_for(con).list_datasets(lad_code)[LISTED]


def dataset_polarity(con: duckdb.DuckDBPyConnection, dataset_id: str) -> str | None:
    """The polarity chosen for a dataset's survey questions (None if there is no dataset)."""
    found = storage.store_for(con).get_dataset(dataset_id)
    return found["polarity"] if found else None


def dataset_indicators(con: duckdb.DuckDBPyConnection, dataset_id: str) -> pd.DataFrame:
    """The catalogue rows of one dataset's indicators."""
    return storage.store_for(con).dataset_indicators(dataset_id)


def dataset_values(
    con: duckdb.DuckDBPyConnection,
    dataset_id: str,
    model_id: str | None = None,
    *,
    lsoas: bool = True,
) -> pd.DataFrame:
    """A dataset's values as stored (perturbed and suppressed) for the borough, one model's
    neighbourhoods (all models if None) and, optionally, LSOAs; passed through
    `protect_frame` again."""
    frame = storage.store_for(con).dataset_values(dataset_id, model_id, lsoas=lsoas)
    return disclosure.protect_frame(frame, disclosure.threshold(con))
