"""Change since a baseline year, recent trends, and what changed most.

The user picks a baseline *year*; every indicator measures change from its own period nearest
that year (2019 -> '2019/20' for a financial year, the first month of 2019 for monthly data, or
the nearest period the areas have), and says which period it used. No change is shown between
periods that are not comparable: an indicator whose definition changed (catalogue
`comparable_over_time` false), or a Census count set against a mid-year estimate. Indicators
with one period say so instead of showing a zero change.

Recent trends follow Fingertips (`stats.recent_trend`): the latest five points, the chi-squared
test for trend for proportions and inverse-variance weighted regression for rates. Complete
counts (no sampling error) are judged on their values, as their change is; survey and model
estimates without a published interval are never tested.

Pure functions over the app's frames: `values` is `queries.area_values` (one row per area,
indicator and period), `catalogue` is `queries.catalogue`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from outcomes import analysis, stats

uncertainty_words = analysis.uncertainty_words  # (meta, ci_level) -> caption words

DEFAULT_YEAR = 2019
FIRST_YEAR = 2004  # the earliest period any bundled indicator has (bus timetables)
# Census days: a period starting on one is a Census count, not a mid-year estimate.
CENSUS_DAYS = frozenset({date(2011, 3, 27), date(2021, 3, 21)})

COMPARABLE = "comparable"
ONE_PERIOD = "one period only"
LATEST_ONLY = "baseline is the latest period"
NOT_COMPARABLE = "not comparable"
NO_DATA = "no data"

ONE_PERIOD_TEXT = "one period only: no change to show"
CENSUS_TEXT = "a Census count set against a mid-year estimate"
DEFINITION_TEXT = "the definition changed between these periods"

IMPROVED, WORSENED = "improved", "worsened"
INCREASED, DECREASED = "increased", "decreased"
GROUP_ORDER = {
    IMPROVED: 0,
    INCREASED: 0,
    WORSENED: 1,
    DECREASED: 1,
    "no significant change": 2,
    "unchanged": 3,
    "not tested": 4,
    NOT_COMPARABLE: 5,
    ONE_PERIOD: 6,
    LATEST_ONLY: 7,
    NO_DATA: 8,
}
RANKING_NOTE = (
    "Ranked by the size of the change in polarity terms, measured in standard deviations of "
    "the borough's neighbourhoods at the baseline so that different units can be set side by "
    "side. Only comparable changes that are significant (or complete counts, which need no "
    "test) are called improved or worsened; the rest follow, with the reason."
)


def period_year(period: object) -> int | None:
    """The year a period label starts in: '2019' -> 2019, '2019/20' -> 2019, '2019-03' ->
    2019, '2017-2019' -> 2017; None for anything else (a stale link's text)."""
    found = re.match(r"\s*(\d{4})(?:$|[/\-])", str(period or ""))
    return int(found.group(1)) if found else None


def baseline_years(today: date | None = None) -> list[int]:
    """The baseline years offered: from the earliest bundled period to this year."""
    return list(range(FIRST_YEAR, (today or date.today()).year + 1))


def _period_table(rows: pd.DataFrame, areas: Sequence[str] | None) -> pd.DataFrame:
    """period, period_start of the periods with a value, in time order. With `areas`: the
    periods every one of them has, else (none in common) the periods any of them has."""
    have = rows[rows.value.notna()]
    if areas:
        mine = have[have.area_code.isin(list(areas))]
        if not mine.empty:
            counts = mine.groupby("period").area_code.nunique()
            common = counts[counts == mine.area_code.nunique()].index
            have = mine[mine.period.isin(common)] if len(common) else mine
    table = have.groupby("period", as_index=False).period_start.min()
    table["period_start"] = pd.to_datetime(table.period_start)
    missing = table.period_start.isna()  # e.g. a partner's rows: read the start from the label
    if missing.any():
        table.loc[missing, "period_start"] = [_label_start(str(p)) for p in table.period[missing]]
    table = table[table.period_start.notna()]
    return table.sort_values(["period_start", "period"]).reset_index(drop=True)


def nearest_period(periods: pd.DataFrame, year: int) -> str | None:
    """The period nearest `year`: the first one starting in that year, else the one starting
    nearest 1 January of it (the later of two as near). `periods`: period, period_start."""
    if periods.empty:
        return None
    starts = pd.to_datetime(periods.period_start)
    in_year = periods[starts.dt.year == year]
    if not in_year.empty:
        return str(in_year.period.iloc[0])
    distance = (starts - pd.Timestamp(year=year, month=1, day=1)).abs()
    best = distance[distance == distance.min()].index[-1]
    return str(periods.period.loc[best])


def _label_start(period: str) -> pd.Timestamp | None:
    """A period's start read from its label alone: '2019-03' -> March 2019, '2019/20' ->
    April 2019 (a financial year), '2019' -> January 2019."""
    year = period_year(period)
    if year is None:
        return None
    month = re.match(r"\d{4}-(\d{2})$", period)
    if month:
        return pd.Timestamp(year=year, month=int(month.group(1)), day=1)
    return pd.Timestamp(year=year, month=4 if "/" in period else 1, day=1)


def nearest_label(periods: Sequence[str], year: int) -> str | None:
    """`nearest_period` for bare period labels (oldest first), e.g. the sidebar's indicator."""
    starts = [(p, _label_start(p)) for p in periods]
    table = pd.DataFrame([(p, s) for p, s in starts if s is not None])
    if table.empty:
        return periods[0] if periods else None
    table.columns = ["period", "period_start"]
    return nearest_period(table.sort_values("period_start").reset_index(drop=True), year)


def comparability(
    meta: analysis.IndicatorMeta, baseline_start: object, latest_start: object
) -> str:
    """Why two periods of an indicator cannot be compared ('' when they can)."""
    if not meta.comparable_over_time:
        return DEFINITION_TEXT
    census = [pd.Timestamp(s).date() in CENSUS_DAYS for s in (baseline_start, latest_start)]
    if census[0] != census[1]:
        return CENSUS_TEXT
    return ""


@dataclass(frozen=True)
class Baseline:
    """Which periods one indicator's change runs between, for a chosen baseline year."""

    indicator_id: str
    year: int
    baseline: str | None  # the indicator's period nearest the year
    latest: str | None
    periods: int  # how many periods the areas have
    status: str  # COMPARABLE | ONE_PERIOD | LATEST_ONLY | NOT_COMPARABLE | NO_DATA
    note: str  # in words, for a caption or card

    @property
    def has_change(self) -> bool:
        """A change between two comparable periods can be shown."""
        return self.status == COMPARABLE


def choose_baseline(
    rows: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    year: int,
    areas: Sequence[str] | None = None,
) -> Baseline:
    """One indicator's baseline and latest periods for `year`. `rows`: its rows of
    `area_values`; `areas`: the area codes the change is for (the baseline is a period they
    all have where possible; default every area in the rows)."""
    rows = rows[rows.indicator_id == meta.indicator_id] if "indicator_id" in rows else rows
    table = _period_table(rows, areas)
    if table.empty:
        return Baseline(meta.indicator_id, year, None, None, 0, NO_DATA, "no data")
    latest = str(table.period.iloc[-1])
    if len(table) == 1:
        note = f"{latest}: {ONE_PERIOD_TEXT}"
        return Baseline(meta.indicator_id, year, latest, latest, 1, ONE_PERIOD, note)
    base = nearest_period(table, year)
    starts = dict(zip(table.period, table.period_start, strict=True))
    found = _found(base, year)
    if base == latest:
        note = f"{found} is the latest period: no change to show"
        return Baseline(meta.indicator_id, year, base, latest, len(table), LATEST_ONLY, note)
    reason = comparability(meta, starts[base], starts[latest])
    if reason:
        note = f"{base} to {latest} not comparable: {reason}"
        status = NOT_COMPARABLE
    else:
        note, status = f"change since {found}", COMPARABLE
    return Baseline(meta.indicator_id, year, base, latest, len(table), status, note)


def baseline_words(chosen: Baseline) -> str:
    """The baseline period with how it was found: '2019', '2019/20 (nearest 2019)' or
    '2023-05 (no data for 2019)'."""
    return _found(chosen.baseline, chosen.year)


def _found(period: str | None, year: int) -> str:
    """'2019' or '2019/20 (nearest 2019)' / '2023-05 (no data for 2019)'."""
    if period is None:
        return ""
    if period == str(year):
        return period
    if period_year(period) == year:
        return f"{period} (nearest {year})"
    return f"{period} (no data for {year})"


def change_since_year(
    rows: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    year: int,
    ci_level: str,
    areas: Sequence[str] | None = None,
) -> tuple[Baseline, pd.DataFrame]:
    """Change of every area in `rows` from the indicator's baseline for `year` to its latest
    period: the `analysis.change_since_baseline` columns plus `status` and `note`. Where no
    change can be shown (one period, not comparable) `change` and its limits are empty, the
    significance says why and `direction` is the status."""
    chosen = choose_baseline(rows, meta, year, areas)
    if chosen.status == NO_DATA:
        return chosen, pd.DataFrame(columns=[*CHANGE_COLUMNS, "status", "note"])
    if chosen.baseline == chosen.latest:  # one period: nothing to test (and much quicker)
        frame = _same_period_frame(rows, chosen)
    else:
        frame = analysis.change_since_baseline(rows, chosen.baseline, chosen.latest, meta, ci_level)
    frame = frame.assign(status=chosen.status, note=chosen.note)
    if not chosen.has_change:
        blank = ["change", "change_lower", "change_upper"]
        frame[blank] = np.nan
        frame["significance"] = chosen.note
        frame["direction"] = chosen.status
    return chosen, frame


def _same_period_frame(rows: pd.DataFrame, chosen: Baseline) -> pd.DataFrame:
    """The change columns where the baseline is the latest period: its values on both sides."""
    now = rows[rows.period == chosen.latest]
    frame = now[["area_type", "area_code", "area_name"]].copy()
    for side in ("baseline", "current"):
        for column in ("value", "numerator", "denominator"):
            frame[f"{column}_{side}"] = now[column].to_numpy()
    frame["baseline"], frame["current"] = chosen.baseline, chosen.latest
    return frame.assign(change=np.nan, change_lower=np.nan, change_upper=np.nan)[
        CHANGE_COLUMNS[:-2]
    ].reset_index(drop=True)


CHANGE_COLUMNS = [
    "area_type",
    "area_code",
    "area_name",
    "value_baseline",
    "numerator_baseline",
    "denominator_baseline",
    "value_current",
    "numerator_current",
    "denominator_current",
    "baseline",
    "current",
    "change",
    "change_lower",
    "change_upper",
    "significance",
    "direction",
]


def borough_only(meta_row: pd.Series) -> bool:
    """Whether an indicator has no neighbourhood values at all (published for LAs or sub-ICB
    locations only), so pages must not speak of neighbourhoods for it."""
    types = str(meta_row.get("area_types", "") or "")
    return bool(types) and "neighbourhood" not in types.split(",")


def borough_only_note(meta_row: pd.Series, lad_name: str) -> str:
    """Plain words for such an indicator, e.g. 'Not published for neighbourhoods (published
    for: Local authority): figures are for Trafford as a whole, not its neighbourhoods.'"""
    return (
        f"Not published for neighbourhoods (published for: {meta_row.get('geography', '')}): "
        f"figures are for {lad_name} as a whole, not its neighbourhoods."
    )


def change_areas(rows: pd.DataFrame, neighbourhoods: Sequence[str], lad_code: str) -> list[str]:
    """The areas a page's baseline must exist for: the chosen neighbourhoods that have rows,
    else the borough (for indicators published for the borough only)."""
    present = set(rows.loc[rows.area_type == "neighbourhood", "area_code"])
    chosen = [code for code in neighbourhoods if code in present]
    return chosen or [lad_code]


# ----------------------------------------------------------------------------- trend markers


def _series_kind(meta: analysis.IndicatorMeta) -> str:
    """How an indicator's recent trend is judged: 'proportion', 'rate', 'estimate' (not
    tested) or 'complete' (judged on the values)."""
    if meta.ci_method == "wilson":
        return "proportion"
    if meta.ci_method == "byar":
        return "rate"
    return "estimate" if meta.estimate else "complete"


TREND_METHODS = {
    "proportion": "chi-squared test for trend, latest 5 periods (Fingertips)",
    "rate": "weighted regression with a chi-square test, latest 5 periods (Fingertips)",
    "complete": "direction of the latest 5 values (a complete count: no test needed)",
    "estimate": "not tested: an estimate without published intervals",
}


def trend_rule(meta: analysis.IndicatorMeta) -> str:
    """How the recent trend of an indicator is judged, in one plain sentence."""
    kind = _series_kind(meta)
    if kind == "complete":
        return (
            f"Method: {TREND_METHODS[kind]}. A direction is called only when it holds "
            "whichever single period is left out."
        )
    if kind == "estimate":
        return "No recent trend is calculated: an estimate without published intervals."
    return (
        f"Method: {TREND_METHODS[kind]}. A trend is called only when it is significant at "
        "99.8% and holds whichever single period is left out."
    )


def _value_trend(values: np.ndarray) -> stats.TrendResult:
    """A complete count's recent direction: the least-squares slope of the latest five values,
    called a trend only when it keeps its sign whichever single point is left out."""
    y = np.round(values[-stats.TREND_POINTS :], 2)
    t = np.arange(1, len(y) + 1, dtype=float)
    slopes = [np.polyfit(t, y, 1)[0]] + [
        np.polyfit(np.delete(t, i), np.delete(y, i), 1)[0] for i in range(len(y))
    ]
    signs = {int(np.sign(round(s, 9))) for s in slopes}
    direction = stats.NO_SIGNIFICANT_TREND
    if signs == {1}:
        direction = stats.INCREASING
    elif signs == {-1}:
        direction = stats.DECREASING
    return stats.TrendResult(direction, float("nan"), float(slopes[0]), len(y))


def _area_trend(area: pd.DataFrame, kind: str) -> stats.TrendResult:
    area = area[area.value.notna()]
    if len(area) < stats.TREND_POINTS:
        return stats.TrendResult(
            stats.TREND_NOT_CALCULATED, np.nan, np.nan, len(area), "fewer than 5 periods"
        )
    if kind == "estimate":
        return stats.TrendResult(
            stats.TREND_NOT_CALCULATED, np.nan, np.nan, len(area), TREND_METHODS["estimate"]
        )
    if kind == "complete":
        return _value_trend(area.value.to_numpy(float))
    return stats.recent_trend(
        area.value,
        area.lower_ci95,
        area.upper_ci95,
        area.numerator,
        area.denominator,
        "proportion" if kind == "proportion" else "rate",
    )


def trend_markers(rows: pd.DataFrame, meta: analysis.IndicatorMeta) -> pd.DataFrame:
    """The recent trend of every area in `rows` (one indicator): area_type, area_code,
    area_name, marker (e.g. 'Increasing and getting worse', 'No significant change', 'Could
    not be calculated'), periods_used ('2019 to 2023'), points, chi_square, method, reason."""
    kind = _series_kind(meta)
    out = []
    ordered = rows.sort_values(["period_start", "period"])
    for (area_type, code, name), area in ordered.groupby(
        ["area_type", "area_code", "area_name"], sort=False
    ):
        result = _area_trend(area, kind)
        reason = result.reason
        if not meta.comparable_over_time and result.direction != stats.TREND_NOT_CALCULATED:
            result = stats.TrendResult(stats.TREND_NOT_CALCULATED, np.nan, np.nan, result.points)
            reason = DEFINITION_TEXT
        used = area[area.value.notna()].period.tolist()[-stats.TREND_POINTS :]
        out.append(
            {
                "area_type": area_type,
                "area_code": code,
                "area_name": name,
                "marker": stats.trend_marker(result.direction, meta.polarity),
                "periods_used": f"{used[0]} to {used[-1]}" if len(used) > 1 else "",
                "points": result.points,
                "chi_square": result.chi_square,
                "method": TREND_METHODS[kind],
                "reason": reason,
            }
        )
    return pd.DataFrame(out, columns=TREND_COLUMNS)


def trend_table(markers: pd.DataFrame) -> pd.DataFrame:
    """`trend_markers` as a readable table: Area, Recent trend, Periods, Note."""
    order = markers.area_type.map({"neighbourhood": 0, "rest": 1, "lad": 2, "england": 3})
    frame = markers.assign(_o=order).sort_values(["_o", "area_name"])
    return pd.DataFrame(
        {
            "Area": frame.area_name,
            "Recent trend": frame.marker,
            "Periods": frame.periods_used,
            "Note": frame.reason,
        }
    )


TREND_COLUMNS = [
    "area_type",
    "area_code",
    "area_name",
    "marker",
    "periods_used",
    "points",
    "chi_square",
    "method",
    "reason",
]


# ----------------------------------------------------------------------------- what changed most


def _betterness(change: pd.Series, polarity: str) -> pd.Series:
    """The change turned so that positive is better (higher where there is no judgement)."""
    return -change if polarity == "higher_is_worse" else change


def most_changed_neighbourhoods(
    rows: pd.DataFrame, meta: analysis.IndicatorMeta, year: int, ci_level: str
) -> tuple[Baseline, pd.DataFrame]:
    """The model's neighbourhoods ranked by change since the indicator's baseline for `year`,
    the most improved (or most increased, without a judgement) first: rank, area_code,
    area_name, baseline, current, value_baseline, value_current, change, change_lower,
    change_upper, significance, direction, improvement (the change, positive = better), note.
    `rank` is empty where no change can be shown (the Baseline says why)."""
    hoods = rows[rows.area_type == "neighbourhood"]
    chosen, frame = change_since_year(hoods, meta, year, ci_level)
    frame = frame[frame.area_type == "neighbourhood"].copy()
    frame["improvement"] = _betterness(frame.change, meta.polarity)
    frame = frame.sort_values(["improvement", "area_name"], ascending=[False, True])
    ranked = frame.improvement.notna()
    frame["rank"] = np.where(ranked, ranked.cumsum(), np.nan)
    return chosen, frame[MOST_CHANGED_COLUMNS].reset_index(drop=True)


MOST_CHANGED_COLUMNS = [
    "rank",
    "area_code",
    "area_name",
    "baseline",
    "current",
    "value_baseline",
    "value_current",
    "change",
    "change_lower",
    "change_upper",
    "significance",
    "direction",
    "improvement",
    "note",
]


def _spread(rows: pd.DataFrame, period: str | None) -> float:
    """Standard deviation of the neighbourhoods' values in `period` (NaN with fewer than 2)."""
    values = rows[(rows.area_type == "neighbourhood") & (rows.period == period)].value
    return float(values.std()) if values.notna().sum() > 1 else np.nan


def _area_row(
    rows: pd.DataFrame, meta: analysis.IndicatorMeta, area_code: str, year: int, ci_level: str
) -> dict | None:
    mine = rows[rows.area_code == area_code]
    if mine.value.notna().sum() == 0:
        return None
    chosen, frame = change_since_year(mine, meta, year, ci_level, [area_code])
    row = frame.iloc[0]
    spread = _spread(rows, chosen.baseline)
    standardised = row.change / spread if spread and spread > 0 else np.nan
    group = row.direction if chosen.has_change else chosen.status
    return {
        "indicator_id": meta.indicator_id,
        "name": meta.name,
        "unit": meta.unit,
        "polarity": meta.polarity,
        **{c: row[c] for c in CHANGE_COLUMNS[3:]},
        "status": chosen.status,
        "note": chosen.note,
        "group": group,
        "score": _betterness(pd.Series([standardised]), meta.polarity).iloc[0],
        "trend": _trend_or_blank(mine, meta, chosen.periods),
    }


def _trend_or_blank(rows: pd.DataFrame, meta: analysis.IndicatorMeta, periods: int) -> str:
    """The area's recent trend marker where it has 5 or more periods, else ''."""
    if periods < stats.TREND_POINTS:
        return ""
    return str(trend_markers(rows, meta).marker.iloc[0])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with text columns as Python objects: many small filters and merges on Arrow
    strings are several times slower."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype)]
    return frame.astype(dict.fromkeys(text, object))


def area_changes(
    values: pd.DataFrame, catalogue: pd.DataFrame, area_code: str, year: int, ci_level: str
) -> pd.DataFrame:
    """Every indicator with values for one area (a neighbourhood; the model's other
    neighbourhoods give the scale), ranked: the most improved first, then the most worsened,
    then the rest by reason. Columns: indicator_id, name, domain, unit, polarity, value_baseline,
    numerator_baseline, denominator_baseline, value_current, numerator_current,
    denominator_current, baseline, current, change, change_lower, change_upper, significance,
    direction, status, note, group (improved / worsened / increased / decreased / no
    significant change / unchanged / not tested / not comparable / one period only), score
    (change in standard deviations of the neighbourhoods at the baseline, positive = better;
    higher where there is no judgement), trend (recent trend marker; '' under 5 periods).
    `RANKING_NOTE` says how it is ordered."""
    found = []
    by_indicator = dict(tuple(_plain(values).groupby("indicator_id", sort=False)))
    for _, meta_row in catalogue.iterrows():
        rows = by_indicator.get(meta_row.indicator_id)
        if rows is None:
            continue
        meta = analysis.IndicatorMeta.from_row(meta_row)
        row = _area_row(rows, meta, area_code, year, ci_level)
        if row is not None:
            found.append({**row, "domain": meta_row.get("domain", "")})
    frame = pd.DataFrame(found, columns=AREA_CHANGE_COLUMNS)
    if frame.empty:
        return frame
    order = frame.group.map(GROUP_ORDER).fillna(len(GROUP_ORDER))
    worse = frame.group.isin([WORSENED, DECREASED])
    key = np.where(worse, frame.score, -frame.score)  # best first, then worst first
    frame = frame.assign(_o=order, _k=key).sort_values(["_o", "_k", "name"], na_position="last")
    return frame.drop(columns=["_o", "_k"]).reset_index(drop=True)


AREA_CHANGE_COLUMNS = [
    "indicator_id",
    "name",
    "domain",
    "unit",
    "polarity",
    *CHANGE_COLUMNS[3:],
    "status",
    "note",
    "group",
    "score",
    "trend",
]


# ----------------------------------------------------------------------------- words


def _value_words(value: float, meta: analysis.IndicatorMeta) -> str:
    """'7.4%', '24.5' or '12.3 per 1,000 patients' (one decimal; whole people)."""
    if value is None or np.isnan(value):
        return "no figure"
    if meta.unit == "%":
        return f"{value:,.1f}%"
    if meta.unit == "people":
        return f"{value:,.0f}"
    if meta.unit in ("", "score"):
        return f"{value:,.1f}"
    return f"{value:,.1f} {meta.unit}"


def most_changed_sentence(
    chosen: Baseline, ranked: pd.DataFrame, meta: analysis.IndicatorMeta
) -> str:
    """One plain sentence on which neighbourhoods changed most (plain text, not Markdown),
    e.g. 'Since 2019, Dewsbury South worsened most (7.6% to 20.7%) ...'."""
    if not chosen.has_change:
        return f"No change is shown: {chosen.note}."
    judged = ranked[ranked["rank"].notna()]
    if judged.empty:
        return f"No neighbourhood has a {chosen.baseline} and a {chosen.latest} figure."
    up, down = (IMPROVED, WORSENED)
    if meta.polarity == "no_judgement":
        up, down = (INCREASED, DECREASED)
    parts = []
    best, worst = judged.iloc[0], judged.iloc[-1]
    if best.direction == up:
        parts.append(f"{best.area_name} {up} most ({_pair(best, meta)})")
    if worst.direction == down and worst.area_code != best.area_code:
        parts.append(f"{worst.area_name} {down} most ({_pair(worst, meta)})")
    if not parts:
        return (
            f"Since {chosen.baseline}, no neighbourhood's change to {chosen.latest} is significant."
        )
    return f"Since {chosen.baseline}, " + " and ".join(parts) + f" by {chosen.latest}."


def _pair(row: pd.Series, meta: analysis.IndicatorMeta) -> str:
    return f"{_value_words(row.value_baseline, meta)} to {_value_words(row.value_current, meta)}"


def most_changed_table(ranked: pd.DataFrame, meta: analysis.IndicatorMeta) -> pd.DataFrame:
    """`most_changed_neighbourhoods` as a readable table."""
    base = ranked.baseline.iloc[0] if len(ranked) else ""
    now = ranked.current.iloc[0] if len(ranked) else ""
    return pd.DataFrame(
        {
            "Rank": ranked["rank"].astype("Int64"),
            "Neighbourhood": ranked.area_name,
            str(base): ranked.value_baseline.round(2),
            str(now): ranked.value_current.round(2),
            "Change": ranked.change.round(2),
            "Significance": ranked.significance,
            "Judgement": ranked.direction,
        }
    )


def area_changes_table(frame: pd.DataFrame) -> pd.DataFrame:
    """`area_changes` as a readable table, in its ranked order."""
    return pd.DataFrame(
        {
            "Indicator": frame.name,
            "Judgement": frame.group,
            "Baseline": frame.baseline,
            "Baseline value": frame.value_baseline.round(2),
            "Latest": frame.current,
            "Latest value": frame.value_current.round(2),
            "Change": frame.change.round(2),
            "Significance": frame.significance,
            "Recent trend": frame.trend,
        }
    )
