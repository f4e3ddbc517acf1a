"""The Compare page's shared computations: the ranking, the funnel plot, the area profile and
what changed most, each made once per selection and shared by every session (`shared_views`;
read-only results). They are keyed by the selection's few values, so a view costs a lookup,
not hashing the frames behind them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from outcomes import analysis, change, charts, comparison, shared_views, ui


def _meta(indicator_id: str) -> analysis.IndicatorMeta:
    return analysis.IndicatorMeta.from_row(ui.indicator_row(indicator_id))


@shared_views.shared
def ranked(
    lad_code: str, model_id: str, indicator_id: str, period: str, comparator: str, ci_level: str
) -> pd.DataFrame:
    """Every neighbourhood's value in `period` against the comparator
    (`comparison.ranked_values`)."""
    values = ui.area_values(lad_code, model_id, (indicator_id,))
    rest = ui.rest_of_borough(lad_code, model_id, indicator_id) if comparator == "rest" else None
    return comparison.ranked_values(values, rest, _meta(indicator_id), period, comparator, ci_level)


@shared_views.shared
def reference(
    lad_code: str, model_id: str, indicator_id: str, comparator: str, period: str
) -> tuple[str, float] | None:
    """The comparator's name and value (`comparison.reference_value`)."""
    values = ui.area_values(lad_code, model_id, (indicator_id,))
    return comparison.reference_value(values, comparator, period)


@dataclass(frozen=True)
class Ranking:
    ranked: pd.DataFrame
    figure: go.Figure | None  # None when no neighbourhood has a value
    table: pd.DataFrame | None


@shared_views.shared
def ranking(
    lad_code: str,
    lad_name: str,
    model_id: str,
    model_name: str,
    indicator_id: str,
    period: str,
    comparator: str,
    comparator_name: str,
    ci_level: str,
    highlight: tuple[str, ...],
) -> Ranking:
    """The ranked chart of the borough's neighbourhoods and its table."""
    rows = ranked(lad_code, model_id, indicator_id, period, comparator, ci_level)
    if rows.value.notna().sum() == 0:
        return Ranking(rows, None, None)
    meta_row = ui.indicator_row(indicator_id)
    meta = analysis.IndicatorMeta.from_row(meta_row)
    total = meta.aggregation == "sum"  # a total is ranked, not set against a larger total
    centre = None if total else reference(lad_code, model_id, indicator_id, comparator, period)
    figure = charts.ranked_chart(
        rows,
        title=f"{meta.name}: {lad_name} neighbourhoods, {period}",
        subtitle=f"{model_name}; highest at the top; {ui.polarity_text(meta.polarity)}"
        + ("; a total, not compared" if total else f"; compared with {comparator_name}")
        + f"; {ui.ci_caption(meta, ci_level)}",
        source=ui.source_line(meta_row),
        x_title=charts.axis_title(meta.name, meta.unit),
        unit=meta.unit,
        reference=centre,
        comparator_name=comparator_name,
        highlight=highlight,
        area_comparators=comparator == "rest" and not total,
    )
    return Ranking(rows, figure, comparison.ranked_table(rows, meta, ci_level))


@dataclass(frozen=True)
class Funnel:
    points: pd.DataFrame
    figure: go.Figure
    table: pd.DataFrame


@shared_views.shared
def funnel(
    lad_code: str,
    lad_name: str,
    model_id: str,
    model_name: str,
    indicator_id: str,
    period: str,
    comparator: str,
    ci_level: str,
) -> Funnel | None:
    """The funnel plot against the comparator's centre (the borough for "rest"); None when
    it cannot be drawn (the page says why: `comparison.funnel_reason`, or no centre)."""
    rows = ranked(lad_code, model_id, indicator_id, period, comparator, ci_level)
    meta_row = ui.indicator_row(indicator_id)
    meta = analysis.IndicatorMeta.from_row(meta_row)
    centre = reference(
        lad_code, model_id, indicator_id, "lad" if comparator == "rest" else comparator, period
    )
    if comparison.funnel_reason(meta, rows) is not None or centre is None:
        return None
    centre_name, centre_value = centre
    limits = comparison.funnel_limits(meta, centre_value, comparison.funnel_grid(rows.denominator))
    points = comparison.funnel_points(rows, meta, centre_value, ci_level)
    figure = charts.funnel_chart(
        points,
        limits,
        centre_name=centre_name,
        centre_value=centre_value,
        title=f"{meta.name}: {lad_name} neighbourhoods against {centre_name}, {period}",
        subtitle=f"{model_name}; 95% (dashed) and 99.8% (solid) control limits; "
        f"points judged at {analysis.CI_LABELS[ci_level]}",
        source=ui.source_line(meta_row),
        x_title="Denominator (size of the neighbourhood's base)",
        y_title=charts.axis_title(meta.name, meta.unit),
        unit=meta.unit,
    )
    return Funnel(points, figure, comparison.funnel_table(points, meta))


@dataclass(frozen=True)
class Profile:
    spine: pd.DataFrame  # `ui.spine_rows`: empty when the area has no values
    figure: go.Figure | None
    table: pd.DataFrame | None


@shared_views.shared
def area_profile(
    lad_code: str,
    lad_name: str,
    model_id: str,
    model_name: str,
    focus: str,
    focus_name: str,
    comparator: str,
    comparator_name: str,
    ci_level: str,
) -> Profile:
    """The focus neighbourhood's spine chart of every indicator and its table."""
    spine = ui.spine_rows(lad_code, model_id, focus, comparator, ci_level)
    if spine.empty:
        return Profile(spine, None, None)
    cat = ui.shared_catalogue()
    figure = charts.spine_chart(
        spine,
        title=f"Area profile: {focus_name} ({model_name})",
        subtitle=f"Latest period of each indicator; centred on England; better to the right; "
        f"compared with {comparator_name}",
        source=comparison.spine_source(cat[cat.indicator_id.isin(spine.indicator_id)]),
        neighbourhood_name=focus_name,
        borough_name=lad_name,
        comparator_name=comparator_name,
    )
    return Profile(spine, figure, comparison.spine_table(spine))


@shared_views.shared
def most_changed(
    lad_code: str, model_id: str, indicator_id: str, year: int, ci_level: str
) -> tuple[change.Baseline, pd.DataFrame, pd.DataFrame]:
    """The neighbourhoods ranked by change since the baseline for `year`
    (`change.most_changed_neighbourhoods`) and the table of them."""
    values = ui.area_values(lad_code, model_id, (indicator_id,))
    meta = _meta(indicator_id)
    base, rows = change.most_changed_neighbourhoods(values, meta, year, ci_level)
    return base, rows, change.most_changed_table(rows, meta)


@shared_views.shared
def area_changes(
    lad_code: str, model_id: str, focus: str, year: int, ci_level: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every indicator for the focus neighbourhood ranked by improvement and worsening
    (`ui.area_changes`) and the table of them."""
    changes = ui.area_changes(lad_code, model_id, focus, year, ci_level)
    return changes, change.area_changes_table(changes)
