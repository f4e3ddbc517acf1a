"""Inequality within a borough: an indicator by national IMD decile and the slope index of
inequality (SII). No Streamlit here.

The borough's LSOAs are grouped by their national IMD decile (1 = England's most deprived 10%)
and each decile's value is computed from summed numerators and denominators (for population-
weighted means, value x population over population), never by averaging percentages. The SII
(`stats.slope_index_of_inequality`, the PHE method) is weighted by each decile's population.
The chart is `outcomes.charts.inequality.decile_chart`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes import analysis, stats

DECILE_INDICATOR = "imd_decile"
POPULATION_INDICATOR = "population"
Z95 = 1.959963984540054
IOD_SOURCE = "Indices of Deprivation"


def nearest_period(period: str, period_start, candidates: pd.DataFrame) -> tuple[str, bool] | None:
    """The candidate period (frame of period, period_start) with the same label as `period`,
    else the one starting nearest to `period_start` (the earlier on a tie); and whether it is
    the same period. None when there are no candidates."""
    if candidates.empty:
        return None
    if period in set(candidates.period):
        return period, True
    starts = pd.to_datetime(candidates.period_start)
    distance = (starts - pd.Timestamp(period_start)).abs()
    frame = candidates.assign(_d=distance.to_numpy(), _s=starts.to_numpy())
    best = frame.sort_values(["_d", "_s"]).iloc[0]
    return str(best.period), False


def sii_caveat(meta_row: pd.Series) -> tuple[bool, str | None]:
    """(whether to compute the SII at all, a warning to show next to it)."""
    if meta_row["aggregation"] in ("sum", "lsoa_only"):
        return False, (
            f"No slope index for {meta_row['name']}: it is a total or an LSOA attribute, not a "
            "rate, so its size by decile depends on how many people live in each decile rather "
            "than on deprivation."
        )
    if str(meta_row["indicator_id"]).startswith("imd_") or IOD_SOURCE in str(meta_row["source"]):
        return True, (
            f"Not a meaningful measure of inequality here: {meta_row['name']} comes from the "
            "Indices of Deprivation, the same data that defines the deciles, so a gradient "
            "is built in (the comparison is circular)."
        )
    return True, None


def decile_table(sums: pd.DataFrame, meta: analysis.IndicatorMeta, ci_level: str) -> pd.DataFrame:
    """Decile rows (from `queries.decile_sums`, whose values and intervals the build's SQL
    computes from the summed counts) -> value, interval at `ci_level`, standard error (from the
    95% interval, NaN without a CI) and the population used to weight the SII (the population
    estimate, or the denominators where there is none)."""
    frame = sums.copy()
    frame.loc[frame.lsoas_with_data == 0, "value"] = np.nan
    frame["lower"] = frame[f"lower_ci{ci_level}"].astype(float)
    frame["upper"] = frame[f"upper_ci{ci_level}"].astype(float)
    low95, high95 = frame.lower_ci95.astype(float), frame.upper_ci95.astype(float)
    frame["se"] = (np.asarray(high95) - np.asarray(low95)) / (2 * Z95)
    has_population = frame.population.notna().all() and (frame.population > 0).any()
    frame["weight"] = frame.population if has_population else frame.denominator
    frame["weight_source"] = "population" if has_population else "denominator"
    return frame


def slope_index(
    deciles: pd.DataFrame, meta: analysis.IndicatorMeta, ci_level: str
) -> stats.SIIResult:
    """The SII across the deciles present: simulation from each decile's standard error where
    the indicator has a CI, the regression interval otherwise."""
    rows = deciles[deciles.value.notna() & deciles.weight.notna()]
    se = rows.se if meta.has_ci and rows.se.notna().all() else None
    return stats.slope_index_of_inequality(
        rows.value,
        rows.weight,
        rows.imd_decile,
        analysis.CONFIDENCE[ci_level],
        standard_errors=se,
    )


def gap_units(unit: str) -> str:
    """How a difference in the indicator's unit reads: '%' -> 'percentage points'."""
    return {
        "%": "percentage points",
        "score": "points",
        "": "",
    }.get(unit, unit)


def _in_sentence(name: str) -> str:
    """'Income deprivation rate' -> 'income deprivation rate'; acronyms ('IMD ...') kept."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def sii_sentence(
    result: stats.SIIResult, meta: analysis.IndicatorMeta, lad_name: str, ci_level: str
) -> str:
    """One plain sentence for the SII: the gap between the most and least deprived ends."""
    if np.isnan(result.sii):
        return (
            f"The slope index of inequality cannot be estimated for {lad_name}: it needs values "
            "for at least three deprivation deciles."
        )
    # SII is least minus most deprived; readers think of most minus least deprived.
    gap, low, high = -result.sii, -result.sii_upper, -result.sii_lower
    units = gap_units(meta.unit)
    units = f" {units}" if units else ""
    where = "higher" if gap > 0 else "lower"
    size = abs(gap)
    ci = analysis.CI_LABELS[ci_level]
    sentence = (
        f"Across {lad_name}, the estimated gap in {_in_sentence(meta.name)} between the most and "
        f"least deprived ends of the borough is {size:,.1f}{units} ({ci} CI {low:,.1f} to "
        f"{high:,.1f}), {where} at the most deprived end."
    )
    if low <= 0 <= high:
        sentence += " The interval includes zero, so the gap may be due to chance."
    return sentence


def borough_reference(values: pd.DataFrame, meta: analysis.IndicatorMeta, period: str):
    """The borough's published value to draw across the deciles; None for totals (the
    deciles' totals add up to it, so it is no reference for any one of them) or no value."""
    rows = values[(values.area_type == "lad") & (values.period == period)]
    if meta.aggregation == "sum" or rows.empty or pd.isna(rows.value.iloc[0]):
        return None
    return float(rows.value.iloc[0])


def decile_display(
    deciles: pd.DataFrame, meta: analysis.IndicatorMeta, ci_level: str, period: str, wave: str
) -> pd.DataFrame:
    """The decile values as a readable, self-describing table (also the CSV download)."""
    table = pd.DataFrame(
        {
            "imd_decile": deciles.imd_decile,
            "iod_wave": wave,
            "indicator_id": meta.indicator_id,
            "indicator_name": meta.name,
            "period": period,
            "lsoas": deciles.lsoas,
            "numerator": deciles.numerator,
            "denominator": deciles.denominator,
            "value": deciles.value.round(4),
        }
    )
    if meta.aggregation == "weighted_mean":  # inputs are value x population: not for reading
        table = table.drop(columns=["numerator", "denominator"])
    if meta.has_ci:
        table[f"lower_ci{ci_level}"] = deciles.lower.round(4)
        table[f"upper_ci{ci_level}"] = deciles.upper.round(4)
    table["sii_weight"] = deciles.weight
    table["sii_weight_source"] = deciles.weight_source
    return table
