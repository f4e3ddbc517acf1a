"""Comparisons the pages share: against a comparator, and change since a baseline.

Plain pandas over the published rows, using `outcomes.stats` for the tests. Indicators with a
confidence interval are compared the Fingertips way (is the comparator outside the area's CI?)
and change is tested for significance. Indicators that are complete counts of every LSOA (the
IoD) have no sampling error: their values are compared directly, and their change is reported
without a significance test ("not tested"), never dressed up as significant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from outcomes import labels, stats

CONFIDENCE = {"95": 0.95, "998": 0.998}
CI_LABELS = {"95": "95%", "998": "99.8%"}
CHANGE_KIND = {"wilson": "proportion", "byar": "rate", "none": "other"}
COMPLETE_COUNT = "no test needed: complete count"
NOT_COMPARABLE = "not comparable over time"
ESTIMATE_NOT_TESTED = "not tested: an estimate without published intervals"
# How the catalogue's definition or caveats name a survey or model-based estimate (APS
# well-being, modelled loneliness, household churn): such values carry sampling or model error
# even where no interval is published, so they are never treated as complete counts.
ESTIMATE_WORDS = re.compile(
    r"survey estimate|population survey|survey responses|model-based estimate", re.IGNORECASE
)


@dataclass(frozen=True)
class IndicatorMeta:
    """The catalogue facts the comparisons need."""

    indicator_id: str
    name: str
    unit: str
    polarity: str
    aggregation: str
    ci_method: str
    multiplier: float
    comparable_over_time: bool = True
    estimate: bool = False  # a survey or model estimate with no interval: never a complete count

    @classmethod
    def from_row(cls, row: pd.Series) -> IndicatorMeta:
        return cls(
            indicator_id=row["indicator_id"],
            name=row["name"],
            unit=row["unit"],
            polarity=row["polarity"],
            aggregation=row["aggregation"],
            ci_method=row["ci_method"],
            multiplier=float(row["multiplier"]),
            comparable_over_time=_flag(row.get("comparable_over_time", True)),
            estimate=is_estimate(row),
        )

    @property
    def has_ci(self) -> bool:
        return self.ci_method != "none"


def is_estimate(row: pd.Series) -> bool:
    """Whether a catalogue row is a survey or model estimate published without an interval
    (its definition or caveats say so): its change cannot be tested and it is not a count."""
    if row.get("ci_method", "none") != "none":
        return False
    text = f"{row.get('definition', '')} {row.get('caveats', '')}"
    return bool(ESTIMATE_WORDS.search(text))


def _flag(value: object) -> bool:
    """A catalogue boolean that may be missing (older or uploaded catalogues): default True."""
    return True if value is None or pd.isna(value) else bool(value)


def comparator_values(
    values: pd.DataFrame,
    rest: pd.DataFrame | None,
    comparator: str,
    meta: IndicatorMeta,
    ci_level: str,
) -> pd.DataFrame:
    """The comparator of each neighbourhood row and period: area_code, period,
    comparator_value, comparator_lower, comparator_upper, comparator_name. The rest of the
    borough comes from `rest` (rows of `queries.rest_of_borough`, one per neighbourhood and
    period); the borough and England from the published rows in `values`."""
    hoods = values[values.area_type == "neighbourhood"][["area_code", "period"]]
    if comparator != "rest":
        source = values[values.area_type == comparator]
        comp = _comparator_columns(source, ci_level).rename(
            columns={"area_name": "comparator_name"}
        )
        return hoods.merge(comp.drop(columns="area_code"), on="period", how="left")
    if rest is None or rest.empty or meta.aggregation == "lsoa_only":
        return hoods.assign(
            comparator_value=np.nan,
            comparator_lower=np.nan,
            comparator_upper=np.nan,
            comparator_name=labels.REST,
        )
    comp = _comparator_columns(rest, ci_level).assign(comparator_name=labels.REST)
    return hoods.merge(comp, on=["area_code", "period"], how="left")


def _comparator_columns(rows: pd.DataFrame, ci_level: str) -> pd.DataFrame:
    """area_code, period, and the value and interval at `ci_level` as comparator_* columns
    (with area_name where the rows have one)."""
    lower, upper = f"lower_ci{ci_level}", f"upper_ci{ci_level}"
    names = ["area_name"] if "area_name" in rows.columns else []
    return rows[["area_code", "period", "value", lower, upper, *names]].rename(
        columns={"value": "comparator_value", lower: "comparator_lower", upper: "comparator_upper"}
    )


def rest_rows(rest: pd.DataFrame, focus: str, lad_name: str) -> pd.DataFrame:
    """The rest of the borough of neighbourhood `focus` (rows of `queries.rest_of_borough`) as
    area rows to set beside the published ones: area_type 'rest', named 'Rest of <borough>'."""
    rows = rest[rest.area_code == focus]
    return rows.assign(area_type="rest", area_name=labels.rest_area_name(lad_name))


def compare(value, lower, upper, comparator_value, meta: IndicatorMeta) -> np.ndarray:
    """Labels better / similar / worse (or higher / similar / lower without a judgement).

    With a CI: Fingertips' test (comparator outside the area's interval). Without one (a
    complete count): the values themselves, equal values being 'similar'."""
    value = np.asarray(value, dtype=float)
    comparator_value = np.asarray(comparator_value, dtype=float)
    if meta.has_ci:
        labels = stats.compare_with_comparator(
            value,
            np.asarray(lower, dtype=float),
            np.asarray(upper, dtype=float),
            comparator_value,
            meta.polarity,
        )
        labels = np.asarray(labels, dtype=object)
    else:
        higher = value > comparator_value + 1e-9
        lower_ = value < comparator_value - 1e-9
        if meta.polarity == "higher_is_better":
            up, down = "better", "worse"
        elif meta.polarity == "higher_is_worse":
            up, down = "worse", "better"
        else:
            up, down = "higher", "lower"
        labels = np.where(higher, up, np.where(lower_, down, "similar")).astype(object)
    missing = np.isnan(value) | np.isnan(comparator_value)
    labels[missing] = "not compared"
    return np.where(labels == "not_compared", "not compared", labels)


def change_since_baseline(
    values: pd.DataFrame, baseline: str, current: str, meta: IndicatorMeta, ci_level: str
) -> pd.DataFrame:
    """One row per area with the baseline and current values, the change, its interval and
    a significance label ('not tested' for complete counts), and whether it is an improvement.
    """
    keys = ["area_type", "area_code", "area_name"]
    cols = [*keys, "value", "numerator", "denominator"]
    base = values[values.period == baseline][cols]
    now = values[values.period == current][cols]
    frame = base.merge(now, on=keys, suffixes=("_baseline", "_current"), how="outer")
    frame["baseline"], frame["current"] = baseline, current
    frame["change"] = frame.value_current - frame.value_baseline
    kind = CHANGE_KIND.get(meta.ci_method, "other")
    if not meta.comparable_over_time:
        frame["change_lower"] = np.nan
        frame["change_upper"] = np.nan
        frame["significance"] = NOT_COMPARABLE
    elif meta.estimate:
        frame["change_lower"] = np.nan
        frame["change_upper"] = np.nan
        frame["significance"] = ESTIMATE_NOT_TESTED
    elif kind == "other" or frame.empty:
        frame["change_lower"] = np.nan
        frame["change_upper"] = np.nan
        frame["significance"] = COMPLETE_COUNT
    else:
        result = stats.change_since_baseline(
            frame.numerator_baseline.to_numpy(float),
            frame.denominator_baseline.to_numpy(float),
            frame.numerator_current.to_numpy(float),
            frame.denominator_current.to_numpy(float),
            kind,
            CONFIDENCE[ci_level],
            meta.multiplier,
        )
        frame["change_lower"] = np.asarray(result.lower, dtype=float)
        frame["change_upper"] = np.asarray(result.upper, dtype=float)
        frame["significance"] = np.asarray(result.label, dtype=object)
    frame["direction"] = _direction(frame, meta)
    return frame


def _direction(frame: pd.DataFrame, meta: IndicatorMeta) -> np.ndarray:
    """'improved' / 'worsened' (or 'increased' / 'decreased' without a judgement),
    'no significant change', 'unchanged' or 'not tested'. Complete counts have no sampling
    error, so their change is judged on the values; estimates only when significant."""
    if frame.empty:
        return np.array([], dtype=object)
    labels = frame.significance.to_numpy(object)
    out = np.full(len(frame), "not tested", dtype=object)
    untested = (COMPLETE_COUNT, stats.NOT_TESTED, NOT_COMPARABLE, ESTIMATE_NOT_TESTED)
    tested = ~np.isin(labels, untested)
    if tested.any():
        out[tested] = np.asarray(
            stats.change_direction(labels[tested], meta.polarity), dtype=object
        )
    # Judge complete counts on the change as displayed (2 dp): England's share of its own most
    # deprived decile moves by rounding only, which is no change.
    change = np.round(frame.change.to_numpy(float), 2)
    complete = labels == COMPLETE_COUNT
    rose, fell = complete & (change > 1e-9), complete & (change < -1e-9)
    if meta.polarity == "higher_is_better":
        out[rose], out[fell] = "improved", "worsened"
    elif meta.polarity == "higher_is_worse":
        out[rose], out[fell] = "worsened", "improved"
    else:
        out[rose], out[fell] = "increased", "decreased"
    out[complete & (np.abs(change) <= 1e-9)] = "unchanged"
    out[np.isnan(change)] = "not tested"
    out[labels == NOT_COMPARABLE] = "not judged"
    return out


def uncertainty_words(meta: IndicatorMeta, ci_level: str) -> str:
    """How uncertainty is shown for an indicator, in words (chart subtitles, captions)."""
    if meta.has_ci:
        return f"{CI_LABELS[ci_level]} confidence intervals"
    if meta.estimate:
        return "no published interval (a survey or model estimate: changes not tested)"
    return "no confidence interval (a complete count, not a sample)"
