"""Values and intervals for synthetic test frames that are not in the database.

The app takes every value and interval from the build's SQL; tests that build frames by hand
compute theirs here, with `outcomes.stats` (itself checked against PHStatsMethods) as the
oracle, so a frame looks as if it came from the database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes import stats
from outcomes.analysis import CONFIDENCE, IndicatorMeta


def value_from_sums(meta: IndicatorMeta, numerator: pd.Series, denominator: pd.Series):
    """An indicator value from summed inputs, as the build's indicator_values_from_sums."""
    if meta.aggregation in ("sum", "lsoa_only"):
        return numerator.astype(float)
    return numerator / denominator.replace(0, np.nan) * meta.multiplier


def interval(meta: IndicatorMeta, numerator, denominator, ci_level: str) -> tuple:
    """(lower, upper) on the indicator's scale, NaN where the indicator has no CI."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    confidence = CONFIDENCE[ci_level]
    if meta.ci_method == "wilson":
        low, high = stats.wilson_ci(numerator, denominator, confidence)
        return np.asarray(low) * meta.multiplier, np.asarray(high) * meta.multiplier
    if meta.ci_method == "byar":
        return stats.byars_ci(numerator, denominator, confidence, meta.multiplier)
    nan = np.full(numerator.shape, np.nan)
    return nan, nan


def with_values(frame: pd.DataFrame, meta: IndicatorMeta) -> pd.DataFrame:
    """`frame` (numerator, denominator) with value and lower/upper_ci95/998 columns."""
    out = frame.copy()
    out["value"] = value_from_sums(meta, out.numerator, out.denominator)
    for level in ("95", "998"):
        out[f"lower_ci{level}"], out[f"upper_ci{level}"] = interval(
            meta, out.numerator, out.denominator, level
        )
    return out
