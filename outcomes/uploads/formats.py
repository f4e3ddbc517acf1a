"""The two dataset formats partners upload, in words every other module shares.

1. **Service events**: one area column (`lsoa_code` 2011 or 2021, `practice_code` or
   `postcode`), `period` (YYYY-MM or YYYY), `measure`, `count`. A measure `<x>_missed` or
   `<x>_attended` with `<x>_booked` becomes a rate (e.g. missed appointments as % of booked,
   with Wilson intervals); any other measure becomes a count.
2. **Survey results**: `neighbourhood` (a name in one of the borough's models) or `lsoa_code`,
   `period`, `question`, `respondents`, `agreeing`: the proportion agreeing, with Wilson
   intervals.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from pathlib import Path

from outcomes.text import clean_text, slug

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "data" / "templates"

# Limits of one dataset file (read at call time, so tests can lower them).
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_PROBLEMS = 100
MAX_TEXT = 200
MAX_INDICATORS = 200
MAX_NAME_LENGTH = 80  # of a model, dataset, organisation or neighbourhood name

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


def part(measure: str) -> tuple[str, str] | None:
    """(base, suffix) of a measure that is part of `<base>_booked` ('missed', 'attended')."""
    base, _, suffix = measure.rpartition("_")
    return (base, suffix) if base and suffix in PARTS else None


def templates() -> list[Path]:
    """The downloadable templates and illustrative examples, by name."""
    return sorted(TEMPLATES_DIR.glob("*.csv"))


def name_slug(name: str) -> str:
    """The slug of a model's, neighbourhood's or dataset's name in its id: cut to 40
    characters after the separators are trimmed, and not trimmed again (so ids stay those of
    what is already stored)."""
    return slug(name, sep="-", default="model")[:40]


def name_key(name: str) -> str:
    """A name as compared: control characters dropped, spaces collapsed, Unicode compatibility
    forms unified (NFKC) and case folded, so 'North' and ' north ' are one name."""
    return unicodedata.normalize("NFKC", clean_text(name)).casefold()


def _slug_keeps_name(name: str) -> bool:
    """Whether the slug keeps every letter and digit of the name (ASCII ones, not cut)."""
    kept = "".join(c for c in name.lower() if c.isalnum())
    return kept == name_slug(name).replace("-", "")


def unique_id(prefix: str, name: str, stored_name: Callable[[str], str | None]) -> str | None:
    """The id of a model or dataset called `name`, never that of a differently named one.

    `prefix` + the name's slug when the slug keeps all its letters and digits ('Trafford
    localities (2023)' keeps the id it always had); otherwise, or when another name holds
    that id ('North & South' and 'north-south'; '北区 model' and '南区 model'), the slug plus
    a short hash of the name. An id already holding this very name is kept (ids stored
    before the hash existed stay). `stored_name(id)` is the name stored under an id, or None.
    None when both ids hold other names (a hash clash: choose another name)."""
    key = name_key(name)
    plain = prefix + name_slug(name)
    hashed = f"{plain}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
    held = {candidate: stored_name(candidate) for candidate in (plain, hashed)}
    for candidate, other in held.items():
        if other is not None and name_key(other) == key:
            return candidate
    if held[plain] is None and _slug_keeps_name(name):
        return plain
    return hashed if held[hashed] is None else None
