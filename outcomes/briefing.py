"""Briefing: one neighbourhood's headline numbers and plain-English sentences about them.

Pure functions from the published rows (DataFrames) to numbers and strings; no Streamlit here.
Comparisons and significance come from `outcomes.analysis`, and the words follow them: a
sentence says 'significantly' only when the indicator has a confidence interval and the test
found a significant difference. Complete counts (the IoD) have no sampling error, so they are
described as higher or lower, with the judgement in brackets: 'higher (worse) than Trafford'.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd

from outcomes import analysis, change, labels, stats
from outcomes.text import escape_markdown

#: The deprivation headlines a leader sees first, in order.
HEADLINE_INDICATORS = (
    "imd_lsoas_most_deprived_10_pct",
    "imd_pop_most_deprived_10_pct",
    "income_deprived_pct",
    "imd_score",
    "population",
)
MAX_SENTENCES = 6
# What change_lower/upper measure (outcomes.stats): a difference for proportions, the ratio
# current/baseline for rates; complete counts have no interval.
CHANGE_SCALES = {"wilson": "difference", "byar": "ratio (current / baseline)"}
EPS = 1e-9

SHORT_LABELS = {
    "imd_lsoas_most_deprived_10_pct": "LSOAs in England's most deprived 10%",
    "imd_lsoas_most_deprived_20_pct": "LSOAs in England's most deprived 20%",
    "imd_pop_most_deprived_10_pct": "Residents in England's most deprived 10%",
    "imd_pop_most_deprived_20_pct": "Residents in England's most deprived 20%",
    "income_deprived_pct": "Income deprivation rate",
    "imd_score": "IMD average score",
    "population": "Population",
}
SUBJECTS = {
    "imd_pop_most_deprived_10_pct": "the share of residents living in England's most deprived 10%",
    "imd_pop_most_deprived_20_pct": "the share of residents living in England's most deprived 20%",
    "income_deprived_pct": "the share of residents who are income deprived",
    "imd_score": "the IMD average score",
    "gp_patients_per_fte_gp": "the number of patients per full-time GP",
    "ahah_gp_drive_min": "the drive time to the nearest GP practice",
    "pt_bus_trips_per_hour": "bus frequency",
    "households_no_car_pct": "the share of households without a car or van",
    "stroke_admissions_per_1000": "the stroke admission rate",
    "gp_online_consultations_per_1000": "the rate of online GP consultation requests",
    "loneliness_pct": "the modelled share of adults who feel lonely",
    "cni_score": "the Community Needs Index score",
    "income_deprived_children_pct": "the share of children in income-deprived families (IDACI)",
    "bad_health_pct": "the share of residents in bad or very bad health",
    "no_central_heating_pct": "the share of households with no central heating",
}
_DOMAIN_SHARE = re.compile(r"^(?P<domain>.+): population in (?P<where>England's most .+)$")
SCORE_CAVEAT = "IMD scores are relative within each wave, so compare waves with care"
NOT_COMPARABLE_CAVEAT = "the measure changed between waves, so this is not a change over time"

CHIP_COLOURS = {
    "better": "green",
    "similar": "yellow",
    "worse": "red",
    "higher": "blue",
    "lower": "orange",
    "not compared": "gray",
}
CHIP_ICONS = {
    "better": ":material/check_circle:",
    "similar": ":material/drag_handle:",
    "worse": ":material/warning:",
    "higher": ":material/arrow_upward:",
    "lower": ":material/arrow_downward:",
    "not compared": ":material/remove:",
}


@dataclass(frozen=True)
class Headline:
    """One indicator for one neighbourhood: its latest value, change since the baseline and
    how it compares with the comparator in the latest period. NaN marks a missing figure."""

    meta: analysis.IndicatorMeta
    area_name: str
    baseline: str
    latest: str | None = None
    value: float = math.nan
    numerator: float = math.nan
    denominator: float = math.nan
    value_baseline: float = math.nan
    numerator_baseline: float = math.nan
    denominator_baseline: float = math.nan
    change: float = math.nan
    change_lower: float = math.nan
    change_upper: float = math.nan
    significance: str = stats.NOT_TESTED
    direction: str = "not tested"
    comparator_name: str = ""
    comparator_value: float = math.nan
    comparison: str = "not compared"
    borough_name: str = ""
    borough_value: float = math.nan
    domain: str = ""
    periods: int = 0  # how many periods the neighbourhood has figures for
    # From `change.choose_baseline` (profiles): whether a change may be shown, and why not.
    status: str = ""
    change_note: str = ""
    trend: str = ""  # recent trend marker (5 or more periods), else ''

    @property
    def single_period(self) -> bool:
        """Only one period exists: there is no change over time to show."""
        if self.status:
            return self.has_data and self.status == change.ONE_PERIOD
        return self.has_data and self.periods == 1 and self.baseline == self.latest

    @property
    def change_shown(self) -> bool:
        """A change may be shown: a baseline figure, and comparable periods."""
        if self.status:
            return self.status == change.COMPARABLE and self.has_baseline
        return self.has_baseline and self.meta.comparable_over_time

    @property
    def has_data(self) -> bool:
        return self.latest is not None and not math.isnan(self.value)

    @property
    def has_baseline(self) -> bool:
        """A baseline figure different from the latest period exists."""
        return (
            self.has_data and self.baseline != self.latest and not math.isnan(self.value_baseline)
        )

    @property
    def significant(self) -> bool:
        return self.significance in (stats.SIGNIFICANTLY_HIGHER, stats.SIGNIFICANTLY_LOWER)


# --------------------------------------------------------------------------- building


def _float(value) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def _latest_period(rows: pd.DataFrame) -> str:
    if "period_start" in rows and rows.period_start.notna().all():
        return str(rows.sort_values("period_start").period.iloc[-1])
    return str(sorted(rows.period.astype(str))[-1])


def build_headline(
    values: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    focus: str,
    area_name: str,
    baseline: str,
    comparator: str,
    ci_level: str,
    rest: pd.DataFrame | None = None,
    comparator_label: str | None = None,
) -> Headline:
    """The headline for neighbourhood `focus` from the published rows of one borough
    (neighbourhoods, the borough and England; several indicators allowed). The change runs from
    `baseline` to the indicator's latest period for the neighbourhood; the comparison is made in
    that latest period (with the rest of the borough from `rest`, rows of
    `queries.rest_of_borough`). Missing figures give NaN fields, never an exception."""
    rows = values
    if "indicator_id" in rows:
        rows = rows[rows.indicator_id == meta.indicator_id]
    lads = rows[rows.area_type == "lad"]
    borough_name = str(lads.area_name.iloc[0]) if len(lads) else ""
    empty = Headline(
        meta=meta,
        area_name=area_name,
        baseline=str(baseline),
        comparator_name=comparator_label or labels.comparator_name(comparator, borough_name),
        borough_name=borough_name,
    )
    hood = rows[(rows.area_type == "neighbourhood") & (rows.area_code == focus)]
    present = hood[hood.value.notna()]
    if present.empty:
        return empty
    latest = _latest_period(present)
    now = present[present.period == latest].iloc[0]
    fields: dict = {
        "periods": int(present.period.nunique()),
        "latest": latest,
        "value": _float(now.value),
        "numerator": _float(now.get("numerator")),
        "denominator": _float(now.get("denominator")),
    }
    # Only this neighbourhood, the borough and England take part in the comparisons.
    own = rows[(rows.area_type != "neighbourhood") | (rows.area_code == focus)]
    if str(baseline) != latest:
        fields.update(_change_fields(own, meta, focus, str(baseline), latest, ci_level))
    borough_now = lads[lads.period == latest]
    fields["borough_value"] = _float(borough_now.value.iloc[0]) if len(borough_now) else math.nan
    if rest is not None and not rest.empty:
        rest = rest[rest.area_code == focus]
    fields.update(_comparison_fields(own, rest, now, meta, comparator, ci_level))
    return replace(empty, **fields)


def _change_fields(
    own: pd.DataFrame,
    meta: analysis.IndicatorMeta,
    focus: str,
    baseline: str,
    latest: str,
    ci_level: str,
) -> dict:
    """Headline fields of the change from `baseline` to `latest` of neighbourhood `focus`."""
    change = analysis.change_since_baseline(own, baseline, latest, meta, ci_level)
    mine = change[(change.area_type == "neighbourhood") & (change.area_code == focus)]
    if mine.empty:
        return {}
    row = mine.iloc[0]
    return {
        "value_baseline": _float(row.value_baseline),
        "numerator_baseline": _float(row.numerator_baseline),
        "denominator_baseline": _float(row.denominator_baseline),
        "change": _float(row.change),
        "change_lower": _float(row.change_lower),
        "change_upper": _float(row.change_upper),
        "significance": str(row.significance),
        "direction": str(row.direction),
    }


def _comparison_fields(
    own: pd.DataFrame,
    rest: pd.DataFrame | None,
    now: pd.Series,
    meta: analysis.IndicatorMeta,
    comparator: str,
    ci_level: str,
) -> dict:
    """Headline fields of the comparison of the neighbourhood's latest row `now`."""
    comp = analysis.comparator_values(own, rest, comparator, meta, ci_level)
    comp = comp[(comp.area_code == now.area_code) & (comp.period == now.period)]
    if comp.empty:
        return {}
    comparator_value = _float(comp.comparator_value.iloc[0])
    fields: dict = {"comparator_value": comparator_value}
    if meta.aggregation != "sum":  # sizes of areas are not compared
        lower = _float(now.get(f"lower_ci{ci_level}"))
        upper = _float(now.get(f"upper_ci{ci_level}"))
        fields["comparison"] = str(
            analysis.compare([_float(now.value)], [lower], [upper], [comparator_value], meta)[0]
        )
    return fields


def headlines(
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
    focus: str,
    area_name: str,
    baseline: str,
    comparator: str,
    ci_level: str,
    rest: Mapping[str, pd.DataFrame] | None = None,
    comparator_label: str | None = None,
    indicator_ids: Iterable[str] = HEADLINE_INDICATORS,
) -> list[Headline]:
    """Headlines for the indicators in `indicator_ids` that the catalogue holds, in order
    (`rest`: rows of `queries.rest_of_borough` by indicator)."""
    by_id = catalogue.set_index("indicator_id", drop=False)
    out = []
    for indicator_id in indicator_ids:
        if indicator_id not in by_id.index:
            continue
        meta = analysis.IndicatorMeta.from_row(by_id.loc[indicator_id])
        out.append(
            build_headline(
                values,
                meta,
                focus,
                area_name,
                baseline,
                comparator,
                ci_level,
                (rest or {}).get(indicator_id),
                comparator_label,
            )
        )
    return out


def profile(
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
    indicator_ids: Iterable[str],
    focus: str,
    area_name: str,
    year: int,
    comparator: str,
    ci_level: str,
    rest: Mapping[str, pd.DataFrame] | None = None,
    comparator_label: str | None = None,
) -> list[Headline]:
    """The outcomes profile of neighbourhood `focus`: one headline per indicator (any domain,
    partner data too), each changed from its own period nearest the baseline `year`
    (`change.choose_baseline`), with its domain, whether a change may be shown and why not,
    and its recent trend. `values` holds every indicator's rows (read once), split once here."""
    by_id = catalogue.set_index("indicator_id", drop=False)
    groups = dict(tuple(values.groupby("indicator_id", sort=False)))
    out = []
    for indicator_id in indicator_ids:
        if indicator_id not in by_id.index:
            continue
        row = by_id.loc[indicator_id]
        meta = analysis.IndicatorMeta.from_row(row)
        rows = groups.get(indicator_id, values.iloc[0:0])
        chosen = change.choose_baseline(rows, meta, int(year), [focus])
        item = build_headline(
            rows,
            meta,
            focus,
            area_name,
            chosen.baseline or str(year),
            comparator,
            ci_level,
            (rest or {}).get(indicator_id),
            comparator_label,
        )
        out.append(_with_change(item, chosen, row, rows, focus))
    return out


def _with_change(
    item: Headline, chosen: change.Baseline, row: pd.Series, rows: pd.DataFrame, focus: str
) -> Headline:
    """The headline with its domain, baseline status and note, and trend marker; its change
    emptied where the periods are not comparable (never a delta between them)."""
    fields: dict = {
        "domain": str(row.domain),
        "status": chosen.status,
        "change_note": chosen.note,
    }
    if chosen.periods >= stats.TREND_POINTS and item.has_data:
        mine = rows[(rows.area_type == "neighbourhood") & (rows.area_code == focus)]
        markers = change.trend_markers(mine, item.meta)
        if len(markers):
            fields["trend"] = str(markers.marker.iloc[0])
    if not chosen.has_change:
        fields.update(change=math.nan, change_lower=math.nan, change_upper=math.nan)
        fields.update(significance=chosen.note, direction=chosen.status)
    return replace(item, **fields)


# --------------------------------------------------------------------------- formatting


def fixed(value: float, decimals: int = 1, sign: bool = False) -> str:
    """`value` with thousands separators, rounded half up as people expect (6.25 -> '6.3',
    where Python's binary rounding gives '6.2'); `sign` adds '+' to positive numbers."""
    step = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never '-0.0'
    return f"{rounded:{'+' if sign else ''},.{decimals}f}"


def plural(count: float, one: str, many: str | None = None) -> str:
    """`one` for exactly 1, else `many` (default: `one` + 's')."""
    return one if count == 1 else (many or f"{one}s")


def format_count(count: float) -> str:
    """A count with thousands separators; one decimal where it is not whole (apportioned
    LSOAs of a merged area)."""
    if math.isnan(count):
        return "no figure"
    if abs(count - round(count)) < 0.05:
        return fixed(count, 0)
    return fixed(count, 1)


def _is_count(meta: analysis.IndicatorMeta) -> bool:
    return meta.aggregation == "sum" or meta.unit in ("people", "rank")


def format_value(value: float, meta: analysis.IndicatorMeta) -> str:
    """'7.4%', '24.5', '56,284' or '12.3 per 1,000 patients'."""
    if math.isnan(value):
        return "no figure"
    if meta.unit == "%":
        return f"{fixed(value)}%"
    if _is_count(meta):
        return fixed(value, 0)
    if meta.unit in ("", "score", "decile"):
        return fixed(value)
    return f"{fixed(value)} {meta.unit}"


def _same_at_display(a: float, b: float, meta: analysis.IndicatorMeta) -> bool:
    return format_value(a, meta) == format_value(b, meta)


def short_label(meta: analysis.IndicatorMeta) -> str:
    return SHORT_LABELS.get(meta.indicator_id, meta.name)


def _lsoa_counts(h: Headline) -> bool:
    """Whether the headline is a share of LSOAs with its counts (shown as 'n of N LSOAs')."""
    return h.meta.aggregation == "lsoa_share" and not (
        math.isnan(h.numerator) or math.isnan(h.denominator)
    )


def metric_label(h: Headline) -> str:
    """The metric's label: what it is and when."""
    return f"{short_label(h.meta)}, {h.latest}" if h.has_data else short_label(h.meta)


def metric_value(h: Headline) -> str:
    """The big number: '3 of 32 LSOAs', '7.4%', '24.5', '56,284'; a dash when missing."""
    if not h.has_data:
        return "—"
    if _lsoa_counts(h):
        return f"{format_count(h.numerator)} of {format_count(h.denominator)} LSOAs"
    return format_value(h.value, h.meta)


CARD_CHARS = 11  # longer values lose their unit on a card (the unit goes underneath)


def card_value(h: Headline) -> str:
    """The big number of a card: `metric_value`, without a long unit ('2,184.2', not
    '2,184.2 patients per FTE GP') so that it fits a quarter of the screen."""
    text = metric_value(h)
    if len(text) > CARD_CHARS and h.has_data and not _lsoa_counts(h):
        return fixed(h.value, 0 if _is_count(h.meta) else 1)
    return text


def card_unit(h: Headline) -> str:
    """The unit a card's number dropped (see `card_value`), else ''."""
    if card_value(h) != metric_value(h):
        return h.meta.unit
    return ""


def metric_note(h: Headline) -> str | None:
    """The percentage behind an 'n of N LSOAs' headline ('6.3% of LSOAs'), else None."""
    if h.has_data and _lsoa_counts(h):
        return f"{format_value(h.value, h.meta)} of LSOAs"
    return None


def metric_delta(h: Headline) -> dict:
    """Arguments for st.metric's delta: `delta`, `delta_color`, `delta_arrow` and
    `delta_description`. The colour follows polarity and is grey for a change that is not
    significant (indicators with a CI) or has no judgement; the wording never relies on it."""
    if not h.change_shown or math.isnan(h.change):
        return {"delta": None}  # never a delta between periods that are not comparable
    meta = h.meta
    if _lsoa_counts(h) and not math.isnan(h.numerator_baseline):
        diff = h.numerator - h.numerator_baseline
        same = abs(diff) < 0.05
        text = f"{fixed(diff, 0, sign=True)} {plural(abs(round(diff)), 'LSOA')}"
        if not same and abs(diff - round(diff)) >= 0.05:
            text = f"{fixed(diff, 1, sign=True)} LSOAs"
        if same:
            text = "no change"
    elif _is_count(meta):
        same = abs(h.change) < 0.5
        pct = (
            f" ({fixed(h.change / h.value_baseline * 100, 1, sign=True)}%)"
            if h.value_baseline and not same
            else ""
        )
        text = "no change" if same else f"{fixed(h.change, 0, sign=True)}{pct}"
    else:
        same = _same_at_display(h.value, h.value_baseline, meta)
        unit = " pts" if meta.unit == "%" else ""
        text = "no change" if same else f"{fixed(h.change, 1, sign=True)}{unit}"
    if same:
        return {
            "delta": text,
            "delta_color": "off",
            "delta_arrow": "off",
            "delta_description": f"since {h.baseline}",
        }
    if (
        meta.polarity == "no_judgement"
        or (meta.has_ci and not h.significant)
        or not meta.comparable_over_time  # shown, never coloured as better or worse
    ):
        colour = "off"
    else:
        colour = "inverse" if meta.polarity == "higher_is_worse" else "normal"
    return {
        "delta": text,
        "delta_color": colour,
        "delta_arrow": "auto",
        "delta_description": f"since {h.baseline}",
    }


def polarity_line(meta: analysis.IndicatorMeta) -> str:
    """Polarity in words, with the arrow that means worse."""
    return {
        "higher_is_worse": "Lower is better (↑ worse)",
        "higher_is_better": "Higher is better (↓ worse)",
    }.get(meta.polarity, "Neither higher nor lower is better")


def change_line(h: Headline) -> str:
    """How the change since the baseline was judged, e.g. 'Change since 2019: no test needed:
    complete count'."""
    if not h.has_data:
        return "No figures for this neighbourhood"
    if h.status and h.status != change.COMPARABLE:
        return _capitalise(h.change_note)
    if h.status:
        return f"{_capitalise(h.change_note)}: {h.significance}"
    if h.baseline == h.latest:
        return f"{h.baseline} is the baseline and the latest period"
    if not h.has_baseline:
        return f"No {h.baseline} figure: change not shown"
    if not h.meta.comparable_over_time:
        return f"No change shown: not comparable with {h.baseline} ({NOT_COMPARABLE_CAVEAT})"
    return f"Change since {h.baseline}: {h.significance}"


def _comparison_parts(h: Headline) -> tuple[str, str]:
    """('higher (worse)', 'than Trafford (4.0%)'), ('significantly better', 'than England
    (12.0%)'), ('not significantly different', 'from …'); ('', '') when not compared."""
    if h.comparison == "not compared" or math.isnan(h.comparator_value):
        return "", ""
    target = f"{h.comparator_name} ({format_value(h.comparator_value, h.meta)})"
    if h.meta.has_ci:
        if h.comparison == "similar":
            return "not significantly different", f"from {target}"
        return f"significantly {h.comparison}", f"than {target}"
    if h.comparison == "similar":
        return "the same", f"as {target}"
    if h.comparison in ("higher", "lower"):
        return h.comparison, f"than {target}"
    higher = (h.comparison == "worse") == (h.meta.polarity == "higher_is_worse")
    return f"{'higher' if higher else 'lower'} ({h.comparison})", f"than {target}"


def _comparison_words(h: Headline) -> str:
    """'higher (worse) than Trafford (4.0%)', 'significantly better than England (12.0%)'."""
    head, tail = _comparison_parts(h)
    return f"{head} {tail}" if head else ""


class Chip(NamedTuple):
    """The comparison chip: a short badge (`text`, `colour`, `icon`) and the words after it."""

    text: str
    tail: str
    colour: str
    icon: str

    def markdown(self) -> str:
        """Streamlit Markdown: the badge, then the tail as plain (wrapping) text."""
        badge = f":{self.colour}-badge[{self.icon} {escape_markdown(self.text)}]"
        return f"{badge} {escape_markdown(self.tail)}" if self.tail else badge


def chip(h: Headline) -> Chip:
    """The comparison chip. Its words always carry the meaning; the colour only repeats it."""
    if h.meta.aggregation == "sum":
        if h.has_data and h.borough_value and not math.isnan(h.borough_value):
            share = fixed(h.value / h.borough_value * 100)
            whole = "residents" if h.meta.unit == "people" else "total"
            return Chip(f"{share}%", f"of {h.borough_name}'s {whole}", "gray", ":material/groups:")
        return Chip("Not compared", "(a count)", "gray", CHIP_ICONS["not compared"])
    head, tail = _comparison_parts(h)
    if not head:
        return Chip("Not compared", "", "gray", CHIP_ICONS["not compared"])
    return Chip(_capitalise(head), tail, CHIP_COLOURS[h.comparison], CHIP_ICONS[h.comparison])


# --------------------------------------------------------------------------- sentences


def _lower_first(name: str) -> str:
    """'Income deprivation rate' -> 'income deprivation rate'; 'IMD…', 'LSOAs…' and proper
    names ('Community Needs Index') unchanged."""
    words = name.split()
    proper = any(w[:1].isupper() and w[1:2].islower() for w in words[1:])
    return (
        name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() and not proper else name
    )


def _subject(meta: analysis.IndicatorMeta) -> str:
    if meta.indicator_id in SUBJECTS:
        return SUBJECTS[meta.indicator_id]
    match = _DOMAIN_SHARE.match(meta.name)
    if match:
        return f"the share of residents living in {match['where']} for {match['domain'].lower()}"
    return f"the {_lower_first(meta.name)}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _significance_tail(h: Headline) -> str:
    """', not a statistically significant change' for estimates; '' otherwise."""
    if h.meta.has_ci and h.significance == stats.NO_SIGNIFICANT_CHANGE:
        return ", not a statistically significant change"
    return ""


def _verb(h: Headline) -> str:
    verb = "rose" if h.change > 0 else "fell"
    return f"{verb} significantly" if h.meta.has_ci and h.significant else verb


def _lsoa_sentence(h: Headline) -> str:
    what = h.meta.name.removeprefix("LSOAs in ")
    if short_label(h.meta).startswith("LSOAs in "):
        what = short_label(h.meta).removeprefix("LSOAs in ")
    n, d = h.numerator, h.denominator
    count = "none" if abs(n) < 0.05 else format_count(n)
    verb = plural(n, "is", "are") if count != "none" else "are"
    head = (
        f"In {h.area_name}, {count} of {format_count(d)} {plural(d, 'LSOA')} {verb} among "
        f"{what} in {h.latest} ({format_value(h.value, h.meta)})"
    )
    if h.baseline == h.latest:
        change = "the baseline period"
    elif not h.has_baseline or math.isnan(h.numerator_baseline):
        change = f"with no {h.baseline} figure to compare with"
    else:
        diff = n - h.numerator_baseline
        before = format_count(h.numerator_baseline)
        if abs(h.denominator_baseline - d) >= 0.05:
            before += f" of {format_count(h.denominator_baseline)}"
        if abs(diff) < 0.05:
            change = f"unchanged since {h.baseline}"
        else:
            change = f"{'up' if diff > 0 else 'down'} from {before} in {h.baseline}"
            if h.meta.has_ci and h.significant:
                change = f"significantly {change}"
        change += _significance_tail(h)
    sentence = f"{head}, {change}"
    compared = _comparison_words(h)
    if compared:
        sentence += f"; the share is {compared}"
    return sentence + "."


def _count_sentence(h: Headline) -> str:
    value = format_value(h.value, h.meta)
    if h.meta.unit == "people":
        head = f"{h.area_name} had {value} {plural(h.value, 'resident')} in {h.latest}"
        if h.borough_name and h.borough_value and not math.isnan(h.borough_value):
            share = fixed(h.value / h.borough_value * 100)
            head += f" ({share}% of {h.borough_name}'s population)"
    else:
        head = f"In {h.area_name}, {_subject(h.meta)} was {value} in {h.latest}"
    if h.baseline == h.latest:
        return f"{head}, the baseline period."
    if not h.has_baseline:
        return f"{head}; there is no {h.baseline} figure to compare with."
    before = format_value(h.value_baseline, h.meta)
    if abs(h.change) < 0.5:
        return f"{head}, the same as in {h.baseline}."
    pct = f" {fixed(abs(h.change) / h.value_baseline * 100)}%" if h.value_baseline else ""
    way = "up" if h.change > 0 else "down"
    if h.meta.has_ci and h.significant:
        way = f"significantly {way}"
    return f"{head}, {way}{pct} from {before} in {h.baseline}{_significance_tail(h)}."


def _value_sentence(h: Headline) -> str:
    subject = _subject(h.meta)
    value = format_value(h.value, h.meta)
    caveat = f" ({SCORE_CAVEAT})" if h.meta.unit == "score" else ""
    joiner = "; it is "
    if not h.meta.comparable_over_time and h.has_baseline and h.baseline != h.latest:
        # Values of different waves are shown, never read as a rise or fall.
        reason = SCORE_CAVEAT if h.meta.unit == "score" else NOT_COMPARABLE_CAVEAT
        main = (
            f"In {h.area_name}, {subject} was {value} in {h.latest} "
            f"({format_value(h.value_baseline, h.meta)} in {h.baseline}; {reason})"
        )
    elif h.single_period:
        main = f"In {h.area_name}, {subject} was {value} in {h.latest} (one period only)"
    elif h.baseline == h.latest:
        main = f"In {h.area_name}, {subject} was {value} in {h.latest}, the baseline period"
    elif not h.has_baseline:
        main = (
            f"In {h.area_name}, {subject} was {value} in {h.latest}; there is no "
            f"{h.baseline} figure to compare with"
        )
    elif abs(h.change) <= EPS or (
        _same_at_display(h.value, h.value_baseline, h.meta) and not h.significant
    ):
        virtually = "" if abs(h.change) <= EPS else "virtually "
        main = (
            f"In {h.area_name}, {subject} was {virtually}unchanged at {value} between the "
            f"{h.baseline} baseline and {h.latest}{_significance_tail(h)}{caveat}"
        )
        joiner = ", and is "
    else:
        before = format_value(h.value_baseline, h.meta)
        main = (
            f"In {h.area_name}, {subject} {_verb(h)} from {before} at the {h.baseline} "
            f"baseline to {value} in {h.latest}{_significance_tail(h)}{caveat}"
        )
        joiner = "; now "
    compared = _comparison_words(h)
    if compared:
        main += f"{joiner}{compared}"
    return main + "."


def _no_change_sentence(h: Headline) -> str:
    """The latest figure and why no change is given: one period only, a baseline that is the
    latest period, or periods that are not comparable (the earlier value shown, never read as
    a rise or fall)."""
    value = metric_value(h)
    if h.meta.unit == "people":
        head = f"{h.area_name} had {value} {plural(h.value, 'resident')} in {h.latest}"
    else:
        head = f"In {h.area_name}, {_subject(h.meta)} was {value} in {h.latest}"
    if h.status == change.ONE_PERIOD:
        head += " (one period only)"
    elif h.status == change.NOT_COMPARABLE:
        reason = h.change_note.split(": ", 1)[-1]
        before = format_value(h.value_baseline, h.meta)
        head += f" ({before} in {h.baseline}; not comparable: {reason})"
    elif h.change_note:
        head += f" ({h.change_note})"
    compared = _comparison_words(h)
    return f"{head}; it is {compared}." if compared else f"{head}."


def sentence(h: Headline) -> str:
    """One plain-English sentence about a headline, e.g. 'In North, the share of residents
    living in England's most deprived 10% fell from 4.8% at the 2019 baseline to 4.5% in 2025;
    now higher (worse) than Trafford (4.0%).'"""
    if not h.has_data:
        return f"There are no figures for {_lower_first(short_label(h.meta))} in {h.area_name}."
    if h.status and h.status != change.COMPARABLE:
        return _no_change_sentence(h)
    if _lsoa_counts(h):
        return _lsoa_sentence(h)
    if h.meta.aggregation == "sum":
        return _count_sentence(h)
    return _value_sentence(h)


def sentences(items: Iterable[Headline], limit: int = MAX_SENTENCES) -> list[str]:
    """Sentences for the headlines with figures first, then one per missing indicator, at most
    `limit` in all."""
    items = list(items)
    with_data = [sentence(h) for h in items if h.has_data]
    without = [sentence(h) for h in items if not h.has_data]
    return (with_data + without)[:limit]


def profile_sentences(items: Iterable[Headline], limit: int = 8) -> list[str]:
    """Sentences for a whole profile: first the indicators that changed since their baseline
    (by domain), then those compared only in their latest period, at most `limit`."""
    items = [h for h in items if h.has_data]
    zero = [h for h in items if abs(h.value) < EPS and abs(_zero_if_nan(h.value_baseline)) < EPS]
    changed = [h for h in items if h.change_shown and h not in zero]
    rest = [h for h in items if h not in changed and h not in zero] + zero  # nothing to say last
    return [sentence(h) for h in changed + rest][:limit]


def _zero_if_nan(value: float) -> float:
    return 0.0 if math.isnan(value) else value


def card_caveat(h: Headline) -> str:
    """A caveat a card must keep in every view (presentation mode and packs too)."""
    if h.meta.unit == "score" and h.meta.aggregation == "weighted_mean" and h.has_baseline:
        return SCORE_CAVEAT
    return ""


def changed_most(
    ranked: pd.DataFrame, catalogue: pd.DataFrame, limit: int = 3
) -> dict[str, list[str]]:
    """{'improved': [...], 'worsened': [...]}: phrases for the indicators that improved and
    worsened most, from `change.area_changes` (already ranked, best and worst first), e.g.
    'Bus frequency (trips per hour): 23.2 in 2019 to 19.3 trips per hour in 2023'."""
    by_id = catalogue.set_index("indicator_id", drop=False)
    out: dict[str, list[str]] = {"improved": [], "worsened": []}
    for key in out:
        rows = ranked[ranked.group == key].head(limit) if len(ranked) else ranked
        for r in rows.itertuples():
            if r.indicator_id not in by_id.index:
                continue
            meta = analysis.IndicatorMeta.from_row(by_id.loc[r.indicator_id])
            before = format_value(_float(r.value_baseline), meta)
            now = format_value(_float(r.value_current), meta)
            out[key].append(
                f"{short_label(meta)}: {before} in {r.baseline} to {now} in {r.current}"
            )
    return out


# --------------------------------------------------------------------------- tables, text


def table(items: Iterable[Headline]) -> pd.DataFrame:
    """The numbers behind the briefing, one row per indicator (for the data table and CSV)."""
    rows = []
    for h in items:
        rows.append(
            {
                "indicator_id": h.meta.indicator_id,
                "indicator": h.meta.name,
                "unit": h.meta.unit,
                "polarity": h.meta.polarity,
                "neighbourhood": h.area_name,
                "baseline_period": h.baseline,
                "baseline_value": h.value_baseline,
                "latest_period": h.latest,
                "latest_value": h.value,
                "latest_numerator": h.numerator,
                "latest_denominator": h.denominator,
                "change": h.change,
                "change_lower": h.change_lower,
                "change_upper": h.change_upper,
                "change_interval_scale": CHANGE_SCALES.get(h.meta.ci_method, ""),
                "change_significance": h.significance,
                "change_judgement": h.direction,
                "comparator": h.comparator_name,
                "comparator_value": h.comparator_value,
                "comparison": h.comparison,
            }
        )
    frame = pd.DataFrame(rows)
    num = frame.select_dtypes("number").columns if len(frame) else []
    for column in num:
        frame[column] = np.round(frame[column].astype(float), 3)
    return frame
