"""A pack's four charts, drawn with `outcomes.charts` exactly as the pages draw them: the
indicator over time, the neighbourhoods ranked, the area profile and an LSOA map with the
neighbourhood outlined. Each comes with its slide heading, caption and alternative text."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from outcomes import analysis, briefing, charts, comparison, geo, maps
from outcomes.briefing_pack.model import ModelData, PackOptions
from outcomes.briefing_pack.spread import spread_indicator as borough_spread_indicator
from outcomes.briefing_pack.spread import spread_rows, spread_sentences
from outcomes.charts import profile as profile_charts
from outcomes.text import escape_html

MAP_AREA_PX = (880, 480)  # the map's drawing area in a 1,000 px export, to choose the zoom
Figure = tuple[str, str, str, str, go.Figure]  # key, heading, caption, alt text, figure


@dataclass(frozen=True)
class _Chart:
    """What every chart of one pack shares: the neighbourhood, the indicator and its words."""

    data: ModelData
    focus: str
    name: str
    options: PackOptions
    meta: analysis.IndicatorMeta
    source: str
    ci_text: str
    comp_name: str

    @property
    def values(self) -> pd.DataFrame:
        """The chart indicator's area values."""
        return self.data.values[self.data.values.indicator_id == self.meta.indicator_id]

    @property
    def axis_title(self) -> str:
        return charts.axis_title(self.meta.name, self.meta.unit)


def _chart(data: ModelData, focus: str, options: PackOptions) -> _Chart:
    row = data.catalogue.set_index("indicator_id", drop=False).loc[data.chart_indicator]
    meta = analysis.IndicatorMeta.from_row(row)
    ci_text = analysis.uncertainty_words(meta, options.ci_level)
    return _Chart(
        data=data,
        focus=focus,
        name=data.name_of(focus),
        options=options,
        meta=meta,
        source=f"Source: {row.source} ({row.publisher}). {row.licence}.",
        ci_text=ci_text,
        comp_name=data.comparator_label(options.comparator),
    )


def chart_figures(data: ModelData, focus: str, options: PackOptions) -> list[Figure]:
    """(key, heading, caption, alt text, figure) of each chart of a neighbourhood's pack;
    a chart without data is left out."""
    c = _chart(data, focus, options)
    out = (
        _over_time_figure(c),
        _ranked_figure(c),
        _profile_figure(c),
        _map_chart(c),
        spread_figure(data, focus, options),
    )
    return [figure for figure in out if figure is not None]


# ---------------------------------------------------------------------------- over time


def _over_time_figure(c: _Chart) -> Figure | None:
    """Small multiples of the headline indicators that have a series for the neighbourhood."""
    data, name, options = c.data, c.name, c.options
    ids = data.headline_ids or (data.chart_indicator,)
    items = briefing.profile(
        data.values, data.catalogue, ids, c.focus, name, options.year, "lad", options.ci_level
    )
    shown = data.catalogue[data.catalogue.indicator_id.isin(ids)]
    fig = profile_charts.profile_chart(
        data.values,
        data.catalogue,
        c.focus,
        ids,
        {h.meta.indicator_id: h.baseline for h in items},
        title=f"{name}: headline indicators over time",
        subtitle=f"{data.lad_name}, {data.model_name}; {name} (solid), the borough (dashed) and "
        f"England (dotted); dotted line: each indicator's baseline nearest {options.year}; "
        "each panel has its own scale",
        source="Sources: " + "; ".join(dict.fromkeys(shown.source.astype(str))) + ".",
    )
    if fig is None:
        return None
    drawn = profile_charts.drawable(data.values, c.focus, ids)
    return (
        "over_time",
        "Headline indicators over time",
        f"{name} against {data.lad_name} and England, one panel per indicator with a series "
        f"({len(drawn)} of {len(ids)}); points, not lines, where periods are not comparable.",
        f"Small multiple line charts of {len(drawn)} headline indicators for {name}, "
        f"{data.lad_name} and England over time.",
        fig,
    )


# ---------------------------------------------------------------------------- the borough


def spread_indicator(data: ModelData) -> str | None:
    """The indicator of the borough page (see `spread`)."""
    return borough_spread_indicator(
        data.values, data.catalogue, data.chart_indicator, data.headline_ids
    )


def spread_figure(data: ModelData, focus: str, options: PackOptions) -> Figure | None:
    """The spread between the model's neighbourhoods over time with the neighbourhood, the
    borough and England; its words are `spread_sentences`."""
    indicator_id = spread_indicator(data)
    if indicator_id is None:
        return None
    row = data.catalogue.set_index("indicator_id", drop=False).loc[indicator_id]
    meta = analysis.IndicatorMeta.from_row(row)
    rows = spread_rows(data.values, indicator_id, focus)
    name = data.name_of(focus)
    first, last = rows.period.iloc[0], rows.period.iloc[-1]
    fig = profile_charts.spread_chart(
        rows,
        focus_name=name,
        borough_name=data.lad_name,
        title=f"{meta.name}: the spread between {data.lad_name}'s neighbourhoods, {first}–{last}",
        subtitle=f"{data.model_name}; grey band: lowest to highest neighbourhood; "
        f"{briefing.polarity_line(meta)}",
        source=f"Source: {row.source} ({row.publisher}). {row.licence}.",
        y_title=charts.axis_title(meta.name, meta.unit),
    )
    return (
        "spread",
        f"Across {data.lad_name}: the gap between neighbourhoods",
        "\n".join(spread_sentences(rows, meta, name, data.lad_name, len(data.neighbourhoods))),
        f"Line chart of {meta.name} from {first} to {last}: the range of {data.lad_name}'s "
        f"neighbourhoods as a band, with {name}, the borough and England.",
        fig,
    )


# ---------------------------------------------------------------------------- ranked


def _latest(frame: pd.DataFrame) -> str | None:
    rows = frame[frame.value.notna()]
    if rows.empty:
        return None
    return str(rows.sort_values("period_start").period.iloc[-1])


def _ranked_figure(c: _Chart) -> Figure | None:
    values, options, meta, data, name = c.values, c.options, c.meta, c.data, c.name
    period = _latest(values[values.area_type == "neighbourhood"])
    if period is None:
        return None
    rest = data.rest_sums.get(meta.indicator_id) if options.comparator == "rest" else None
    ranked = comparison.ranked_values(
        values, rest, meta, period, options.comparator, options.ci_level
    )
    total = meta.aggregation == "sum"
    reference = None if total else comparison.reference_value(values, options.comparator, period)
    fig = charts.ranked_chart(
        ranked,
        title=f"{meta.name}: {data.lad_name} neighbourhoods, {period}",
        subtitle=f"{data.model_name}; {name} marked ▸; highest at the top; "
        + ("a total, not compared" if total else f"compared with {c.comp_name}")
        + f"; {c.ci_text}",
        source=c.source,
        x_title=c.axis_title,
        unit=meta.unit,
        reference=reference,
        comparator_name=c.comp_name,
        highlight=(c.focus,),
        area_comparators=options.comparator == "rest" and not total,
    )
    return (
        "ranked",
        f"{meta.name}: every neighbourhood, {period}",
        f"{name} (in bold) among the {len(ranked)} neighbourhoods of {data.model_name}. Each "
        f"bar's label gives its value and its comparison with {c.comp_name} in words.",
        f"Bar chart ranking the neighbourhoods of {data.model_name} by {meta.name} in "
        f"{period}, with {name} highlighted.",
        fig,
    )


# ---------------------------------------------------------------------------- area profile


def _profile_figure(c: _Chart) -> Figure | None:
    data, options, name = c.data, c.options, c.name
    ids = data.profile_ids()
    profile_cat = data.catalogue[data.catalogue.indicator_id.isin(ids)]
    spine = comparison.spine_rows(
        data.values,
        data.spread,
        profile_cat,
        c.focus,
        options.comparator,
        options.ci_level,
        data.rest_sums if options.comparator == "rest" else None,
    )
    if spine.empty:
        return None
    fig = charts.spine_chart(
        spine,
        title=f"Area profile: {name} ({data.model_name})",
        subtitle="Latest period of each indicator; centred on England; better to the "
        f"right; compared with {c.comp_name}",
        source=comparison.spine_source(
            profile_cat[profile_cat.indicator_id.isin(spine.indicator_id)]
        ),
        neighbourhood_name=name,
        borough_name=data.lad_name,
        comparator_name=c.comp_name,
    )
    return (
        "profile",
        f"Area profile: {name}",
        "England is the black centre line; grey bars show the range of the borough's "
        "neighbourhoods (light: lowest to highest; dark: the middle half); better is "
        f"to the right. The circle's colour compares {name} with {c.comp_name}.",
        f"Spine chart of {len(spine)} indicators for {name} against England and the "
        f"other neighbourhoods of {data.lad_name}.",
        fig,
    )


# ---------------------------------------------------------------------------- map


def _lsoa_latest(areas: pd.DataFrame, data: ModelData, indicator_id: str) -> str | None:
    """The latest LSOA period by date (period labels such as '2020/21' sort as text too, but
    monthly and yearly labels mixed do not)."""
    values = data.values[data.values.indicator_id == indicator_id]
    starts = values.drop_duplicates("period").set_index("period").period_start
    present = areas[areas.value.notna()].period.astype(str).unique().tolist()
    dated = [p for p in present if p in starts.index]
    if not dated:
        return None
    return max(dated, key=lambda p: starts[p])


def _map_frame(c: _Chart) -> tuple[pd.DataFrame, dict, str, str] | None:
    """(frame, geojson, level, period) of the map: the chart indicator's LSOA values in their
    latest period, or its neighbourhood values where it has no LSOA values."""
    data = c.data
    level = "lsoa"
    areas = maps.lsoa_areas(data.lsoa_values) if len(data.lsoa_values) else pd.DataFrame()
    geojson = data.lsoa_shapes
    if areas.empty or not maps.periods_of(areas):
        level = "neighbourhood"
        areas = maps.neighbourhood_areas(c.values)
        geojson = data.outlines
        if areas.empty or not maps.periods_of(areas):
            return None
    if level == "neighbourhood":
        with_dates = areas[areas.value.notna()].sort_values("period_start")
        period = str(with_dates.period.iloc[-1])
    else:
        period = _lsoa_latest(areas, data, c.meta.indicator_id) or maps.periods_of(areas)[-1]
    frame = maps.value_frame(areas, period)
    if frame.empty or not geojson.get("features"):
        return None
    return frame, geojson, level, period


def _outline(fig: go.Figure, outlines: dict, name: str) -> None:
    """The other neighbourhoods outlined in grey, the focus one in thick black."""
    others = maps.subset(outlines, [f["id"] for f in outlines["features"] if f["id"] != name])
    if others["features"]:
        trace = charts.outline_trace(others, name="Other neighbourhoods")
        trace.line.color, trace.line.width = "#777777", 1.2
        fig.add_trace(trace)
    mine = maps.subset(outlines, [name])
    if mine["features"]:
        trace = charts.outline_trace(mine, name=escape_html(name))
        trace.line.width = 3.5
        fig.add_trace(trace)


def _map_figure(c: _Chart) -> tuple[go.Figure, str, str] | None:
    """An LSOA map of the chart indicator in its latest period (neighbourhoods where it has no
    LSOA values), the focus neighbourhood outlined in black over grey outlines of the rest."""
    found = _map_frame(c)
    if found is None:
        return None
    frame, geojson, level, period = found
    data, meta = c.data, c.meta
    centre, zoom = charts.zoom_for(geo.bounds(geojson), *MAP_AREA_PX)
    legend = maps.value_legend(meta.polarity)
    fig = charts.choropleth(
        frame,
        geojson,
        level=level,
        view="value",
        polarity=meta.polarity,
        colour_title=c.axis_title,
        title=f"{meta.name}, {data.lad_name} {maps.LEVEL_NOUNS[level]}, {period}",
        subtitle=f"{legend[:1].upper()}{legend[1:]}. {c.name} outlined in black; "
        f"{data.model_name}.",
        source=f"{c.source} {geo.ATTRIBUTION}",
        centre=centre,
        zoom=zoom,
        outlines=None,
        decile=meta.unit == "decile",
    )
    _outline(fig, data.outlines, c.name)
    return fig, period, level


def _map_chart(c: _Chart) -> Figure | None:
    found = _map_figure(c)
    if found is None:
        return None
    fig, period, level = found
    meta, lad_name, name = c.meta, c.data.lad_name, c.name
    return (
        "map",
        f"{meta.name} on the map, {period}",
        f"{meta.name} across {lad_name}'s {maps.LEVEL_NOUNS[level]} in {period}; "
        f"{maps.value_legend(meta.polarity)}. {name} is outlined in black; the other "
        "neighbourhoods in grey.",
        f"Map of {lad_name} shaded by {meta.name} in {period}, with {name} outlined.",
        fig,
    )
