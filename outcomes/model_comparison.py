"""Neighbourhood models compared: coverage, the spread of LSOA values inside each
neighbourhood, and how much of the borough's LSOA-level variation a model's averages hide.

No Streamlit here. The LSOA weights are the ones the build uses to combine LSOAs into a
neighbourhood (the indicator's denominator: population for the IoD; one per LSOA for shares of
LSOAs and for counts), so a neighbourhood's value is the weighted mean of its LSOA values and
the variance splits exactly into a part between neighbourhoods and a part within them. The
side-by-side figure is `outcomes.charts.models.spread_chart`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from outcomes import analysis, labels
from outcomes.uploads.models import UNASSIGNED


@dataclass(frozen=True)
class Coverage:
    """How a model covers its borough."""

    table: pd.DataFrame  # neighbourhood_code, neighbourhood_name, lsoas, population, pct
    borough_lsoas: int
    assigned: int
    unassigned: int
    unassigned_codes: tuple[str, ...]
    population_period: str | None
    borough_population: float


@dataclass(frozen=True)
class VarianceSplit:
    """The weighted variance of LSOA values, split between and within neighbourhoods."""

    total: float
    between: float
    within: float
    lsoas: int
    neighbourhoods: int

    @property
    def between_share(self) -> float:
        """Share of the LSOA-level variance lying between neighbourhoods (an R²); NaN when
        every LSOA has the same value."""
        return self.between / self.total if self.total > 1e-12 else float("nan")

    @property
    def hidden_share(self) -> float:
        """Share of the LSOA-level variance inside neighbourhoods: what their averages hide."""
        return 1 - self.between_share


def assigned_only(membership: pd.DataFrame) -> pd.DataFrame:
    """Membership rows in a real neighbourhood: uploaded models list the LSOAs they leave out
    under a neighbourhood called 'Unassigned', which is not one."""
    return membership[membership.neighbourhood_name != UNASSIGNED]


def coverage(borough: pd.DataFrame, membership: pd.DataFrame) -> Coverage:
    """LSOAs and people per neighbourhood, and the borough's LSOAs in no neighbourhood.
    `borough` has lsoa21_code, population (and population_period); `membership` has
    lsoa21_code, neighbourhood_code, neighbourhood_name."""
    inside = assigned_only(membership)
    inside = inside[inside.lsoa21_code.isin(borough.lsoa21_code)]
    joined = inside.merge(borough[["lsoa21_code", "population"]], on="lsoa21_code", how="left")
    table = (
        joined.groupby(["neighbourhood_code", "neighbourhood_name"], as_index=False)
        .agg(lsoas=("lsoa21_code", "count"), population=("population", "sum"))
        .sort_values("neighbourhood_name")
        .reset_index(drop=True)
    )
    total_population = borough["population"].sum()
    table["population_pct"] = (
        table["population"] / total_population * 100 if total_population else np.nan
    )
    missing = sorted(set(borough.lsoa21_code) - set(inside.lsoa21_code))
    period = None
    if "population_period" in borough and borough["population_period"].notna().any():
        period = str(borough["population_period"].dropna().iloc[0])
    return Coverage(
        table=table,
        borough_lsoas=len(borough),
        assigned=int(inside.lsoa21_code.nunique()),
        unassigned=len(missing),
        unassigned_codes=tuple(missing),
        population_period=period,
        borough_population=float(total_population),
    )


def _weighted(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted mean and weighted (population) standard deviation."""
    total = weights.sum()
    if total <= 0:
        return float("nan"), float("nan")
    mean = float((weights * values).sum() / total)
    variance = float((weights * (values - mean) ** 2).sum() / total)
    return mean, float(np.sqrt(max(variance, 0.0)))


def _assigned(lsoa: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """LSOAs with a value and a positive weight, with their neighbourhood (unassigned dropped)."""
    rows = lsoa[lsoa["value"].notna() & (lsoa["weight"] > 0)]
    return rows.merge(
        assigned_only(membership)[["lsoa21_code", "neighbourhood_code", "neighbourhood_name"]],
        on="lsoa21_code",
        how="inner",
    )


def neighbourhood_spread(
    lsoa: pd.DataFrame, membership: pd.DataFrame, neighbourhood_values: pd.DataFrame
) -> pd.DataFrame:
    """Per neighbourhood: its published value and the spread of its LSOA values (min, lower
    quartile, median, upper quartile, max, IQR; weighted mean and weighted SD).

    `lsoa` has lsoa21_code, value, weight; `neighbourhood_values` has area_code, value (the
    neighbourhood rows of one period)."""
    rows = _assigned(lsoa, membership)
    records = []
    for (code, name), group in rows.groupby(["neighbourhood_code", "neighbourhood_name"]):
        values = group["value"].to_numpy(float)
        mean, sd = _weighted(values, group["weight"].to_numpy(float))
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        records.append(
            {
                "neighbourhood_code": code,
                "neighbourhood_name": name,
                "lsoas": len(group),
                "lsoa_min": values.min(),
                "lsoa_q1": q1,
                "lsoa_median": median,
                "lsoa_q3": q3,
                "lsoa_max": values.max(),
                "lsoa_iqr": q3 - q1,
                "lsoa_weighted_mean": mean,
                "lsoa_weighted_sd": sd,
            }
        )
    columns = [
        "neighbourhood_code",
        "neighbourhood_name",
        "lsoas",
        "lsoa_min",
        "lsoa_q1",
        "lsoa_median",
        "lsoa_q3",
        "lsoa_max",
        "lsoa_iqr",
        "lsoa_weighted_mean",
        "lsoa_weighted_sd",
    ]
    spread = pd.DataFrame.from_records(records, columns=columns)
    published = neighbourhood_values[["area_code", "value"]].rename(
        columns={"area_code": "neighbourhood_code"}
    )
    spread = spread.merge(published, on="neighbourhood_code", how="left")
    spread.insert(2, "value", spread.pop("value"))
    return spread.sort_values("value", ascending=False, na_position="last").reset_index(drop=True)


def variance_split(lsoa: pd.DataFrame, membership: pd.DataFrame) -> VarianceSplit:
    """Weighted variance of the LSOA values around their borough mean, split into the part
    between neighbourhood means and the part within neighbourhoods (between + within = total).
    Unassigned LSOAs are left out."""
    rows = _assigned(lsoa, membership)
    if rows.empty:
        return VarianceSplit(float("nan"), float("nan"), float("nan"), 0, 0)
    x = rows["value"].to_numpy(float)
    w = rows["weight"].to_numpy(float)
    total_weight = w.sum()
    grand = (w * x).sum() / total_weight
    total = float((w * (x - grand) ** 2).sum() / total_weight)
    groups = rows.assign(_wx=w * x).groupby("neighbourhood_code")
    group_weight = groups["weight"].sum()
    group_mean = groups["_wx"].sum() / group_weight
    between = float((group_weight * (group_mean - grand) ** 2).sum() / total_weight)
    return VarianceSplit(
        total=total,
        between=between,
        within=max(total - between, 0.0),
        lsoas=len(rows),
        neighbourhoods=int(group_weight.size),
    )


def weight_basis(meta: analysis.IndicatorMeta) -> str:
    """What the LSOA weights are, in words, for this indicator."""
    if meta.aggregation in ("lsoa_share", "sum", "lsoa_only"):
        return "each LSOA counted once"
    if meta.has_ci:
        return "weighted by the indicator's denominator"
    return "population-weighted"


def sd_label(meta: analysis.IndicatorMeta) -> str:
    """Column heading for the within-neighbourhood standard deviation."""
    basis = weight_basis(meta)
    if basis == "population-weighted":
        return "Population-weighted SD"
    if basis == "each LSOA counted once":
        return "SD (LSOAs equally weighted)"
    return "Weighted SD"


def _pct(share: float) -> str:
    return "n/a" if np.isnan(share) else f"{share * 100:.0f}%"


def headline(
    first: tuple[str, VarianceSplit],
    second: tuple[str, VarianceSplit],
    *,
    meta: analysis.IndicatorMeta,
    period: str,
    lad_name: str,
) -> str:
    """One paragraph: how much of the LSOA-level variation each model's neighbourhoods keep
    and how much the coarser model hides."""
    (name_a, a), (name_b, b) = first, second
    if any(np.isnan(s.between_share) for s in (a, b)):
        return (
            f"Every LSOA in {lad_name} has the same {meta.name} in {period} (or there are no "
            "values), so there is no variation for either model to keep or hide."
        )
    text = (
        f"Of the variation in {meta.name} between {lad_name}'s LSOAs in {period} "
        f"({weight_basis(meta)}), **{_pct(a.between_share)}** lies between the "
        f"{a.neighbourhoods} neighbourhoods of {name_a} and **{_pct(b.between_share)}** "
        f"between the {b.neighbourhoods} of {name_b}."
    )
    if a.neighbourhoods == b.neighbourhoods:
        return text + (
            f" Both have {a.neighbourhoods} neighbourhoods; {name_a} hides "
            f"{_pct(a.hidden_share)} of it inside neighbourhood averages, {name_b} "
            f"{_pct(b.hidden_share)}."
        )
    (coarse_name, coarse), (fine_name, fine) = sorted(
        [(name_a, a), (name_b, b)], key=lambda item: item[1].neighbourhoods
    )
    gap = (coarse.hidden_share - fine.hidden_share) * 100
    if gap >= 0.5:
        compare = f"{gap:.0f} percentage points more than {fine_name}"
    elif gap <= -0.5:
        compare = f"{-gap:.0f} percentage points less than {fine_name}, despite being coarser"
    else:
        compare = f"about as much as {fine_name}"
    return text + (
        f" The coarser model, {coarse_name}, hides **{_pct(coarse.hidden_share)}** of it "
        f"inside its neighbourhoods' averages: {compare}."
    )


EXPLANATION = (
    "The share between neighbourhoods is the part of the weighted variance of LSOA values "
    "that the neighbourhood averages account for (an R²): 100% would mean every LSOA equals "
    "its neighbourhood's value; 0% that the neighbourhoods all have the borough's value and "
    "every difference lies inside them."
)


def spread_table(spread: pd.DataFrame, meta: analysis.IndicatorMeta) -> pd.DataFrame:
    """A readable version of neighbourhood_spread."""
    return pd.DataFrame(
        {
            "Neighbourhood": spread["neighbourhood_name"],
            "Value": spread["value"].round(2),
            "LSOAs": spread["lsoas"],
            "LSOA min": spread["lsoa_min"].round(2),
            "LSOA lower quartile": spread["lsoa_q1"].round(2),
            "LSOA upper quartile": spread["lsoa_q3"].round(2),
            "LSOA max": spread["lsoa_max"].round(2),
            "IQR": spread["lsoa_iqr"].round(2),
            sd_label(meta): spread["lsoa_weighted_sd"].round(2),
        }
    )


def for_download(
    spreads: dict[str, pd.DataFrame],
    splits: dict[str, VarianceSplit],
    *,
    meta: analysis.IndicatorMeta,
    period: str,
) -> pd.DataFrame:
    """Both models' neighbourhood spreads in one self-describing long table."""
    frames = []
    for model_name, spread in spreads.items():
        split = splits[model_name]
        frames.append(
            spread.assign(
                model_name=model_name,
                indicator_id=meta.indicator_id,
                indicator_name=meta.name,
                period=period,
                lsoa_weights=weight_basis(meta),
                model_between_share_pct=split.between_share * 100,
            )
        )
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    lead = ["model_name", "indicator_id", "indicator_name", "period"]
    return out[lead + [c for c in out.columns if c not in lead]]


def coverage_table(cov: Coverage) -> pd.DataFrame:
    """The coverage report as a readable table, with an 'Unassigned' row when LSOAs are left
    out of every neighbourhood."""
    period = cov.population_period or "latest"
    table = pd.DataFrame(
        {
            "Neighbourhood": cov.table["neighbourhood_name"],
            "Code": cov.table["neighbourhood_code"].map(labels.public_code),
            "LSOAs": cov.table["lsoas"],
            f"Population ({period})": cov.table["population"].round(0),
            "% of borough population": cov.table["population_pct"].round(1),
        }
    )
    if cov.unassigned:
        left_out = cov.borough_population - cov.table["population"].sum()
        share = left_out / cov.borough_population * 100 if cov.borough_population else np.nan
        table.loc[len(table)] = ["Unassigned", "", cov.unassigned, round(left_out), round(share, 1)]
    return table


def default_second_model(models: pd.DataFrame, first: str) -> str | None:
    """The model to compare with by default: the first other model with a different number of
    neighbourhoods (a coarser/finer contrast), else the first other one."""
    others = models[models.model_id != first]
    if others.empty:
        return None
    count = models.loc[models.model_id == first, "neighbourhoods"]
    if len(count):
        different = others[others.neighbourhoods != count.iloc[0]]
        if not different.empty:
            return str(different.model_id.iloc[0])
    return str(others.model_id.iloc[0])


def split_text(split: VarianceSplit) -> str:
    """'27% of the LSOA-level variation lies between its 4 neighbourhoods' in words."""
    if np.isnan(split.between_share):
        return "no LSOA-level variation to split"
    return (
        f"{_pct(split.between_share)} of the LSOA-level variation lies between its "
        f"{split.neighbourhoods} neighbourhoods, {_pct(split.hidden_share)} inside them"
    )
