"""Comparing a borough's neighbourhoods: ranked values, funnel plot limits and the area profile
(spine chart). Plain pandas over the published rows; no Streamlit here.

Comparisons use `analysis.compare` (Fingertips' test where the indicator has a confidence
interval, the values themselves for complete counts). Funnel limits are the comparator's value
with the interval an area of each size would have by chance alone: Wilson score limits for
proportions, Byar's (exact Poisson below 10 expected events) for rates, as in Fingertips.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes import analysis, labels, stats

FUNNEL_LEVELS = ("95", "998")
SPINE_HALF_WIDTH = 1.0  # spine positions run from -1 (worst) to 1 (best)


def ranked_values(
    values: pd.DataFrame,
    rest: pd.DataFrame | None,
    meta: analysis.IndicatorMeta,
    period: str,
    comparator: str,
    ci_level: str,
) -> pd.DataFrame:
    """Every neighbourhood's value in `period`, highest first, with its interval (at
    `ci_level`, NaN without a CI), its comparator and the comparison label ('not compared'
    for totals such as population, which cannot be set against a larger area's total). The
    rest of the borough comes from `rest` (rows of `queries.rest_of_borough`)."""
    at_period = values[values.period == period]
    hoods = at_period[at_period.area_type == "neighbourhood"]
    if hoods.empty:
        return pd.DataFrame(
            columns=[
                "area_code",
                "area_name",
                "period",
                "value",
                "numerator",
                "denominator",
                "lower",
                "upper",
                "comparator_name",
                "comparator_value",
                "comparator_lower",
                "comparator_upper",
                "comparison",
                "rank",
            ]
        )
    comp = analysis.comparator_values(at_period, rest, comparator, meta, ci_level)
    frame = hoods[["area_code", "area_name", "period", "value", "numerator", "denominator"]].copy()
    frame["lower"] = hoods[f"lower_ci{ci_level}"].to_numpy(float)
    frame["upper"] = hoods[f"upper_ci{ci_level}"].to_numpy(float)
    frame = frame.merge(comp, on=["area_code", "period"], how="left")
    frame["comparison"] = analysis.compare(
        frame.value, frame.lower, frame.upper, frame.comparator_value, meta
    )
    if meta.aggregation == "sum":  # a neighbourhood's total is always below a larger area's
        frame["comparison"] = "not compared"
    frame = frame.sort_values(["value", "area_name"], ascending=[False, True], na_position="last")
    frame["rank"] = frame.value.rank(ascending=False, method="min")
    return frame.reset_index(drop=True)


def method_text(meta: analysis.IndicatorMeta, comparator_name: str, ci_level: str) -> str:
    """How the neighbourhoods are compared with the comparator, in one sentence."""
    if meta.aggregation == "sum":
        return (
            f"{meta.name} is a total, so neighbourhoods are ranked but not compared with "
            f"{comparator_name}'s (larger) total."
        )
    if meta.has_ci:
        return (
            f"Each neighbourhood is compared with **{comparator_name}**: significantly "
            f"different when {comparator_name}'s value lies outside the neighbourhood's "
            f"{analysis.CI_LABELS[ci_level]} confidence interval."
        )
    if meta.estimate:
        return (
            f"Each neighbourhood is compared with **{comparator_name}** on the values alone: "
            "this is a survey or model estimate published without intervals, so small "
            "differences may be noise and none is tested."
        )
    return (
        f"Each neighbourhood is compared with **{comparator_name}** directly: this is a "
        "complete count, so there is no sampling error to allow for."
    )


def reference_value(values: pd.DataFrame, comparator: str, period: str) -> tuple[str, float] | None:
    """(name, value) of a single comparator line (borough or England) in `period`; None for the
    rest of the borough (a different comparator for every neighbourhood) or a missing value."""
    if comparator not in ("lad", "england"):
        return None
    rows = values[(values.area_type == comparator) & (values.period == period)]
    if rows.empty or pd.isna(rows.value.iloc[0]):
        return None
    name = labels.ENGLAND if comparator == "england" else str(rows.area_name.iloc[0])
    return name, float(rows.value.iloc[0])


def ranked_table(ranked: pd.DataFrame, meta: analysis.IndicatorMeta, ci_level: str) -> pd.DataFrame:
    """The ranked values as a readable table (the text alternative to the chart)."""
    table = pd.DataFrame(
        {
            "Rank": ranked["rank"].astype("Int64"),
            "Neighbourhood": ranked.area_name,
            "Period": ranked.period,
            meta.name: ranked.value.round(2),
        }
    )
    if meta.has_ci:
        label = analysis.CI_LABELS[ci_level]
        table[f"Lower {label} CI"] = ranked.lower.round(2)
        table[f"Upper {label} CI"] = ranked.upper.round(2)
    if ranked.denominator.notna().any():
        table["Numerator"] = ranked.numerator
        table["Denominator"] = ranked.denominator
    table["Comparator"] = ranked.comparator_name
    table["Comparator value"] = ranked.comparator_value.round(2)
    table["Compared with comparator"] = ranked.comparison
    return table


# --------------------------------------------------------------------------- funnel plot


def funnel_reason(meta: analysis.IndicatorMeta, ranked: pd.DataFrame) -> str | None:
    """Why no funnel plot can be drawn for this indicator (None when one can)."""
    if not meta.has_ci and meta.estimate:
        return (
            f"No funnel plot for {meta.name}: it is a survey or model estimate published "
            "without intervals or sample sizes, so funnel limits cannot be drawn."
        )
    if not meta.has_ci:
        return (
            f"No funnel plot for {meta.name}: it is a complete count of every LSOA, not an "
            "estimate from a sample, so there is no chance variation for funnel limits to show."
        )
    if not ranked.denominator.notna().any():
        return (
            f"No funnel plot for {meta.name}: it has no denominator (the number of people or "
            "events each value is based on), which a funnel plot needs on its horizontal axis."
        )
    if ranked.value.notna().sum() < 2:
        return "No funnel plot: fewer than two neighbourhoods have a value in this period."
    return None


def funnel_limits(
    meta: analysis.IndicatorMeta,
    centre_value: float,
    denominators,
    levels: tuple[str, ...] = FUNNEL_LEVELS,
) -> pd.DataFrame:
    """Control limits around `centre_value` (on the indicator's scale) for each denominator:
    columns denominator, lower_<level>, upper_<level>.

    Proportions (wilson): the Wilson interval of an area of size n whose proportion equals the
    comparator's, i.e. wilson_ci(p0 * n, n). Rates (byar): Byar's (exact Poisson below 10)
    interval of the expected count r0 * n, scaled back to a rate."""
    n = np.asarray(denominators, dtype=float)
    frame = pd.DataFrame({"denominator": n})
    base = centre_value / meta.multiplier
    for level in levels:
        confidence = analysis.CONFIDENCE[level]
        if meta.ci_method == "wilson":
            low, high = stats.wilson_ci(base * n, n, confidence)
            low, high = np.asarray(low) * meta.multiplier, np.asarray(high) * meta.multiplier
        elif meta.ci_method == "byar":
            low, high = stats.byars_ci(base * n, n, confidence, meta.multiplier)
        else:
            raise ValueError(f"{meta.indicator_id} has no CI method, so no funnel limits")
        frame[f"lower_{level}"] = np.asarray(low, dtype=float)
        frame[f"upper_{level}"] = np.asarray(high, dtype=float)
    return frame


def funnel_grid(denominators, points: int = 200) -> np.ndarray:
    """Denominators at which to draw smooth funnel limits: from a little below the smallest
    area to a little above the largest, evenly spaced on a log scale."""
    n = np.asarray(denominators, dtype=float)
    n = n[np.isfinite(n) & (n > 0)]
    if n.size == 0:
        return np.array([])
    low, high = max(n.min() * 0.5, 1.0), n.max() * 1.2
    return np.unique(np.round(np.geomspace(low, high, points), 6))


def funnel_points(
    ranked: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    centre_value: float,
    ci_level: str,
) -> pd.DataFrame:
    """Each neighbourhood with the funnel limits at its own denominator, where it falls
    ('within 95% limits', 'between 95% and 99.8% limits', 'outside 99.8% limits') and the
    judgement at the chosen level (better / similar / worse, or higher / similar / lower)."""
    frame = ranked[ranked.value.notna() & (ranked.denominator > 0)].copy()
    limits = funnel_limits(meta, centre_value, frame.denominator.to_numpy(float))
    for column in limits.columns.drop("denominator"):
        frame[column] = limits[column].to_numpy()
    outside_95 = (frame.value < frame.lower_95) | (frame.value > frame.upper_95)
    outside_998 = (frame.value < frame.lower_998) | (frame.value > frame.upper_998)
    frame["funnel_position"] = np.where(
        outside_998,
        "outside 99.8% limits",
        np.where(outside_95, "between 95% and 99.8% limits", "within 95% limits"),
    )
    above = frame.value > frame[f"upper_{ci_level}"]
    below = frame.value < frame[f"lower_{ci_level}"]
    up, down = _directions(meta.polarity)
    frame["funnel_comparison"] = np.where(above, up, np.where(below, down, "similar"))
    return frame.reset_index(drop=True)


def _directions(polarity: str) -> tuple[str, str]:
    """Labels for (higher, lower) than a comparator under a polarity."""
    if polarity == "higher_is_better":
        return "better", "worse"
    if polarity == "higher_is_worse":
        return "worse", "better"
    return "higher", "lower"


def funnel_table(points: pd.DataFrame, meta: analysis.IndicatorMeta) -> pd.DataFrame:
    """Funnel points as a readable table."""
    return pd.DataFrame(
        {
            "Neighbourhood": points.area_name,
            "Denominator": points.denominator,
            "Numerator": points.numerator,
            meta.name: points.value.round(3),
            "Lower 95% limit": points.lower_95.round(3),
            "Upper 95% limit": points.upper_95.round(3),
            "Lower 99.8% limit": points.lower_998.round(3),
            "Upper 99.8% limit": points.upper_998.round(3),
            "Position": points.funnel_position,
            "Judgement": points.funnel_comparison,
        }
    )


# --------------------------------------------------------------------------- spine chart


def spine_rows(
    values: pd.DataFrame,
    spread: pd.DataFrame,
    catalogue: pd.DataFrame,
    focus: str,
    comparator: str,
    ci_level: str,
    rest: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per area indicator (catalogue order) for the focus neighbourhood in that
    indicator's latest period with a value: the neighbourhood's value and comparison, the
    borough, England, the spread across the borough's neighbourhoods, and spine positions
    (`rest`: rows of `queries.rest_of_borough` by indicator).

    Positions put the centre (England; the borough where England has no value; the borough's
    median neighbourhood for counts, which cannot be set against England's total) at 0 and the
    furthest of the values shown at ±1, oriented so that better is to the right; indicators
    with no judgement keep higher to the right (`oriented` False)."""
    rows = []
    area_cat = catalogue[catalogue.aggregation != "lsoa_only"].sort_values("sort_order")
    for _, cat_row in area_cat.iterrows():
        meta = analysis.IndicatorMeta.from_row(cat_row)
        ind_values = values[values.indicator_id == meta.indicator_id]
        mine = ind_values[
            (ind_values.area_type == "neighbourhood") & (ind_values.area_code == focus)
        ]
        mine = mine[mine.value.notna()]
        if mine.empty:
            continue
        period = max(mine.period, key=lambda p: mine[mine.period == p].period_start.iloc[0])
        at_period = ind_values[ind_values.period == period]
        ind_rest = (rest or {}).get(meta.indicator_id)
        ranked = ranked_values(at_period, ind_rest, meta, period, comparator, ci_level)
        me = ranked[ranked.area_code == focus].iloc[0]
        sp = spread[(spread.indicator_id == meta.indicator_id) & (spread.period == period)]
        rows.append(_spine_row(meta, period, me, at_period, sp))
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return spine_positions(frame)


def _spine_row(
    meta: analysis.IndicatorMeta,
    period: str,
    me: pd.Series,
    at_period: pd.DataFrame,
    spread: pd.DataFrame,
) -> dict:
    """One indicator's spine row: the neighbourhood's ranked row `me`, the borough and England
    among the published rows `at_period`, and the neighbourhoods' `spread` in that period."""
    lad = at_period[at_period.area_type == "lad"]
    england = at_period[at_period.area_type == "england"]

    def spread_of(column: str) -> float:
        return spread[column].iloc[0] if len(spread) else np.nan

    return {
        "indicator_id": meta.indicator_id,
        "indicator_name": meta.name,
        "unit": meta.unit,
        "polarity": meta.polarity,
        "aggregation": meta.aggregation,
        "period": period,
        "value": me.value,
        "lower": me.lower,
        "upper": me.upper,
        "comparator_name": me.comparator_name,
        "comparator_value": me.comparator_value,
        "comparison": me.comparison,
        "borough_value": lad.value.iloc[0] if len(lad) else np.nan,
        "england_value": england.value.iloc[0] if len(england) else np.nan,
        "neighbourhoods": int(spread.neighbourhoods.iloc[0]) if len(spread) else 0,
        "min_value": spread_of("min_value"),
        "q25_value": spread_of("q25_value"),
        "median_value": spread_of("median_value"),
        "q75_value": spread_of("q75_value"),
        "max_value": spread_of("max_value"),
    }


def spine_positions(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the centre and spine positions (pos_*) to spine rows; see `spine_rows`."""
    frame = frame.copy()
    # Counts (aggregation 'sum') of a neighbourhood and of England are not comparable:
    # centre them on the borough's median neighbourhood instead.
    count = frame.aggregation.eq("sum") if "aggregation" in frame else pd.Series(False, frame.index)
    centre_is_england = frame.england_value.notna() & ~count
    frame["centre_name"] = np.where(
        centre_is_england,
        labels.ENGLAND,
        np.where(count, labels.BOROUGH_MEDIAN, labels.BOROUGH),
    )
    frame["centre_value"] = frame.england_value.where(
        centre_is_england, frame.median_value.where(count, frame.borough_value)
    )
    shown = ["min_value", "max_value", "value", "q25_value", "q75_value"]
    distance = frame[shown].sub(frame.centre_value, axis=0).abs().max(axis=1)
    borough = (frame.borough_value - frame.centre_value).abs().where(~count)
    distance = pd.concat([distance, borough], axis=1).max(axis=1)
    half_width = distance.where(distance > 0, 1.0).fillna(1.0)
    sign = np.where(frame.polarity == "higher_is_worse", -1.0, 1.0)
    frame["oriented"] = frame.polarity != "no_judgement"

    def position(column: str) -> pd.Series:
        return (frame[column] - frame.centre_value) / half_width * sign * SPINE_HALF_WIDTH

    frame["pos_value"] = position("value")
    frame["pos_borough"] = position("borough_value").where(~count)  # a total: not comparable
    ends = pd.concat([position("min_value"), position("max_value")], axis=1)
    frame["pos_range_low"], frame["pos_range_high"] = ends.min(axis=1), ends.max(axis=1)
    quartiles = pd.concat([position("q25_value"), position("q75_value")], axis=1)
    frame["pos_iqr_low"], frame["pos_iqr_high"] = quartiles.min(axis=1), quartiles.max(axis=1)
    return frame


def spine_source(catalogue: pd.DataFrame) -> str:
    """A chart footer naming every source (and licence) of the indicators in a profile."""
    sources = dict.fromkeys(f"{r.source} ({r.publisher})" for r in catalogue.itertuples())
    licences = dict.fromkeys(str(r.licence) for r in catalogue.itertuples())
    return f"Sources: {'; '.join(sources)}. {'; '.join(licences)}."


def spine_table(spine: pd.DataFrame) -> pd.DataFrame:
    """The spine chart as a readable table."""
    direction = spine.polarity.map(
        {
            "higher_is_better": "Higher is better",
            "higher_is_worse": "Higher is worse",
            "no_judgement": "No judgement",
        }
    )
    return pd.DataFrame(
        {
            "Indicator": spine.indicator_name,
            "Period": spine.period,
            "Polarity": direction,
            "Neighbourhood": spine.value.round(2),
            "Comparator": spine.comparator_name,
            "Comparator value": spine.comparator_value.round(2),
            "Compared with comparator": spine.comparison,
            "Borough": spine.borough_value.round(2),
            "England": spine.england_value.round(2),
            "Lowest neighbourhood": spine.min_value.round(2),
            "25th percentile": spine.q25_value.round(2),
            "Median": spine.median_value.round(2),
            "75th percentile": spine.q75_value.round(2),
            "Highest neighbourhood": spine.max_value.round(2),
        }
    )
