"""The borough page of a pack: how far apart the model's neighbourhoods are over time, and the
gaps between the focus neighbourhood, the borough and England, in plain words.

The indicator is the pack's chart indicator where it is comparable over time and has a series;
otherwise the first headline indicator that is (the spread of waves that are not comparable
would read as a change that is not one)."""

from __future__ import annotations

import math

import pandas as pd

from outcomes import analysis, briefing


def spread_indicator(
    values: pd.DataFrame, catalogue: pd.DataFrame, first: str, others: tuple[str, ...]
) -> str | None:
    """The first of `first`, then `others`, comparable over time with two or more periods in
    which the neighbourhoods differ; None when there is none."""
    meta = catalogue.set_index("indicator_id")
    hoods = values[(values.area_type == "neighbourhood") & values.value.notna()]
    covered = hoods.groupby("indicator_id").area_code.nunique()
    full = covered.max() if len(covered) else 0
    # Indicators with figures for every neighbourhood first, in the order given.
    ordered = sorted(dict.fromkeys((first, *others)), key=lambda i: covered.get(i, 0) < full)
    for indicator_id in ordered:
        if indicator_id not in meta.index or meta.at[indicator_id, "aggregation"] == "sum":
            continue
        comparable = meta.at[indicator_id, "comparable_over_time"]
        if comparable is not None and not pd.isna(comparable) and not bool(comparable):
            continue
        rows = hoods[hoods.indicator_id == indicator_id]
        spread = rows.groupby("period").value.agg(lambda v: v.max() - v.min())
        if rows.period.nunique() >= 2 and (spread > 1e-9).any():
            return indicator_id
    return None


def spread_rows(values: pd.DataFrame, indicator_id: str, focus: str) -> pd.DataFrame:
    """Per period (oldest first): the lowest and highest neighbourhood with their names, the
    gap between them, and the focus neighbourhood's, the borough's and England's values."""
    rows = values[(values.indicator_id == indicator_id) & values.value.notna()]
    hoods = rows[rows.area_type == "neighbourhood"]
    out = []
    for period, group in hoods.groupby("period", sort=False):
        low, high = group.loc[group.value.idxmin()], group.loc[group.value.idxmax()]
        here = rows[rows.period == period]
        out.append(
            {
                "period": str(period),
                "period_start": group.period_start.iloc[0],
                "neighbourhoods": len(group),
                "min_value": float(low.value),
                "min_name": str(low.area_name),
                "max_value": float(high.value),
                "max_name": str(high.area_name),
                "gap": float(high.value - low.value),
                "focus_value": _one(here[here.area_code == focus]),
                "borough_value": _one(here[here.area_type == "lad"]),
                "england_value": _one(here[here.area_type == "england"]),
            }
        )
    frame = pd.DataFrame(out)
    return frame.sort_values("period_start").reset_index(drop=True) if len(frame) else frame


def _one(rows: pd.DataFrame) -> float:
    return float(rows.value.iloc[0]) if len(rows) else math.nan


def _difference(a: float, b: float, meta: analysis.IndicatorMeta) -> str:
    """'2.1 points' for percentages, else the difference in the indicator's unit."""
    size = abs(a - b)
    if meta.unit == "%":
        return f"{briefing.fixed(size)} percentage points"
    return briefing.format_value(size, meta)


def _relation(a: float, b: float, meta: analysis.IndicatorMeta) -> str:
    """'higher (worse)', 'lower (better)', 'higher' or 'the same'."""
    if briefing.format_value(a, meta) == briefing.format_value(b, meta):
        return "the same as"
    higher = a > b
    word = "higher" if higher else "lower"
    if meta.polarity == "no_judgement":
        return f"{word} than"
    worse = higher == (meta.polarity == "higher_is_worse")
    return f"{word} ({'worse' if worse else 'better'}) than"


def _gap_words(a: float, b: float, meta: analysis.IndicatorMeta) -> str:
    """'2.1 percentage points higher (worse) than' or 'the same as'."""
    relation = _relation(a, b, meta)
    return relation if relation == "the same as" else f"{_difference(a, b, meta)} {relation}"


def spread_sentences(
    spread: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    focus_name: str,
    lad_name: str,
    total: int = 0,
) -> list[str]:
    """The spread and the gaps in words: the range in the first and latest periods and whether
    it widened or narrowed, and where the focus neighbourhood and the borough stand."""
    if spread.empty:
        return []
    first, last = spread.iloc[0], spread.iloc[-1]
    value = lambda v: briefing.format_value(v, meta)  # noqa: E731
    what = briefing.short_label(meta)
    hoods = f"{last.neighbourhoods} neighbourhoods"
    if total > last.neighbourhoods:
        hoods = f"{last.neighbourhoods} of {total} neighbourhoods with figures"
    lines = [
        f"{what}: in {last.period}, {lad_name}'s {hoods} ranged "
        f"from {value(last.min_value)} ({last.min_name}) to {value(last.max_value)} "
        f"({last.max_name}), a gap of {_difference(last.max_value, last.min_value, meta)}."
    ]
    if len(spread) > 1:
        change = last.gap - first.gap
        trend = (
            "about the same as"
            if briefing.format_value(abs(change), meta) == briefing.format_value(0.0, meta)
            else ("wider than" if change > 0 else "narrower than")
        )
        lines.append(
            f"That gap is {trend} in {first.period}, when it was "
            f"{_difference(first.max_value, first.min_value, meta)} ({value(first.min_value)} "
            f"in {first.min_name} to {value(first.max_value)} in {first.max_name})."
        )
    for name, column in ((focus_name, "focus_value"), (lad_name, "borough_value")):
        mine = float(last[column])
        if math.isnan(mine):
            continue
        targets = [(lad_name, last.borough_value)] if column == "focus_value" else []
        targets.append(("England", last.england_value))
        parts = [
            _gap_words(mine, other, meta) + f" {where} ({value(other)})"
            for where, other in targets
            if not math.isnan(other)
        ]
        if parts:
            lines.append(f"{name} was {value(mine)} in {last.period}: " + "; ".join(parts) + ".")
    lines.append(briefing.polarity_line(meta) + ".")
    return lines
