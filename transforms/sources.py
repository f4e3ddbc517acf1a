"""The raw layer's declarations: every bundled file the build reads, with its columns and types.

The declarations are data, one TOML file per domain in `transforms/raw_files/`, so a council
analyst can read and extend them without reading Python. Declaring the files (rather than
letting DuckDB guess) lets the build fail early with a message that names the file, the line and
the column when a file is missing or malformed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RAW_FILES_DIR = Path(__file__).resolve().parent / "raw_files"
# Domains in display order; each has transforms/raw_files/<domain>.toml (geography holds the
# lookups and boundaries every domain uses).
DOMAIN_FILES = (
    "deprivation",
    "population",
    "geography",
    "health_access",
    "transport",
    "service_use",
    "cohesion",
)
SQL_TYPES = ("VARCHAR", "INTEGER", "DOUBLE", "DATE")
KINDS = ("csv", "geojson_properties", "geojson_features")
# The seven IoD domains (column prefixes in the IoD files).
DOMAINS = ("income", "employment", "education", "health", "crime", "barriers", "living_env")


class DeclarationError(ValueError):
    """A declaration file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class RawFile:
    """One bundled file: where it lives under data/, the table it becomes, and its columns."""

    table: str
    path: str
    columns: dict[str, str]
    key: tuple[str, ...] = ()
    code_patterns: dict[str, str] = field(default_factory=dict)
    filter_sql: str = ""  # rows kept, e.g. not Welsh (malformed codes are kept, and fail)
    # csv | geojson_properties (feature properties) | geojson_features (properties and a
    # `geometry` column of GeoJSON text)
    kind: str = "csv"
    domain: str = ""


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DeclarationError(f"{path.name}: {exc}") from exc


@cache
def code_patterns() -> dict[str, str]:
    """Named code formats (regular expressions) from raw_files/code_patterns.toml."""
    return _read(RAW_FILES_DIR / "code_patterns.toml")


def _raw_file(entry: dict, domain: str, label: str) -> RawFile:
    patterns = code_patterns()
    try:
        raw = RawFile(
            table=entry["table"],
            path=entry["path"],
            columns=dict(entry["columns"]),
            key=tuple(entry.get("key", ())),
            code_patterns={c: patterns[name] for c, name in entry.get("code_patterns", {}).items()},
            filter_sql=entry.get("filter_sql", ""),
            kind=entry.get("kind", "csv"),
            domain=domain,
        )
    except KeyError as exc:
        raise DeclarationError(f"{label}: {exc.args[0]!r} is missing or unknown") from exc
    problems = [t for t in raw.columns.values() if t not in SQL_TYPES]
    if problems or raw.kind not in KINDS or not raw.table.startswith("raw_"):
        raise DeclarationError(f"{label}: bad type {problems}, kind {raw.kind} or table name")
    unknown = [c for c in (*raw.key, *raw.code_patterns) if c not in raw.columns]
    if unknown:
        raise DeclarationError(f"{label}: column {unknown[0]!r} is not declared")
    return raw


@cache
def raw_files() -> tuple[RawFile, ...]:
    """Every declared raw file, domain by domain, in file order."""
    found: list[RawFile] = []
    for domain in DOMAIN_FILES:
        entries = _read(RAW_FILES_DIR / f"{domain}.toml").get("file", [])
        for i, entry in enumerate(entries, 1):
            found.append(_raw_file(entry, domain, f"raw_files/{domain}.toml, file {i}"))
    tables = [r.table for r in found]
    if len(set(tables)) != len(tables):
        raise DeclarationError("raw_files: a table is declared twice")
    return tuple(found)


RAW_FILES: tuple[RawFile, ...] = raw_files()
