"""How two neighbourhood models of one borough fit together, and what the coarser one hides.

A council often has a coarse model (say 7 neighbourhoods) and a finer one (14): does each fine
neighbourhood lie within one coarse neighbourhood (nesting), and does a coarse neighbourhood's
unremarkable average hide the borough's most extreme fine neighbourhood? Overlap is counted in
LSOAs 2021 (the building blocks of every model); values are the weighted means of LSOA values
the build uses (`model_comparison`), so they equal the published neighbourhood values. No
Streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from outcomes import analysis
from outcomes.model_comparison import assigned_only

CLOSE_SD = 0.5  # "close to the borough": within half an SD of the finer neighbourhoods' values


def overlap(coarse: pd.DataFrame, fine: pd.DataFrame) -> pd.DataFrame:
    """For each fine neighbourhood, the coarse neighbourhood holding most of its LSOAs:
    fine_code, fine_name, coarse_code, coarse_name, lsoas (shared), fine_lsoas, share, and
    others (the other coarse neighbourhoods it reaches, by name). Memberships have
    lsoa21_code, neighbourhood_code, neighbourhood_name."""
    cols = ["lsoa21_code", "neighbourhood_code", "neighbourhood_name"]
    pairs = assigned_only(fine)[cols].merge(
        assigned_only(coarse)[cols], on="lsoa21_code", suffixes=("_fine", "_coarse")
    )
    counts = (
        pairs.groupby(
            [
                "neighbourhood_code_fine",
                "neighbourhood_name_fine",
                "neighbourhood_code_coarse",
                "neighbourhood_name_coarse",
            ]
        )
        .size()
        .rename("lsoas")
        .reset_index()
    )
    counts.columns = ["fine_code", "fine_name", "coarse_code", "coarse_name", "lsoas"]
    counts["fine_lsoas"] = counts.groupby("fine_code")["lsoas"].transform("sum")
    counts["share"] = counts["lsoas"] / counts["fine_lsoas"]
    counts = counts.sort_values(
        ["fine_code", "lsoas", "coarse_name"], ascending=[True, False, True]
    )
    others = counts.groupby("fine_code")["coarse_name"].apply(lambda s: ", ".join(s.iloc[1:]))
    main = counts.drop_duplicates("fine_code").set_index("fine_code")
    main["others"] = others
    return main.reset_index().sort_values(["coarse_name", "fine_name"]).reset_index(drop=True)


def nesting_sentence(table: pd.DataFrame, fine_model: str, coarse_model: str) -> str:
    """'All 14 neighbourhoods of A lie wholly within one of B's 7', or which do not."""
    coarse_count = table["coarse_code"].nunique()
    whole = table[table["share"] >= 1]
    if len(whole) == len(table):
        return (
            f"The models nest: every one of the {len(table)} neighbourhoods of {fine_model} "
            f"lies wholly within one of the {coarse_count} neighbourhoods of {coarse_model}."
        )
    split = table[table["share"] < 1].sort_values("share")
    named = "; ".join(
        f"{r.fine_name} ({r.share * 100:.0f}% of its LSOAs in {r.coarse_name}, the rest in "
        f"{r.others})"
        for r in split.head(3).itertuples()
    )
    more = f" and {len(split) - 3} more" if len(split) > 3 else ""
    return (
        f"The models do not quite nest: {len(whole)} of the {len(table)} neighbourhoods of "
        f"{fine_model} lie wholly within one neighbourhood of {coarse_model}; {len(split)} "
        f"straddle a boundary: {named}{more}."
    )


def _means(lsoa: pd.DataFrame, membership: pd.DataFrame) -> pd.Series:
    """Weighted mean of LSOA values per neighbourhood code."""
    rows = lsoa[lsoa["value"].notna() & (lsoa["weight"] > 0)].merge(
        assigned_only(membership)[["lsoa21_code", "neighbourhood_code"]], on="lsoa21_code"
    )
    rows = rows.assign(_wx=rows["value"] * rows["weight"])
    sums = rows.groupby("neighbourhood_code")[["_wx", "weight"]].sum()
    return sums["_wx"] / sums["weight"]


def _fmt(value: float, meta: analysis.IndicatorMeta) -> str:
    """'43.4%', '25.7' or '12.3 trips per hour'."""
    if meta.unit == "%":
        return f"{value:,.1f}%"
    if meta.unit in ("", "score", "decile", "rank", "people"):
        return f"{value:,.1f}"
    return f"{value:,.1f} {meta.unit}"


def worst_first(meta: analysis.IndicatorMeta) -> bool:
    """Whether the extreme to look for is the highest value (worse, or simply highest where
    higher is neither better nor worse) rather than the lowest."""
    return meta.polarity != "higher_is_better"


def hidden_extremes(
    table: pd.DataFrame,
    lsoa: pd.DataFrame,
    coarse: pd.DataFrame,
    fine: pd.DataFrame,
    meta: analysis.IndicatorMeta,
) -> pd.DataFrame:
    """Per coarse neighbourhood: its value, the range of the fine neighbourhoods mostly inside
    it and the most extreme of them (the worst by polarity), with that one's rank among all the
    fine neighbourhoods (1 = the borough's most extreme). `table` is `overlap`; `lsoa` has
    lsoa21_code, value, weight."""
    fine_values = _means(lsoa, fine)
    coarse_values = _means(lsoa, coarse)
    rows = table.assign(
        fine_value=table["fine_code"].map(fine_values),
        coarse_value=table["coarse_code"].map(coarse_values),
    ).dropna(subset=["fine_value"])
    high = worst_first(meta)
    rows["rank"] = rows["fine_value"].rank(ascending=not high, method="min").astype(int)
    rows = rows.sort_values("fine_value", ascending=not high)
    grouped = rows.groupby(["coarse_code", "coarse_name"], sort=False)
    out = grouped.agg(
        coarse_value=("coarse_value", "first"),
        fine_neighbourhoods=("fine_code", "size"),
        fine_lowest=("fine_value", "min"),
        fine_highest=("fine_value", "max"),
        extreme_name=("fine_name", "first"),
        extreme_value=("fine_value", "first"),
        extreme_rank=("rank", "first"),
    )
    return out.reset_index().sort_values("extreme_rank").reset_index(drop=True)


def extreme_sentence(
    extremes: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    *,
    fine_model: str,
    coarse_model: str,
    lad_name: str,
    borough_value: float | None,
    fine_count: int,
) -> str:
    """The finer model's most extreme neighbourhood and the coarse average it sits in: e.g.
    'Ince has the highest … of the 14 (43.4%). It lies in Wigan North East, whose 20.6% is
    close to Wigan's 23.9%: that average hides it.' Names must be escaped by the caller."""
    if extremes.empty:
        return ""
    top = extremes.iloc[0]
    word = "highest" if worst_first(meta) else "lowest"
    judged = "" if meta.polarity == "no_judgement" else " (the worst)"
    fmt = _fmt
    text = (
        f"{top.extreme_name} has the {word} {meta.name} of {fine_model}'s {fine_count} "
        f"neighbourhoods{judged}: {fmt(top.extreme_value, meta)}. It lies in "
        f"{top.coarse_name} of {coarse_model}, whose {fmt(top.coarse_value, meta)}"
    )
    if borough_value is None or np.isnan(borough_value):
        return text + " is all that model shows of it."
    spread = float(np.std(extremes[["fine_lowest", "fine_highest"]].to_numpy(float)))
    gap = top.coarse_value - borough_value
    if abs(gap) <= CLOSE_SD * spread:
        relation = f"is close to {lad_name}'s {fmt(borough_value, meta)}: that average hides it"
    else:
        side = "above" if gap > 0 else "below"
        relation = f"is well {side} {lad_name}'s {fmt(borough_value, meta)}"
    return f"{text} {relation}."


def overlap_display(table: pd.DataFrame) -> pd.DataFrame:
    """`overlap` as a readable table (the text alternative of the nesting)."""
    return pd.DataFrame(
        {
            "Neighbourhood (finer model)": table["fine_name"],
            "Lies in (coarser model)": table["coarse_name"],
            "Share of its LSOAs": (table["share"] * 100).round(0).astype(int).astype(str) + "%",
            "LSOAs": table["fine_lsoas"],
            "Also reaches": table["others"].fillna(""),
        }
    )


def extremes_display(extremes: pd.DataFrame, meta: analysis.IndicatorMeta) -> pd.DataFrame:
    """`hidden_extremes` as a readable table: what each coarse neighbourhood's value hides."""
    word = "Highest" if worst_first(meta) else "Lowest"
    return pd.DataFrame(
        {
            "Neighbourhood (coarser model)": extremes["coarse_name"],
            "Its value": extremes["coarse_value"].round(2),
            "Finer neighbourhoods in it": extremes["fine_neighbourhoods"],
            "Their lowest": extremes["fine_lowest"].round(2),
            "Their highest": extremes["fine_highest"].round(2),
            f"{word} of them": extremes["extreme_name"],
            f"Its rank among all finer neighbourhoods ({word.lower()} = 1)": extremes[
                "extreme_rank"
            ],
        }
    )
