"""Small-number suppression (disclosure control) for the council's and partners' own data.

Rules, applied to every row of uploaded data before it is stored, shown or downloaded:

* **Primary suppression**: a row is suppressed when any count behind it is below the threshold
  (default 5; `OUTCOMES_SUPPRESS_BELOW` or the Your data page change it). Zero counts are below
  it too: "nobody in this neighbourhood missed an appointment" is itself a disclosure. For a
  proportion the counts are the numerator *and* its complement (booked = attended + missed, so
  a small number of attended appointments is as disclosive as a small number missed).
* **Secondary suppression**: a total must not reveal a suppressed row. For every published
  total and every set of published rows that add up to it (the borough and its LSOAs, the
  borough and one model's neighbourhoods, a neighbourhood and its LSOAs, a neighbourhood and
  the smaller neighbourhoods of another model inside it), the rows it leaves unknown must be
  either none, or at least two whose counts add up to the threshold or more. Otherwise the
  next smallest published row of that set is suppressed too (or the total, when none is left),
  and the checks repeat until every set passes.
* **Audit**: finally no suppressed row may be an exact linear combination of published rows
  (differences between overlapping neighbourhood models, 2011 LSOAs split between 2021 LSOAs);
  the smallest published row involved is suppressed until none is.

A suppressed row keeps its area, period and indicator, with value, numerator, denominator and
confidence limits nulled and `suppressed` true.

The threshold in force (`threshold`, the one place that says which) comes from configuration
only, never from the app: `OUTCOMES_SUPPRESS_BELOW`; without it, `suppress_below` in the
`[disclosure]` table of `.streamlit/secrets.toml` (`policy`); without that, 5.

Where it is applied:

* `outcomes.uploads.datasets` stores only suppressed rows in the user database, so every page
  and export that reads `indicator_values` sees suppressed user data;
* every download passes frames holding uploaded indicators (an `indicator_id` column)
  through `protect_frame` (`ui.download_csv`, and `export.apply_disclosure` for the pages'
  CSV/Excel exports): a second line of defence that suppresses any user row with a small or
  missing count and adds the `suppressed` flag. A page that shows or exports user data in
  another way must call `protect_frame(frame, threshold(con))` on the long frame (with the
  indicator_id, area_type, numerator and denominator columns) before reshaping it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from outcomes.uploads import policy

DEFAULT_THRESHOLD = 5
ENV_VAR = "OUTCOMES_SUPPRESS_BELOW"
MAX_THRESHOLD = 1000
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


def small(counts: np.ndarray, threshold: float) -> np.ndarray:
    """True where a count is below the threshold (NaN, an unknown count, counts as small)."""
    counts = np.asarray(counts, dtype=float)
    return ~(counts >= threshold - _EPS)


@dataclass(frozen=True)
class Group:
    """Rows that add up to a total: `parent` = sum of `children` (+ `hidden`, the counts of
    a remainder that is never published as a row, e.g. LSOAs of practice data)."""

    parent: int
    children: tuple[int, ...]
    hidden: tuple[float, ...] | None = None


def suppress(
    values: np.ndarray,
    groups: Sequence[Group],
    threshold: float,
    *,
    primary: np.ndarray | None = None,
    vectors: np.ndarray | None = None,
) -> np.ndarray:
    """Which rows to suppress (primary, then secondary) as a boolean array.

    values: rows x kinds of counts (NaN = unknown, e.g. already suppressed upstream);
    groups: totals and the rows that add up to them; primary: rows suppressed already;
    vectors: rows x units, each row's make-up in source units, for the exact audit.
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    n_rows = values.shape[0]
    suppressed = small(values, threshold).any(axis=1)
    if primary is not None:
        suppressed |= np.asarray(primary, dtype=bool)
    for _ in range(n_rows + 1):
        if _group_pass(values, groups, threshold, suppressed):
            continue
        if vectors is not None and _audit_pass(values, vectors, suppressed):
            continue
        break
    return suppressed


def _group_pass(
    values: np.ndarray, groups: Sequence[Group], threshold: float, suppressed: np.ndarray
) -> bool:
    """Apply the secondary rule to each group once; True if anything more was suppressed."""
    changed = False
    for group in groups:
        if suppressed[group.parent]:
            continue
        kids = np.fromiter(group.children, dtype=int, count=len(group.children))
        hidden = None if group.hidden is None else np.asarray(group.hidden, dtype=float)
        unknown = kids[suppressed[kids]]
        if not unknown.size and hidden is None:
            continue
        sums = values[unknown].sum(axis=0) if unknown.size else np.zeros(values.shape[1])
        if hidden is not None:
            sums = sums + hidden
        one_row = unknown.size == 1 and hidden is None
        # NaN sums (counts nulled upstream) cannot be checked here: they were protected there.
        short = small(sums, threshold) & ~np.isnan(sums)
        if not one_row and not short.any():
            continue
        kind = int(np.argmin(np.where(short, sums, np.inf))) if short.any() else None
        if kind is None:
            kind = int(np.argmin(np.nan_to_num(values[unknown[0]], nan=np.inf)))
        published = kids[~suppressed[kids]]
        suppressed[_smallest(values, published, kind) if published.size else group.parent] = True
        changed = True
    return changed


def _smallest(values: np.ndarray, rows: np.ndarray, kind: int) -> int:
    """The row with the smallest count of `kind` (a non-zero one if any), ties by position."""
    counts = values[rows, kind]
    nonzero = rows[counts > 0]
    pool = nonzero if nonzero.size else rows
    pool_counts = values[pool, kind]
    return int(pool[np.lexsort((pool, pool_counts))][0])


def _audit_pass(values: np.ndarray, vectors: np.ndarray, suppressed: np.ndarray) -> bool:
    """Suppress more where a suppressed row is an exact combination of published rows."""
    published = np.flatnonzero(~suppressed)
    hidden = np.flatnonzero(suppressed)
    if not published.size or not hidden.size:
        return False
    # A published row made of one unit (an LSOA, a neighbourhood) makes that unit known:
    # test the suppressed rows on the units still unknown against the other published rows
    # (the same answer as on all units, with much smaller matrices).
    nonzero = np.abs(vectors) > 1e-12
    single = published[nonzero[published].sum(axis=1) == 1]
    known = nonzero[single].any(axis=0)
    others = np.setdiff1d(published, single)
    reduced = vectors[:, ~known]
    echelon, pivots, transform = _row_echelon(reduced[others])
    rest = reduced[hidden].copy()
    for echelon_row, pivot in zip(echelon, pivots, strict=True):
        rest -= rest[:, pivot][:, None] * echelon_row[None, :]
    scale = np.maximum(np.abs(vectors[hidden]).max(axis=1), 1.0)
    exposed = hidden[np.abs(rest).max(axis=1, initial=0.0) <= 1e-7 * scale]
    picks = set()
    for row in exposed:
        # Coefficients of the published rows that add up to the exposed row.
        coef = reduced[row][pivots] @ transform if len(pivots) else np.zeros(others.size)
        involved = others[np.abs(coef) > 1e-7]
        # Known units the derivation leans on: suppressing one of their rows (an LSOA rather
        # than a neighbourhood) breaks it with the least loss.
        used = (coef @ vectors[others] if others.size else 0) - vectors[row]
        leaning = known & (np.abs(used) > 1e-7)
        candidates = single[nonzero[single][:, leaning].any(axis=1)] if leaning.any() else []
        pool = np.asarray(candidates if len(candidates) else involved, dtype=int)
        if not pool.size:
            continue
        smallest = np.nanmin(values[pool], axis=1)
        picks.add(int(pool[np.lexsort((pool, smallest))][0]))
    suppressed[list(picks)] = True
    return bool(picks)


def _row_echelon(matrix: np.ndarray) -> tuple[np.ndarray, list[int], np.ndarray]:
    """Reduced row echelon form of a small matrix by Gaussian elimination (elementwise numpy:
    LAPACK's threaded SVD is slow on small matrices on a busy machine). Returns the non-zero
    echelon rows, their pivot columns and T with echelon = T @ matrix."""
    rows, cols = matrix.shape
    work = np.array(matrix, dtype=float)
    transform = np.eye(rows)
    pivots: list[int] = []
    r = 0
    scale = max(np.abs(work).max(initial=0.0), 1.0)
    for c in range(cols):
        if r == rows:
            break
        best = r + int(np.argmax(np.abs(work[r:, c])))
        if abs(work[best, c]) <= 1e-10 * scale:
            continue
        work[[r, best]] = work[[best, r]]
        transform[[r, best]] = transform[[best, r]]
        factor = 1.0 / work[r, c]
        work[r] *= factor
        transform[r] *= factor
        column = work[:, c].copy()
        column[r] = 0.0
        work -= column[:, None] * work[r][None, :]
        transform -= column[:, None] * transform[r][None, :]
        pivots.append(c)
        r += 1
    return work[:r], pivots, transform[:r]


def hierarchy_groups(
    membership: np.ndarray,
    leaf_values: np.ndarray,
    leaf_rows: np.ndarray,
    partitions: np.ndarray,
) -> list[Group]:
    """The groups of a table of areas made of leaves (LSOAs, or neighbourhoods).

    membership: rows x leaves (bool), the leaves each row adds up; leaf_rows: True for a row
    that is one published leaf; partitions: for each aggregate row the neighbourhood model it
    belongs to (-1 for none, e.g. the borough). Leaf values give the counts of remainders that
    have no rows of their own.
    """
    membership = np.asarray(membership, dtype=bool)
    leaf_rows = np.asarray(leaf_rows, dtype=bool)
    partitions = np.asarray(partitions)
    leaf_index = {int(np.flatnonzero(membership[r])[0]): r for r in np.flatnonzero(leaf_rows)}
    has_leaf_rows = bool(leaf_index)
    aggregates = np.flatnonzero(~leaf_rows)
    models = sorted({int(p) for p in partitions[aggregates] if p >= 0})
    groups: dict[tuple, Group] = {}

    def add(parent: int, children: list[int], hidden: np.ndarray | None) -> None:
        key = (parent, tuple(sorted(children)), hidden is not None)
        if children or hidden is not None:
            groups.setdefault(
                key,
                Group(
                    parent,
                    tuple(sorted(children)),
                    None if hidden is None else tuple(float(h) for h in hidden),
                ),
            )

    for parent in aggregates:
        inside = membership[parent]
        if has_leaf_rows:
            add(int(parent), [leaf_index[leaf] for leaf in np.flatnonzero(inside)], None)
        for model in models:
            if model == partitions[parent]:
                continue
            rows = aggregates[partitions[aggregates] == model]
            subs = [int(r) for r in rows if not (membership[r] & ~inside).any()]
            if not subs:
                continue
            rest = inside & ~membership[subs].any(axis=0)
            if has_leaf_rows:
                add(int(parent), subs + [leaf_index[leaf] for leaf in np.flatnonzero(rest)], None)
            else:
                hidden = leaf_values[rest].sum(axis=0) if rest.any() else None
                add(int(parent), subs, hidden)
    return list(groups.values())


def has_user_rows(frame: pd.DataFrame) -> bool:
    """Does a frame hold rows of uploaded indicators?"""
    return "indicator_id" in frame.columns and bool(
        frame["indicator_id"].astype(str).str.startswith(USER_PREFIX).any()
    )


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
    configured = policy.settings()[0].get("suppress_below")
    if configured is None:
        return DEFAULT_THRESHOLD, None
    try:
        return check_threshold(configured), None
    except ValueError:
        return DEFAULT_THRESHOLD, (
            f"[disclosure] suppress_below = {configured!r} is not a whole number from 1 to "
            f"{MAX_THRESHOLD}; using {DEFAULT_THRESHOLD}"
        )


def protect_frame(frame: pd.DataFrame, threshold: int, *, secondary: bool = False) -> pd.DataFrame:
    """A copy of a frame of indicator rows that is safe to show or download.

    Rows of uploaded indicators (`indicator_id` starting 'user_') with a count below the
    threshold, or flagged already, or without counts, are suppressed and flagged; public rows
    are untouched (and a frame without user rows comes back unchanged). The store already
    applied secondary suppression over every model; with `secondary`, the borough total in
    the frame is also checked against each model's neighbourhoods and the LSOAs in it. Use
    that only for a frame holding whole models (every neighbourhood): on a page's selection of
    neighbourhoods the check would hide rows that are safe."""
    out = frame.copy()
    if not has_user_rows(out):
        return out
    if "suppressed" not in out.columns:
        out["suppressed"] = False
    out["suppressed"] = out["suppressed"].astype("boolean").fillna(False).astype(bool)
    user = out["indicator_id"].astype(str).str.startswith(USER_PREFIX)
    mask = pd.Series(False, index=out.index)
    keys = [c for c in ("indicator_id", "period") if c in out.columns]
    for _, part in out[user].groupby(keys, dropna=False, sort=False):
        mask.loc[part.index] = _protect_part(part, threshold, secondary)
    out.loc[mask, "suppressed"] = True
    for column in NULLED:
        if column in out.columns:
            out[column] = out[column].astype(float)
            out.loc[out["suppressed"], column] = np.nan
    return out


def _protect_part(part: pd.DataFrame, threshold: int, secondary: bool) -> np.ndarray:
    numerator = part["numerator"].astype(float).to_numpy() if "numerator" in part else None
    if numerator is None:  # no counts to check: only what is already flagged can be shown
        flagged = part["suppressed"].to_numpy(bool)
        return flagged | part["value"].isna().to_numpy() if "value" in part else flagged
    denominator = part["denominator"].astype(float).to_numpy() if "denominator" in part else None
    if denominator is not None and not np.isnan(denominator).all():
        values = np.column_stack([numerator, denominator - numerator])
    else:
        values = numerator[:, None]
    primary = part["suppressed"].to_numpy(bool)
    groups: list[Group] = []
    if secondary and "area_type" in part.columns:
        area_type = part["area_type"].to_numpy()
        position = np.arange(len(part))
        model = (
            part["model_id"].astype(object).where(part["model_id"].notna(), "").to_numpy()
            if "model_id" in part.columns
            else np.full(len(part), "")
        )
        for parent in position[area_type == "lad"]:
            lsoas = position[area_type == "lsoa"]
            if lsoas.size:
                groups.append(Group(int(parent), tuple(int(i) for i in lsoas)))
            for model_id in sorted(set(model[area_type == "neighbourhood"])):
                kids = position[(area_type == "neighbourhood") & (model == model_id)]
                groups.append(Group(int(parent), tuple(int(i) for i in kids)))
    return suppress(values, groups, threshold, primary=primary)
