"""Disclosure control for the council's and partners' own data: cell key perturbation with
small-count suppression, the method ONS used for Census 2021 custom tables.

Suppression worked out table by table knows nothing of what was published before, so a model
whose neighbourhood is an MSOA minus one LSOA gave that LSOA's suppressed count by
subtraction. Here every published count depends only on the events it counts, so differencing
two overlapping areas gives noise, not a count:

* **Record keys** (`RecordKeys`): every event behind a count (an appointment, a respondent)
  has a fixed key from 0 to 255, a keyed hash (BLAKE2b with the installation's secret, kept in
  the user database: `installation_secret`) of the dataset, the input row (area, period,
  measure) and the event's position in it. Keys are stable across re-aggregations, models and
  releases, and cannot be guessed without the secret. They are defined through their running
  sums (the hash of n is the sum of a row's first n keys): the same as independent uniform
  keys, and a row of any size is keyed with one hash. Each building block of the geography
  (an LSOA 2021, or a neighbourhood of a survey given by neighbourhood) has a key of its own
  per measure and period too, so that adding an area with no events, or none in the file,
  still changes the cell key: differencing cannot tell 0 from a small count.
* **Cell key**: the sum of the keys of the cell's events and blocks, modulo 256.
* **Perturbation table** (`ptable`): maps a cell's true count and key to a perturbation of at
  most ±D (`max_perturbation`): a binomial shape (D = 4: -4..4 for 1, 8, 28, 56, 70, 56, 28,
  8, 1 keys of 256), mean zero, never below zero (a count v < D moves at most ±v), its keys
  shuffled once by a fixed public seed. The same events in the same areas always get the same
  perturbation, whichever model, page, period view or re-aggregation publishes them.
* **Small counts** (`withheld`): a count is published only when both its true and its
  perturbed value are at least the threshold (zero included), and for a rate or proportion
  also the rest of its denominator (booked minus missed, respondents not agreeing).
  Otherwise the row keeps its area, period and indicator with every figure empty and
  `suppressed` true.
* **Rates and proportions** are computed from the perturbed numerator and denominator, and
  their Wilson intervals from those counts: an interval describes the published counts (as if
  they were the data), not the perturbation.

The policy (`policy()`: method, threshold, D) comes from configuration only, never from the app:
`OUTCOMES_SUPPRESS_BELOW` and `OUTCOMES_PERTURBATION_MAX`; without them `suppress_below` and
`max_perturbation` in the `[disclosure]` table of `.streamlit/secrets.toml` (`policy` module);
without those, 5 and 4. `method_text` says all this to users.

Where it is applied:

* `outcomes.uploads.aggregation` makes every value of partner data (LSOAs, every model's
  neighbourhoods, the borough, every period) with it, and only those values are stored;
* every download passes frames holding uploaded indicators (an `indicator_id` column)
  through `protect_frame` (`ui.download_csv`, and `export.apply_disclosure` for the pages'
  CSV/Excel exports): a second line of defence that suppresses any user row with a small or
  missing count and adds the `suppressed` flag. A page that shows or exports user data in
  another way must call `protect_frame(frame, threshold(con))` on the long frame (with the
  indicator_id, numerator and denominator columns) before reshaping it.

What remains (README, "Disclosure control"): an analyst who can upload many models can
average many differences of cells with independent keys (each pair A + L and A gives L plus
fresh noise); values of large cells are close to the truth by design; a new user database
draws a new secret and so new perturbations.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import secrets
import threading
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from outcomes.uploads import policy as config
from outcomes.uploads import storage

METHOD = "cell key perturbation"
DEFAULT_THRESHOLD = 5
ENV_VAR = "OUTCOMES_SUPPRESS_BELOW"
MAX_THRESHOLD = 1000
PERTURBATION_ENV_VAR = "OUTCOMES_PERTURBATION_MAX"
PERTURBATION_SETTING = "max_perturbation"  # in the [disclosure] table
DEFAULT_MAX_PERTURBATION = 4
PERTURBATION_RANGE = (2, 8)  # below 2 differencing learns too much; above 8 the table's
# tails fall below one key in 256
KEY_SPACE = 256
SECRET_SETTING = "record_key_secret"  # in the user database's settings; never shown
_SHUFFLE_SEED = 20210321  # Census day 2021: the fixed, public shuffle of the table's keys
USER_PREFIX = "user_"  # indicator ids of uploaded data; no public indicator starts with it
NULLED = (
    "value",
    "numerator",
    "denominator",
    "lower_ci95",
    "upper_ci95",
    "lower_ci998",
    "upper_ci998",
)
_EPS = 1e-9
_SECRET_LOCK = threading.Lock()


# ---------------------------------------------------------------- the configured policy


@dataclass(frozen=True)
class Policy:
    """The disclosure control in force: its method and parameters, and any problem with how
    they are configured (each bad value replaced by its default)."""

    method: str
    threshold: int
    max_perturbation: int
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The method and parameters (what stored values depend on, and what is audited)."""
        return {
            "method": self.method,
            "suppress_below": self.threshold,
            PERTURBATION_SETTING: self.max_perturbation,
        }


def policy() -> Policy:
    """The configured method and parameters: the threshold (`configured_threshold`) and the
    maximum perturbation (`configured_max_perturbation`), from configuration only."""
    limit, limit_warning = configured_threshold()
    spread, spread_warning = configured_max_perturbation()
    warnings = tuple(w for w in (limit_warning, spread_warning) if w)
    return Policy(METHOD, limit, spread, warnings)


def env_threshold() -> tuple[int, str | None]:
    """The threshold from `OUTCOMES_SUPPRESS_BELOW` (default 5), and a warning if it is bad."""
    raw = os.environ.get(ENV_VAR)
    if raw is None or not raw.strip():
        return DEFAULT_THRESHOLD, None
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_THRESHOLD:
        return DEFAULT_THRESHOLD, (
            f"{ENV_VAR}={raw!r} is not a whole number from 1 to {MAX_THRESHOLD}; "
            f"using {DEFAULT_THRESHOLD}"
        )
    return value, None


def check_threshold(value: object) -> int:
    """A valid threshold as an int, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"the threshold must be a whole number, not {value!r}")
    if not 1 <= int(value) <= MAX_THRESHOLD:
        raise ValueError(f"the threshold must be from 1 to {MAX_THRESHOLD}")
    return int(value)


def threshold(con: duckdb.DuckDBPyConnection | None = None) -> int:
    """The threshold in force, from configuration only (`configured_threshold`): nothing a
    visitor can change. `con` is accepted for callers that pass one and not read."""
    return configured_threshold()[0]


def configured_threshold() -> tuple[int, str | None]:
    """The configured threshold and a warning if the configuration is bad: from
    OUTCOMES_SUPPRESS_BELOW, else `suppress_below` of the `[disclosure]` table (`policy`),
    else 5."""
    if os.environ.get(ENV_VAR, "").strip():
        return env_threshold()
    configured = config.settings()[0].get("suppress_below")
    if configured is None:
        return DEFAULT_THRESHOLD, None
    try:
        return check_threshold(configured), None
    except ValueError:
        return DEFAULT_THRESHOLD, (
            f"[disclosure] suppress_below = {configured!r} is not a whole number from 1 to "
            f"{MAX_THRESHOLD}; using {DEFAULT_THRESHOLD}"
        )


def configured_max_perturbation() -> tuple[int, str | None]:
    """The p-table's maximum perturbation D and a warning if the configuration is bad: from
    OUTCOMES_PERTURBATION_MAX, else `max_perturbation` of the `[disclosure]` table, else 4."""
    raw = os.environ.get(PERTURBATION_ENV_VAR, "").strip()
    value: object = raw
    where = f"{PERTURBATION_ENV_VAR}={raw!r}"
    if not raw:
        value = config.settings()[0].get(PERTURBATION_SETTING)
        if value is None:
            return DEFAULT_MAX_PERTURBATION, None
        where = f"[disclosure] {PERTURBATION_SETTING} = {value!r}"
    low, high = PERTURBATION_RANGE
    checked = _whole_number(value, low, high)
    if checked is None:
        return DEFAULT_MAX_PERTURBATION, (
            f"{where} is not a whole number from {low} to {high}; using {DEFAULT_MAX_PERTURBATION}"
        )
    return checked, None


def _whole_number(value: object, low: int, high: int) -> int | None:
    """`value` (a whole number, or text of one) if it lies in [low, high], else None."""
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return None
    return int(value) if low <= int(value) <= high else None


def method_text(current: Policy | None = None) -> str:
    """The method and its parameters in plain words (no Markdown), for the Your data page."""
    p = current or policy()
    return (
        f"Disclosure control: {p.method}, the method ONS used for Census 2021 custom tables, "
        "with small-count suppression. Every event behind a count (an appointment, a "
        "respondent) has a fixed secret random key. Each published count gets a small "
        f"adjustment of at most {p.max_perturbation} up or down, looked up from the keys of "
        "the events in it, so the same events always get the same adjustment, whichever "
        "neighbourhood model, page, download or re-aggregation shows them: subtracting one "
        "published figure from another gives noise, not a count, and areas without events "
        "change the keys too, so 0 cannot be told from a small count. A count is shown only when "
        f"both its true and its adjusted value are at least {p.threshold} (zero included), "
        "and for a rate or proportion also the rest of its denominator; otherwise the row is "
        "suppressed (no value, flagged suppressed in downloads). Rates and their confidence "
        "intervals are computed from the adjusted counts, so an interval describes the "
        "published counts and leaves out the adjustment. Totals are adjusted on their own and "
        "need not equal the sum of their parts. These settings come from the server's "
        "configuration, not from this page."
    )


# ---------------------------------------------------------------- keys and the p-table


def installation_secret(con: duckdb.DuckDBPyConnection) -> bytes:
    """This installation's secret for record keys: drawn at first use and kept in the user
    database, so keys (and perturbations) stay the same across re-aggregations, models and
    releases. Never shown; a new user database draws a new one."""
    store = storage.store_for(con)
    with _SECRET_LOCK:
        stored = store.get_setting(SECRET_SETTING)
        if stored is None:  # first use; another copy of the app may be drawing one too
            stored = store.setdefault_setting(SECRET_SETTING, secrets.token_hex(32))
    return bytes.fromhex(str(stored))


class RecordKeys:
    """The keys of one dataset's events and building blocks (each 0-255), from a secret."""

    def __init__(self, secret: bytes, dataset_id: str) -> None:
        # Each hash continues from the secret and the dataset (hashed once): the parts are
        # length-prefixed, so no two tuples of parts give the same text.
        self._start = hashlib.blake2b(key=secret, digest_size=1)
        self._start.update(_encoded((dataset_id,)))

    def _hash(self, *parts: str) -> int:
        digest = self._start.copy()
        digest.update(_encoded(parts))
        return digest.digest()[0]

    def running(self, row: tuple[str, ...], n: int) -> int:
        """The sum modulo 256 of the keys of the first `n` events of an input row (its area,
        period and measure)."""
        return 0 if n <= 0 else self._hash("events", *row, str(int(n)))

    def events(self, row: tuple[str, ...], start: int, stop: int) -> int:
        """The sum modulo 256 of the keys of events `start` to `stop - 1` of an input row."""
        return (self.running(row, stop) - self.running(row, start)) % KEY_SPACE

    def block(self, measure: tuple[str, ...], period: str, block: str) -> int:
        """The key of one building block (an LSOA 2021, or a neighbourhood) for a measure and
        period: counted in every cell that covers the block, events or none."""
        return self._hash("block", *measure, period, block)


def _encoded(parts: tuple[str, ...]) -> bytes:
    return "".join(f"{len(part)}:{part};" for part in parts).encode("utf-8")


def _key_counts(weights: np.ndarray) -> np.ndarray:
    """How many of the 256 keys give each perturbation 0, ±1, ... ±m: proportional to
    `weights` (for 0..m), at least one key each, the same for +j and -j (mean zero)."""
    total = weights[0] + 2 * weights[1:].sum()
    counts = np.maximum(1, np.rint(KEY_SPACE * weights / total)).astype(np.int64)
    counts[0] = KEY_SPACE - 2 * counts[1:].sum()
    return counts


@functools.lru_cache(maxsize=16)
def ptable(max_perturbation: int) -> np.ndarray:
    """The perturbation table: row v < D for a cell whose true count is v, row D for every
    count of D or more; column k for cell key k; each entry the perturbation to add."""
    d = int(max_perturbation)
    weights = np.array([math.comb(2 * d, d + j) for j in range(d + 1)], dtype=float)
    order = np.random.default_rng(_SHUFFLE_SEED).permutation(KEY_SPACE)
    table = np.zeros((d + 1, KEY_SPACE), dtype=np.int64)
    for v in range(d + 1):
        counts = _key_counts(weights[: v + 1])
        steps = np.arange(-v, v + 1)
        table[v, order] = np.repeat(steps, np.concatenate([counts[:0:-1], counts]))
    table.setflags(write=False)
    return table


def perturb(counts: np.ndarray, cell_keys: np.ndarray, max_perturbation: int) -> np.ndarray:
    """True whole counts (0 or more) with their perturbation from the p-table added."""
    counts = np.asarray(counts, dtype=np.int64)
    rows = np.minimum(counts, max_perturbation)
    return counts + ptable(max_perturbation)[rows, np.asarray(cell_keys, dtype=np.int64)]


def small(counts: np.ndarray, threshold: float) -> np.ndarray:
    """True where a count is below the threshold (NaN, an unknown count, counts as small)."""
    counts = np.asarray(counts, dtype=float)
    return ~(counts >= threshold - _EPS)


def withheld(threshold: int, *counts: np.ndarray) -> np.ndarray:
    """The small-count rule: True where any of the counts (true and perturbed numerators, and
    the rest of their denominators) is below the threshold."""
    hidden = np.zeros(np.shape(counts[0]), dtype=bool)
    for values in counts:
        hidden |= small(values, threshold)
    return hidden


# ---------------------------------------------------------------- frames leaving the app


def has_user_rows(frame: pd.DataFrame) -> bool:
    """Does a frame hold rows of uploaded indicators?"""
    return "indicator_id" in frame.columns and bool(
        frame["indicator_id"].astype(str).str.startswith(USER_PREFIX).any()
    )


def protect_frame(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """A copy of a frame of indicator rows that is safe to show or download.

    Rows of uploaded indicators (`indicator_id` starting 'user_') that are flagged already,
    have no counts, or have a count (or the rest of a denominator) below the threshold are
    suppressed and flagged; public rows are untouched (and a frame without user rows comes
    back unchanged). Stored values are perturbed already, so no total needs checking against
    its parts: none is exact."""
    out = frame.copy()
    if not has_user_rows(out):
        return out
    if "suppressed" not in out.columns:
        out["suppressed"] = False
    out["suppressed"] = out["suppressed"].astype("boolean").fillna(False).astype(bool)
    user = out["indicator_id"].astype(str).str.startswith(USER_PREFIX)
    out.loc[user & _unsafe(out, threshold), "suppressed"] = True
    for column in NULLED:
        if column in out.columns:
            out[column] = out[column].astype(float)
            out.loc[out["suppressed"], column] = np.nan
    return out


def _unsafe(frame: pd.DataFrame, threshold: int) -> pd.Series:
    """Rows whose counts break the small-count rule, or that have none to check (without a
    numerator column, only rows without a value)."""
    if "numerator" not in frame.columns:
        if "value" in frame.columns:
            return frame["value"].isna()
        return pd.Series(False, index=frame.index)
    numerator = frame["numerator"].astype(float)
    unsafe = pd.Series(small(numerator, threshold), index=frame.index)
    if "denominator" in frame.columns:
        denominator = frame["denominator"].astype(float)
        rest = small(denominator - numerator, threshold)
        unsafe |= pd.Series(rest, index=frame.index) & denominator.notna()
    return unsafe
