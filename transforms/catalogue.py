"""The indicator catalogue: what each published indicator means, how it is built, its caveats.

Definitions are data, one TOML file per domain in `transforms/indicators/` (with shared caveat
texts in `caveats.toml` and sources in `sources.toml`, both referenced by key), so a council
analyst can read and edit an indicator without reading Python. This module loads them into
typed `Indicator` rows and refuses anything malformed, at build time.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path

INDICATORS_DIR = Path(__file__).resolve().parent / "indicators"
# Domain files in display order (sort_order runs through them in this order).
DOMAIN_FILES = (
    "deprivation",
    "population",
    "health_access",
    "transport",
    "service_use",
    "cohesion",
)
# How LSOA values become area values (the `aggregation` column):
#   weighted_mean: sum(value * population) / sum(population)
#   ratio:         sum(numerator) / sum(denominator) * multiplier
#   lsoa_share:    share of LSOAs meeting a condition (each LSOA counts once)
#   sum:           sum of counts
#   lsoa_only:     an LSOA attribute (rank, decile) with no area equivalent
AGGREGATIONS = ("weighted_mean", "ratio", "lsoa_share", "sum", "lsoa_only")
POLARITIES = ("higher_is_better", "higher_is_worse", "no_judgement")
CI_METHODS = ("none", "wilson", "byar")
AREA_TYPES = ("lsoa", "neighbourhood", "lad", "england")
TEXT_FIELDS = ("name", "definition", "unit", "geography", "coverage")


class CatalogueError(ValueError):
    """An indicator definition is malformed; the message names the file and indicator."""


@dataclass(frozen=True)
class Indicator:
    """One row of `indicator_catalogue` (the published columns, in order)."""

    indicator_id: str
    name: str
    domain: str
    definition: str
    unit: str
    polarity: str
    aggregation: str
    source: str
    publisher: str
    licence: str
    caveats: str
    multiplier: float
    ci_method: str
    geography: str
    sort_order: int
    area_types: str  # comma-separated, e.g. "lad,england"
    coverage: str
    comparable_over_time: bool


@dataclass(frozen=True)
class IndicatorDefinition:
    """An indicator as its TOML file declares it: the published row plus its build lineage."""

    row: Indicator
    domain_file: str
    caveat_keys: tuple[str, ...]
    source_key: str
    models: tuple[str, ...]  # the SQL models that build its rows
    raw_files: tuple[str, ...]  # the bundled files those rows come from (paths under data/)


def _read(name: str) -> dict:
    path = INDICATORS_DIR / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"indicators/{name}: {exc}") from exc


def _check(entry: dict, label: str) -> None:
    checks = {
        "polarity": POLARITIES,
        "aggregation": AGGREGATIONS,
        "ci_method": CI_METHODS,
    }
    for key, allowed in checks.items():
        if entry.get(key) not in allowed:
            raise CatalogueError(f"{label}: {key} {entry.get(key)!r} is not one of {allowed}")
    for key in TEXT_FIELDS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise CatalogueError(f"{label}: {key} must be a non-empty text")
    bad = [a for a in entry.get("area_types", []) if a not in AREA_TYPES]
    if bad or not entry.get("area_types"):
        raise CatalogueError(f"{label}: area_types must be a list of {AREA_TYPES}")
    if not entry.get("models") or not entry.get("raw_files") or not entry.get("caveats"):
        raise CatalogueError(f"{label}: models, raw_files and caveats must each list something")


def _definition(
    entry: dict, domain: str, domain_file: str, order: int, shared: tuple[dict, dict]
) -> IndicatorDefinition:
    caveats, sources = shared
    label = f"indicators/{domain_file}.toml, {entry.get('id', f'indicator {order}')}"
    _check(entry, label)
    try:
        source = sources[entry["source"]]
        caveat_text = " ".join(caveats[key].strip() for key in entry["caveats"])
        row = Indicator(
            indicator_id=entry["id"],
            name=entry["name"],
            domain=domain,
            definition=entry["definition"],
            unit=entry["unit"],
            polarity=entry["polarity"],
            aggregation=entry["aggregation"],
            source=source["source"],
            publisher=source["publisher"],
            licence=source["licence"],
            caveats=caveat_text,
            multiplier=float(entry["multiplier"]),
            ci_method=entry["ci_method"],
            geography=entry["geography"],
            sort_order=order,
            area_types=",".join(entry["area_types"]),
            coverage=entry["coverage"],
            comparable_over_time=bool(entry["comparable_over_time"]),
        )
    except KeyError as exc:
        raise CatalogueError(f"{label}: {exc.args[0]!r} is missing or not a known key") from exc
    return IndicatorDefinition(
        row=row,
        domain_file=domain_file,
        caveat_keys=tuple(entry["caveats"]),
        source_key=entry["source"],
        models=tuple(entry["models"]),
        raw_files=tuple(entry["raw_files"]),
    )


@cache
def definitions() -> tuple[IndicatorDefinition, ...]:
    """Every indicator definition, in display order; raises CatalogueError on a bad file."""
    shared = (_read("caveats.toml"), _read("sources.toml"))
    found: list[IndicatorDefinition] = []
    for domain_file in DOMAIN_FILES:
        data = _read(f"{domain_file}.toml")
        for entry in data.get("indicator", []):
            found.append(_definition(entry, data["domain"], domain_file, len(found) + 1, shared))
    ids = [d.row.indicator_id for d in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogueError(f"indicators: {duplicates[0]} is defined twice")
    return tuple(found)


def definition(indicator_id: str) -> IndicatorDefinition:
    """One indicator's definition (KeyError if there is none)."""
    for found in definitions():
        if found.row.indicator_id == indicator_id:
            return found
    raise KeyError(indicator_id)


def catalogue_rows() -> list[dict[str, object]]:
    """The catalogue as plain dicts in published column order, for the seed table."""
    return [asdict(d.row) for d in definitions()]


CATALOGUE_COLUMNS = tuple(f.name for f in fields(Indicator))
