"""Briefing packs: one neighbourhood (or every neighbourhood of a model) as a PowerPoint deck and
a PDF to take into a meeting. No Streamlit here.

A pack holds a title, the headline numbers with their change since the baseline and how they
compare, the plain-English sentences of `outcomes.briefing`, four charts (the indicator over
time, the neighbourhoods ranked, the area profile and an LSOA map with the neighbourhood
outlined), and the definitions, sources and licences of every indicator in it. The numbers and
words come from the same functions as the Briefing page, so pack and page always agree.

Data for a whole model is read once (`load_model`), then each neighbourhood's pack is assembled
from it (`build_pack`) and written with `pptx_bytes` and `pdf_bytes`. Charts are drawn by
`outcomes.export` (kaleido in a local Chromium); without a browser a pack can still be made with
`charts=False`, and says on its chart pages why the charts are missing.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from outcomes import (
    analysis,
    briefing,
    charts,
    comparison,
    export,
    geo,
    maps,
    queries,
)

DEFAULT_INDICATOR = "income_deprived_pct"
MAP_AREA_PX = (880, 480)  # the map's drawing area in a 1,000 px export, to choose the zoom
PACK_SCALE = 2  # PNGs in packs: 2,000 px wide, ~280 dpi across an A4 page
Progress = Callable[[float, str], None]
CHIP_HEX = {  # the comparison colour as an accent beside its words (never alone)
    "green": charts.COMPARISON_COLOURS["better"],
    "yellow": charts.COMPARISON_COLOURS["similar"],
    "red": charts.COMPARISON_COLOURS["worse"],
    "blue": charts.COMPARISON_COLOURS["higher"],
    "orange": charts.COMPARISON_COLOURS["lower"],
    "gray": charts.COMPARISON_COLOURS["not compared"],
}
FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
)
FALLBACK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


class PackError(ValueError):
    """A pack cannot be made for this borough, model or neighbourhood."""


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class PackOptions:
    """The choices a pack is made for (the Briefing page's sidebar, or the CLI's flags)."""

    baseline: str = "2019"
    comparator: str = "lad"  # lad | england | rest
    ci_level: str = "95"
    indicator_id: str = DEFAULT_INDICATOR  # the indicator of the trend, ranking and map
    charts: bool = True
    scale: float = PACK_SCALE
    produced: date = field(default_factory=date.today)


@dataclass
class ModelData:
    """Everything a model's packs need, read from the database once."""

    lad_code: str
    lad_name: str
    model_id: str
    model_name: str
    neighbourhoods: pd.DataFrame  # neighbourhood_code, neighbourhood_name, lsoas
    catalogue: pd.DataFrame
    values: pd.DataFrame  # area_values of the headline, chart and profile indicators
    rest_sums: dict[str, pd.DataFrame]
    spread: pd.DataFrame
    lsoa_values: pd.DataFrame  # the chart indicator's LSOA values (may be empty)
    lsoa_shapes: dict
    outlines: dict  # neighbourhood outlines, feature id = neighbourhood name

    def name_of(self, code: str) -> str:
        rows = self.neighbourhoods[self.neighbourhoods.neighbourhood_code == code]
        if rows.empty:
            raise PackError(f"{code} is not a neighbourhood of {self.model_name}")
        return str(rows.neighbourhood_name.iloc[0])


def load_model(
    con, lad_code: str, model_id: str, indicator_id: str = DEFAULT_INDICATOR
) -> ModelData:
    """Read a model's data for its packs (about a second); PackError for an unknown borough,
    model or indicator."""
    lads = queries.boroughs(con)
    lad = lads[lads.lad_code == lad_code]
    if lad.empty:
        raise PackError(f"unknown borough (LA 2024 code) {lad_code}")
    models = queries.models(con, lad_code)
    model = models[models.model_id == model_id]
    if model.empty:
        known = ", ".join(models.model_id)
        raise PackError(f"{model_id} is not a neighbourhood model of {lad_code}; try: {known}")
    cat = queries.catalogue(con)
    area_cat = cat[cat.aggregation != "lsoa_only"]
    if indicator_id not in set(area_cat.indicator_id):
        raise PackError(f"{indicator_id} is not an indicator with neighbourhood values")
    ids = profile_ids(indicator_id, set(area_cat.indicator_id))
    values = queries.area_values(con, lad_code, model_id, ids)
    rest = {i: queries.rest_of_borough_sums(con, lad_code, model_id, i) for i in ids}
    membership = queries.model_membership(con, model_id)
    lsoa_shapes = geo.lsoa_geojson(lad_code)
    return ModelData(
        lad_code=lad_code,
        lad_name=str(lad.lad_name.iloc[0]),
        model_id=model_id,
        model_name=str(model.model_name.iloc[0]),
        neighbourhoods=queries.neighbourhoods(con, model_id),
        catalogue=cat,
        values=values,
        rest_sums=rest,
        spread=queries.neighbourhood_spread(con, model_id, ids),
        lsoa_values=queries.lsoa_values(con, lad_code, indicator_id, model_id),
        lsoa_shapes=lsoa_shapes,
        outlines=geo.neighbourhood_geojson(
            lad_code,
            dict(zip(membership.lsoa21_code, membership.neighbourhood_name, strict=True)),
        ),
    )


def profile_ids(indicator_id: str, known: set[str]) -> tuple[str, ...]:
    """The headline indicators and the chart indicator, in order, that exist."""
    ids = [i for i in briefing.HEADLINE_INDICATORS if i in known]
    if indicator_id not in ids:
        ids.append(indicator_id)
    return tuple(ids)


# ---------------------------------------------------------------------------- one pack


@dataclass
class PackChart:
    """One chart of a pack: what it is called on its slide, its words, and its image."""

    key: str  # trend | ranked | profile | map
    heading: str
    caption: str
    alt_text: str
    figure: go.Figure
    png: bytes | None = None
    size_px: tuple[int, int] = (0, 0)


@dataclass
class Pack:
    """One neighbourhood's briefing, ready to write as PPTX or PDF."""

    code: str
    name: str
    context: export.ExportContext
    options: PackOptions
    comparator_name: str
    headlines: list[briefing.Headline]
    sentences: list[str]
    numbers: pd.DataFrame  # briefing.table(headlines)
    charts: list[PackChart]
    definitions: pd.DataFrame  # catalogue rows of every indicator in the pack
    chart_note: str = ""  # why charts are missing, when they are

    @property
    def title(self) -> str:
        return f"{self.name}: neighbourhood briefing"

    @property
    def subtitle_lines(self) -> list[str]:
        c = self.context
        return [
            f"{c.lad_name} · {c.model_name}",
            f"Change since {self.options.baseline} to each indicator's latest period · "
            f"compared with {self.comparator_name}",
            f"Produced {c.produced_text}",
        ]

    def file_stem(self) -> str:
        return export.stem(
            self.context.lad_name,
            self.context.model_name,
            self.name,
            "briefing",
            f"since_{self.options.baseline}",
        )

    @property
    def sources(self) -> str:
        """'Sources: … (publisher); …. Licence.' for footers."""
        return comparison.spine_source(self.definitions)


def comparator_label(data: ModelData, comparator: str) -> str:
    return {"lad": data.lad_name, "rest": f"the rest of {data.lad_name}"}.get(comparator, "England")


def headline_rows(pack: Pack) -> list[dict[str, str]]:
    """The headline numbers as words: label, value, change, comparison, note, colour."""
    rows = []
    for h in pack.headlines:
        delta = briefing.metric_delta(h)
        change = ""
        if delta.get("delta"):
            change = f"{delta['delta']} {delta.get('delta_description', '')}".strip()
            if not h.meta.comparable_over_time:
                change += " (not comparable over time: not judged)"
            elif h.direction in ("improved", "worsened", "increased", "decreased"):
                change += f" ({h.direction})"
            elif h.significance and h.meta.has_ci and h.has_baseline:
                change += f" ({h.significance})"
        elif h.has_data and h.baseline == h.latest:
            change = f"{h.baseline} is the baseline"
        elif h.has_data:
            change = f"No {h.baseline} figure to compare with"
        chip = briefing.chip(h)
        rows.append(
            {
                "label": briefing.metric_label(h),
                "value": briefing.metric_value(h),
                "change": change,
                "comparison": f"{chip.text} {chip.tail}".strip(),
                "note": briefing.metric_note(h) or "",
                "polarity": briefing.polarity_line(h.meta),
                "colour": CHIP_HEX.get(chip.colour, CHIP_HEX["gray"]),
            }
        )
    return rows


def _trend_rows(
    data: ModelData, meta: analysis.IndicatorMeta, focus: str, options: PackOptions
) -> pd.DataFrame:
    """The neighbourhood, the borough and England over time (and the rest of the borough when
    that is the comparator), as the Trends page shows them for one neighbourhood."""
    values = data.values[data.values.indicator_id == meta.indicator_id]
    keep = values[
        ((values.area_type == "neighbourhood") & (values.area_code == focus))
        | values.area_type.isin(["lad", "england"])
    ]
    rest = data.rest_sums.get(meta.indicator_id)
    if options.comparator == "rest" and rest is not None and not rest.empty:
        rest = rest[rest.area_code == focus]
        starts = values.drop_duplicates("period").set_index("period").period_start
        if not rest.empty and meta.aggregation != "lsoa_only":
            rows = rest.assign(
                area_type="rest",
                area_name=f"Rest of {data.lad_name}",
                value=analysis.value_from_sums(meta, rest.numerator, rest.denominator),
                period_start=rest.period.map(starts),
                indicator_id=meta.indicator_id,
            )
            for level in ("95", "998"):
                low, high = analysis.interval(meta, rows.numerator, rows.denominator, level)
                rows[f"lower_ci{level}"], rows[f"upper_ci{level}"] = low, high
            keep = pd.concat([keep, rows[rows.period_start.notna()]], ignore_index=True)
    return keep


def _latest(frame: pd.DataFrame) -> str | None:
    rows = frame[frame.value.notna()]
    if rows.empty:
        return None
    return str(rows.sort_values("period_start").period.iloc[-1])


def chart_figures(
    data: ModelData, focus: str, options: PackOptions
) -> list[tuple[str, str, str, str, go.Figure]]:
    """(key, heading, caption, alt text, figure) of each chart of a neighbourhood's pack;
    a chart without data is left out."""
    name = data.name_of(focus)
    cat = data.catalogue.set_index("indicator_id", drop=False)
    row = cat.loc[options.indicator_id]
    meta = maps.with_comparability(analysis.IndicatorMeta.from_row(row), row)
    source = f"Source: {row.source} ({row.publisher}). {row.licence}."
    polarity = briefing.polarity_line(meta)
    ci_text = (
        f"{analysis.CI_LABELS[options.ci_level]} confidence intervals"
        if meta.has_ci
        else "no confidence interval (a complete count, not a sample)"
    )
    comp_name = comparator_label(data, options.comparator)
    out = []

    trend = _trend_rows(data, meta, focus, options)
    if trend[trend.area_type == "neighbourhood"].value.notna().any():
        periods = trend.sort_values("period_start").period.astype(str).unique().tolist()
        fig = charts.trend_chart(
            trend,
            title=f"{meta.name}: {name} over time",
            subtitle=f"{data.lad_name}, {data.model_name}; {periods[0]}–{periods[-1]}; "
            f"baseline {options.baseline}; {ci_text}",
            source=source,
            y_title=charts.axis_title(meta.name, meta.unit),
            baseline=options.baseline,
            ci_level=options.ci_level,
        )
        out.append(
            (
                "trend",
                f"{meta.name} over time",
                f"{name} against {data.lad_name} and England, {periods[0]} to {periods[-1]}; "
                f"the dotted line marks the {options.baseline} baseline. {polarity}.",
                f"Line chart of {meta.name} for {name}, {data.lad_name} and England from "
                f"{periods[0]} to {periods[-1]}.",
                fig,
            )
        )

    values = data.values[data.values.indicator_id == meta.indicator_id]
    period = _latest(values[values.area_type == "neighbourhood"])
    if period is not None:
        rest = data.rest_sums.get(meta.indicator_id) if options.comparator == "rest" else None
        ranked = comparison.ranked_values(
            values, rest, meta, period, options.comparator, options.ci_level
        )
        total = meta.aggregation == "sum"
        reference = (
            None if total else comparison.reference_value(values, options.comparator, period)
        )
        fig = charts.ranked_chart(
            ranked,
            title=f"{meta.name}: {data.lad_name} neighbourhoods, {period}",
            subtitle=f"{data.model_name}; {name} marked ▸; highest at the top; "
            + ("a total, not compared" if total else f"compared with {comp_name}")
            + f"; {ci_text}",
            source=source,
            x_title=charts.axis_title(meta.name, meta.unit),
            unit=meta.unit,
            reference=reference,
            comparator_name=comp_name,
            highlight=(focus,),
            area_comparators=options.comparator == "rest" and not total,
        )
        out.append(
            (
                "ranked",
                f"{meta.name}: every neighbourhood, {period}",
                f"{name} (in bold) among the {len(ranked)} neighbourhoods of "
                f"{data.model_name}. Each bar's label gives its value and its comparison "
                f"with {comp_name} in words.",
                f"Bar chart ranking the neighbourhoods of {data.model_name} by {meta.name} "
                f"in {period}, with {name} highlighted.",
                fig,
            )
        )

    profile_cat = data.catalogue[
        data.catalogue.indicator_id.isin(profile_ids(options.indicator_id, set(cat.index)))
    ]
    rest_by_indicator = data.rest_sums if options.comparator == "rest" else None
    spine = comparison.spine_rows(
        data.values,
        data.spread,
        profile_cat,
        focus,
        options.comparator,
        options.ci_level,
        rest_by_indicator,
    )
    if not spine.empty:
        fig = charts.spine_chart(
            spine,
            title=f"Area profile: {name} ({data.model_name})",
            subtitle="Latest period of each indicator; centred on England; better to the "
            f"right; compared with {comp_name}",
            source=comparison.spine_source(
                profile_cat[profile_cat.indicator_id.isin(spine.indicator_id)]
            ),
            neighbourhood_name=name,
            borough_name=data.lad_name,
            comparator_name=comp_name,
        )
        out.append(
            (
                "profile",
                f"Area profile: {name}",
                "England is the black centre line; grey bars show the range of the borough's "
                "neighbourhoods (light: lowest to highest; dark: the middle half); better is "
                f"to the right. The circle's colour compares {name} with {comp_name}.",
                f"Spine chart of {len(spine)} indicators for {name} against England and the "
                f"other neighbourhoods of {data.lad_name}.",
                fig,
            )
        )

    map_fig = _map_figure(data, focus, name, meta, source)
    if map_fig is not None:
        fig, map_period, level = map_fig
        out.append(
            (
                "map",
                f"{meta.name} on the map, {map_period}",
                f"{meta.name} across {data.lad_name}'s {maps.LEVEL_NOUNS[level]} in "
                f"{map_period}; {maps.value_legend(meta.polarity)}. {name} is outlined in "
                "black; the other neighbourhoods in grey.",
                f"Map of {data.lad_name} shaded by {meta.name} in {map_period}, with {name} "
                "outlined.",
                fig,
            )
        )
    return out


def _map_figure(data: ModelData, focus: str, name: str, meta, source: str):
    """An LSOA map of the chart indicator in its latest period (neighbourhoods where it has no
    LSOA values), the focus neighbourhood outlined in black over grey outlines of the rest."""
    level = "lsoa"
    areas = maps.lsoa_areas(data.lsoa_values) if len(data.lsoa_values) else pd.DataFrame()
    geojson = data.lsoa_shapes
    if areas.empty or not maps.periods_of(areas):
        level = "neighbourhood"
        values = data.values[data.values.indicator_id == meta.indicator_id]
        areas = maps.neighbourhood_areas(values)
        geojson = data.outlines
        if areas.empty or not maps.periods_of(areas):
            return None
    periods = maps.periods_of(areas)
    if level == "neighbourhood":
        with_dates = areas[areas.value.notna()].sort_values("period_start")
        period = str(with_dates.period.iloc[-1])
    else:
        period = _lsoa_latest(areas, data, meta.indicator_id) or periods[-1]
    frame = maps.value_frame(areas, period)
    if frame.empty or not geojson.get("features"):
        return None
    centre, zoom = charts.zoom_for(geo.bounds(geojson), *MAP_AREA_PX)
    fig = charts.choropleth(
        frame,
        geojson,
        level=level,
        view="value",
        polarity=meta.polarity,
        colour_title=charts.axis_title(meta.name, meta.unit),
        title=f"{meta.name}, {data.lad_name} {maps.LEVEL_NOUNS[level]}, {period}",
        subtitle=f"{maps.value_legend(meta.polarity)[:1].upper()}"
        f"{maps.value_legend(meta.polarity)[1:]}. {name} outlined in black; "
        f"{data.model_name}.",
        source=f"{source} {geo.ATTRIBUTION}",
        centre=centre,
        zoom=zoom,
        outlines=None,
        decile=meta.unit == "decile",
    )
    others = maps.subset(
        data.outlines, [f["id"] for f in data.outlines["features"] if f["id"] != name]
    )
    if others["features"]:
        trace = charts.outline_trace(others, name="Other neighbourhoods")
        trace.line.color, trace.line.width = "#777777", 1.2
        fig.add_trace(trace)
    mine = maps.subset(data.outlines, [name])
    if mine["features"]:
        trace = charts.outline_trace(mine, name=name)
        trace.line.width = 3.5
        fig.add_trace(trace)
    return fig, period, level


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


def with_comparability(
    items: list[briefing.Headline], catalogue: pd.DataFrame
) -> list[briefing.Headline]:
    """Headlines with the catalogue's comparable_over_time flag applied: a measure whose
    definition changed between waves (IMD scores, IoD2025's income domain) shows both values but
    is not read as a rise or fall, exactly as `analysis.change_since_baseline` labels it."""
    flags = catalogue.set_index("indicator_id").get("comparable_over_time")
    if flags is None:
        return items
    out = []
    for h in items:
        flag = flags.get(h.meta.indicator_id, True)
        comparable = True if flag is None or pd.isna(flag) else bool(flag)
        if comparable or not h.meta.comparable_over_time:
            out.append(h)
            continue
        out.append(
            replace(
                h,
                meta=replace(h.meta, comparable_over_time=False),
                change_lower=math.nan,
                change_upper=math.nan,
                significance=analysis.NOT_COMPARABLE,
                direction="not tested",
            )
        )
    return out


def build_pack(
    data: ModelData,
    focus: str,
    options: PackOptions,
    progress: Progress | None = None,
) -> Pack:
    """One neighbourhood's pack, with its charts drawn (unless `options.charts` is False).
    Raises export.BrowserMissing when charts are wanted and no browser is installed."""
    name = data.name_of(focus)
    comp_name = comparator_label(data, options.comparator)
    items = briefing.headlines(
        data.values,
        data.catalogue,
        focus,
        name,
        options.baseline,
        options.comparator,
        options.ci_level,
        data.rest_sums if options.comparator == "rest" else None,
        comp_name,
    )
    items = with_comparability(items, data.catalogue)
    context = export.ExportContext(
        lad_code=data.lad_code,
        lad_name=data.lad_name,
        model_id=data.model_id,
        model_name=data.model_name,
        baseline=options.baseline,
        comparator=options.comparator,
        comparator_name=comp_name,
        ci_level=options.ci_level,
        produced=options.produced,
    )
    ids = profile_ids(options.indicator_id, set(data.catalogue.indicator_id))
    definitions = data.catalogue.set_index("indicator_id", drop=False).loc[list(ids)]
    pack_charts = [
        PackChart(key, heading, caption, alt, fig)
        for key, heading, caption, alt, fig in chart_figures(data, focus, options)
    ]
    pack = Pack(
        code=focus,
        name=name,
        context=context,
        options=options,
        comparator_name=comp_name,
        headlines=items,
        sentences=briefing.sentences(items),
        numbers=briefing.table(items),
        charts=pack_charts,
        definitions=definitions.reset_index(drop=True),
    )
    if not options.charts:
        pack.chart_note = "Charts were left out of this pack."
        return pack
    for i, chart in enumerate(pack.charts):
        if progress:
            progress(i / max(len(pack.charts), 1), f"{name}: drawing {chart.heading}")
        ready = export.figure_for_export(chart.figure, context)
        chart.png = export.render(ready, "png", scale=options.scale)
        chart.size_px = (int(ready.layout.width), int(ready.layout.height))
    return pack


def opaque_image(png: bytes):
    """The PNG flattened on white as a Pillow image, for fpdf2: it embeds RGB pixels in one
    pass, where an RGBA PNG costs it a decode, an alpha mask and a second compression. The
    PNG bytes themselves when Pillow is missing."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with Streamlit
        return io.BytesIO(png)
    with Image.open(io.BytesIO(png)) as image:
        if image.mode != "RGBA":
            return image.convert("RGB")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat


def without_charts(data: ModelData, focus: str, options: PackOptions, reason: str) -> Pack:
    """A pack with its numbers and words only, saying why the charts are missing."""
    pack = build_pack(data, focus, replace(options, charts=False))
    pack.chart_note = reason
    return pack


# ---------------------------------------------------------------------------- text helpers


def definition_rows(pack: Pack) -> list[dict[str, str]]:
    """Each indicator's name, definition, unit and polarity, source and licence, caveats."""
    rows = []
    for r in pack.definitions.itertuples():
        rows.append(
            {
                "name": str(r.name),
                "definition": str(r.definition or ""),
                "how": f"Unit: {r.unit or 'none'}. {briefing.polarity_line(_meta(r))}.",
                "source": f"{r.source} ({r.publisher}). {r.licence}.",
                "caveats": str(r.caveats or "") if isinstance(r.caveats, str) else "",
                "periods": str(r.periods or "") if isinstance(r.periods, str) else "",
            }
        )
    return rows


def _meta(row) -> analysis.IndicatorMeta:
    return analysis.IndicatorMeta(
        str(row.indicator_id),
        str(row.name),
        str(row.unit),
        str(row.polarity),
        str(row.aggregation),
        str(row.ci_method),
        float(row.multiplier),
    )


def _row_height_in(row: dict[str, str]) -> float:
    """Estimated height of a definitions table row on a slide (9.5 pt text, 0.165 in a line)."""
    definition = len(row["definition"]) + len(row["caveats"]) + len(row["how"]) + 2
    lines = max(
        math.ceil(len(row["name"]) / 28),
        math.ceil(definition / 100),
        math.ceil(len(row["source"]) / 48),
    )
    return 0.165 * lines + 0.2


def definition_chunks(rows: list[dict[str, str]], room_in: float = 5.1) -> list[list[dict]]:
    """Definitions split into slides whose tables fit under the title."""
    chunks: list[list[dict]] = []
    current: list[dict] = []
    used = 0.35  # the header row
    for row in rows:
        height = _row_height_in(row)
        if current and used + height > room_in:
            chunks.append(current)
            current, used = [], 0.35
        current.append(row)
        used += height
    if current:
        chunks.append(current)
    return chunks


def method_note(pack: Pack) -> str:
    """How changes and comparisons were judged, in one paragraph."""
    level = analysis.CI_LABELS[pack.options.ci_level]
    return (
        f"Change runs from the {pack.options.baseline} baseline to each indicator's latest "
        f"period. Indicators that are complete counts of every LSOA (the Indices of "
        f"Deprivation, population) have no sampling error: they are compared directly and "
        f"their change is not tested. Indicators estimated from samples or events carry "
        f"{level} confidence intervals (Wilson score for proportions, Byar's method for rates); "
        f"they are 'significantly' different only when the comparator lies outside the "
        f"interval, as in OHID's Fingertips."
    )


# ---------------------------------------------------------------------------- PowerPoint


def pptx_bytes(pack: Pack) -> bytes:
    """The pack as a 16:9 PowerPoint deck: title, headline numbers, in brief, one slide per
    chart, and definitions and sources. Every number and sentence is real, editable text; every
    picture has alternative text."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    width_in, margin = 13.333, 0.5
    dark, grey = RGBColor(0x22, 0x22, 0x22), RGBColor(0x5F, 0x5F, 0x5F)
    prs.core_properties.title = pack.title
    prs.core_properties.subject = " · ".join(pack.subtitle_lines)
    prs.core_properties.author = export.APP_NAME
    prs.core_properties.language = "en-GB"

    def text(frame_shape, lines, size=14, bold=False, colour=dark, align=None, space=4):
        frame = frame_shape.text_frame
        frame.word_wrap = True
        frame.clear()
        for i, line in enumerate(lines):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.space_after = Pt(space)
            if align is not None:
                para.alignment = align
            run = para.add_run()
            run.text = line
            run.font.size, run.font.bold = Pt(size), bold
            run.font.color.rgb = colour
        return frame

    def titled(title: str):
        slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
        shape = slide.shapes.title
        shape.left, shape.top = Inches(margin), Inches(0.3)
        shape.width, shape.height = Inches(width_in - 2 * margin), Inches(0.9)
        text(shape, [title], size=28, bold=True)
        shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        foot = slide.shapes.add_textbox(
            Inches(margin), Inches(7.0), Inches(width_in - 2 * margin), Inches(0.4)
        )
        text(
            foot,
            [
                f"{pack.name} · {pack.context.lad_name} · {pack.context.model_name} · "
                f"produced {pack.context.produced_text} · {len(prs.slides)}"
            ],
            size=10,
            colour=grey,
        )
        return slide

    # Title
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    # The default template's placeholders are laid out for 4:3: place them for 16:9.
    for shape, top, height in ((title, 2.0, 1.4), (subtitle, 3.7, 1.9)):
        shape.left, shape.top = Inches(1.0), Inches(top)
        shape.width, shape.height = Inches(width_in - 2.0), Inches(height)
    text(title, [pack.title], size=40, bold=True, align=PP_ALIGN.LEFT)
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    text(subtitle, pack.subtitle_lines, size=18, colour=grey, align=PP_ALIGN.LEFT)
    subtitle.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    band = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, Inches(1.0), Inches(3.5), Inches(2.5), Inches(0.08)
    )
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor.from_string(charts.OKABE_ITO[0].lstrip("#"))
    band.line.fill.background()

    # Headline numbers
    slide = titled(f"{pack.name}: headline numbers")
    rows = headline_rows(pack)
    per_row = 3
    box_w = (width_in - 2 * margin - (per_row - 1) * 0.3) / per_row
    box_h = 2.65
    for i, row in enumerate(rows):
        left = margin + (i % per_row) * (box_w + 0.3)
        top = 1.35 + (i // per_row) * (box_h + 0.25)
        box = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(box_w), Inches(box_h)
        )
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xF4, 0xF5, 0xF7)
        box.line.color.rgb = RGBColor(0xD0, 0xD3, 0xD8)
        accent = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(0.12), Inches(box_h)
        )
        accent.fill.solid()
        accent.fill.fore_color.rgb = RGBColor.from_string(row["colour"].lstrip("#"))
        accent.line.fill.background()
        inner = slide.shapes.add_textbox(
            Inches(left + 0.25), Inches(top + 0.1), Inches(box_w - 0.35), Inches(box_h - 0.2)
        )
        frame = text(inner, [row["label"]], size=13, bold=True, space=2)
        for line, size, bold, colour in (
            (row["value"], 30, True, dark),
            (row["note"], 12, False, grey),
            (row["change"], 13, False, dark),
            (row["comparison"], 13, False, dark),
            (row["polarity"], 11, False, grey),
        ):
            if not line:
                continue
            para = frame.add_paragraph()
            para.space_after = Pt(2)
            run = para.add_run()
            run.text = line
            run.font.size, run.font.bold = Pt(size), bold
            run.font.color.rgb = colour

    # In brief
    slide = titled(f"{pack.name} in brief")
    body = slide.shapes.add_textbox(
        Inches(margin), Inches(1.3), Inches(width_in - 2 * margin), Inches(5.5)
    )
    text(body, [f"•  {s}" for s in pack.sentences], size=17, space=12)

    # Charts
    area_top, area_h = 1.25, 5.0
    area_w = width_in - 2 * margin
    for chart in pack.charts:
        slide = titled(chart.heading)
        if chart.png:
            w_px, h_px = chart.size_px
            scale = min(area_w / (w_px / 100), area_h / (h_px / 100))
            pic_w, pic_h = w_px / 100 * scale, h_px / 100 * scale
            pic = slide.shapes.add_picture(
                io.BytesIO(chart.png),
                Emu(Inches(margin + (area_w - pic_w) / 2)),
                Emu(Inches(area_top)),
                Inches(pic_w),
                Inches(pic_h),
            )
            pic._element.nvPicPr.cNvPr.set("descr", chart.alt_text)
            pic.name = f"Chart: {chart.heading}"
            caption_top = area_top + pic_h + 0.1
        else:
            note = slide.shapes.add_textbox(
                Inches(margin), Inches(2.5), Inches(area_w), Inches(1.5)
            )
            text(note, [pack.chart_note or "Chart not drawn."], size=16, colour=grey)
            caption_top = 4.2
        caption = slide.shapes.add_textbox(
            Inches(margin), Inches(caption_top), Inches(area_w), Inches(0.6)
        )
        text(caption, [chart.caption], size=12, colour=grey)

    # Definitions and sources, a few indicators per slide
    chunks = definition_chunks(definition_rows(pack))
    for n, chunk in enumerate(chunks, start=1):
        title = "Indicator definitions and sources"
        slide = titled(title if len(chunks) == 1 else f"{title} ({n} of {len(chunks)})")
        table = slide.shapes.add_table(
            len(chunk) + 1,
            3,
            Inches(margin),
            Inches(1.3),
            Inches(area_w),
            Inches(0.35 + sum(_row_height_in(row) for row in chunk)),
        ).table
        table.columns[0].width = Inches(2.6)
        table.columns[1].width = Inches(6.3)
        table.columns[2].width = Inches(area_w - 8.9)
        for c, head in enumerate(("Indicator", "Definition and caveats", "Source and licence")):
            cell = table.cell(0, c)
            text(cell, [head], size=11, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF))
        for r, row in enumerate(chunk, start=1):
            definition = " ".join(p for p in (row["definition"], row["caveats"]) if p)
            for c, value in enumerate((row["name"], f"{definition} {row['how']}", row["source"])):
                text(table.cell(r, c), [value], size=9.5, bold=c == 0)
    slide = titled("How to read this pack")
    body = slide.shapes.add_textbox(
        Inches(margin), Inches(1.3), Inches(width_in - 2 * margin), Inches(5.5)
    )
    text(
        body,
        [
            method_note(pack),
            f"Neighbourhood: {pack.name}, one of the neighbourhoods of {pack.context.model_name} "
            "(groups of LSOAs 2021). Every wave of the Indices of Deprivation is shown on LSOA "
            "2021 geography.",
            pack.sources,
            f"Produced {pack.context.produced_text} with the {export.APP_NAME}.",
        ],
        size=15,
        space=12,
    )
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- PDF


def _pdf_class():
    from fpdf import FPDF

    class BriefingPDF(FPDF):
        footer_text = ""
        header_text = ""
        font_name = "helvetica"

        def header(self):
            if self.page_no() == 1:
                return
            self.set_font(self.font_name, "", 8)
            self.set_text_color(110)
            self.cell(0, 5, self.header_text, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self):
            self.set_y(-12)
            self.set_font(self.font_name, "", 8)
            self.set_text_color(110)
            self.cell(0, 5, f"{self.footer_text} · page {self.page_no()} of {{nb}}")

    return BriefingPDF


def _latin1(text: str) -> str:
    """For the core PDF fonts when no TrueType font is installed."""
    swaps = {
        "–": "-",
        "—": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "≥": ">=",
        "≤": "<=",
        "▸": ">",
        "↑": "up",
        "↓": "down",
        "·": "-",
        "…": "...",
        "²": "2",
        "×": "x",
    }
    for a, b in swaps.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def pdf_bytes(pack: Pack) -> bytes:
    """The pack as an A4 PDF: headline numbers and sentences first, then the charts, then the
    definitions and sources; text is real text (searchable, copyable), images carry alt text."""
    pdf = _pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(15, 14, 15)
    pdf.set_title(pack.title)
    pdf.set_author(export.APP_NAME)
    pdf.set_subject(" · ".join(pack.subtitle_lines))
    pdf.set_lang("en-GB")
    pdf.set_creator(export.APP_NAME)
    clean = str
    regular, bold = next(
        ((r, b) for r, b in FONT_CANDIDATES if Path(r).is_file() and Path(b).is_file()),
        (None, None),
    )
    if regular:
        pdf.add_font("Body", "", regular)
        pdf.add_font("Body", "B", bold)
        pdf.font_name = "Body"
        if Path(FALLBACK_FONT).is_file() and regular != FALLBACK_FONT:
            pdf.add_font("Fallback", "", FALLBACK_FONT)
            pdf.set_fallback_fonts(["Fallback"])
    else:
        clean = _latin1
    font = pdf.font_name
    pdf.header_text = clean(f"{pack.title} · {pack.context.lad_name} · {pack.context.model_name}")
    pdf.footer_text = clean(
        f"{pack.name} · {pack.context.model_name} · produced {pack.context.produced_text}"
    )
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(words: str, size: float = 14, before: float = 4) -> None:
        pdf.ln(before)
        pdf.set_font(font, "B", size)
        pdf.set_text_color(20)
        pdf.multi_cell(width, size * 0.5, clean(words), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)

    def para(words: str, size: float = 10, colour: int = 30, style: str = "") -> None:
        pdf.set_font(font, style, size)
        pdf.set_text_color(colour)
        pdf.multi_cell(width, size * 0.48, clean(words), new_x="LMARGIN", new_y="NEXT", align="L")

    pdf.add_page()
    pdf.set_font(font, "B", 22)
    pdf.set_text_color(15)
    pdf.multi_cell(width, 10, clean(pack.title), new_x="LMARGIN", new_y="NEXT")
    for line in pack.subtitle_lines:
        para(line, 10.5, 80)
    heading("Headline numbers")
    rows = headline_rows(pack)
    pdf.set_font(font, "", 9)
    pdf.set_text_color(20)
    with pdf.table(
        col_widths=(52, 30, 48, 50),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=4.6,
        padding=1.4,
        first_row_as_headings=True,
        headings_style=_heading_style(font),
    ) as table:
        header = table.row()
        for title in (
            "Indicator",
            "Latest",
            f"Change since {pack.options.baseline}",
            f"Compared with {pack.comparator_name}",
        ):
            header.cell(clean(title))
        for row in rows:
            cells = table.row()
            cells.cell(clean(row["label"]))
            cells.cell(clean(" ".join(p for p in (row["value"], row["note"]) if p)))
            cells.cell(clean(row["change"] or "-"))
            cells.cell(clean(row["comparison"]))
    heading("In brief")
    for sentence in pack.sentences:
        pdf.set_font(font, "", 10.5)
        pdf.set_text_color(25)
        pdf.multi_cell(
            width, 5.2, clean(f"•  {sentence}"), new_x="LMARGIN", new_y="NEXT", align="L"
        )
        pdf.ln(1.2)

    for chart in pack.charts:
        if chart.png:
            w_px, h_px = chart.size_px
            img_h = width * h_px / w_px
            needed = 12 + img_h + 12
            if pdf.get_y() + needed > pdf.h - 16:
                pdf.add_page()
            heading(chart.heading, 12, before=3)
            pdf.image(opaque_image(chart.png), w=width, h=img_h, alt_text=clean(chart.alt_text))
            para(chart.caption, 9, 80)
        else:
            heading(chart.heading, 12, before=3)
            para(pack.chart_note or "Chart not drawn.", 10, 90)

    pdf.add_page()
    heading("Indicator definitions and sources", 14, before=0)
    for row in definition_rows(pack):
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        para(row["name"], 10.5, 15, "B")
        para(" ".join(p for p in (row["definition"], row["how"]) if p), 9.5, 30)
        if row["caveats"]:
            para(f"Caveats: {row['caveats']}", 9, 60)
        para(f"Source: {row['source']}", 9, 60)
        pdf.ln(2.5)
    heading("How to read this pack", 12)
    para(method_note(pack), 9.5, 40)
    pdf.ln(2)
    para(
        f"Produced {pack.context.produced_text} with the {export.APP_NAME}. "
        "Contains public sector information licensed under the Open Government Licence v3.0.",
        9,
        60,
    )
    return bytes(pdf.output())


def _heading_style(font: str):
    from fpdf.fonts import FontFace

    return FontFace(family=font, emphasis="BOLD", color=255, fill_color=(0, 114, 178))


# ---------------------------------------------------------------------------- many packs


def pack_files(pack: Pack, formats: Iterable[str] = ("pptx", "pdf")) -> dict[str, bytes]:
    """{file name: bytes} of one pack in the given formats."""
    writers = {"pptx": pptx_bytes, "pdf": pdf_bytes}
    return {f"{pack.file_stem()}.{fmt}": writers[fmt](pack) for fmt in formats}


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """Several packs' files in one ZIP (for the app's 'all neighbourhoods' download)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def model_pack_files(
    data: ModelData,
    options: PackOptions,
    codes: Iterable[str] | None = None,
    formats: Iterable[str] = ("pptx", "pdf"),
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """{file name: bytes} for each neighbourhood in `codes` (all of the model by default)."""
    codes = list(codes) if codes is not None else data.neighbourhoods.neighbourhood_code.tolist()
    files: dict[str, bytes] = {}
    formats = tuple(formats)
    for i, code in enumerate(codes):

        def step(fraction: float, message: str, i: int = i) -> None:
            if progress:
                progress((i + fraction) / len(codes), message)

        step(0.0, f"{data.name_of(code)} ({i + 1} of {len(codes)})")
        pack = build_pack(data, code, options, step)
        step(0.9, f"{pack.name}: writing {' and '.join(f.upper() for f in formats)}")
        files.update(pack_files(pack, formats))
    if progress:
        progress(1.0, f"{len(codes)} neighbourhood pack(s) ready")
    return files


PACK_MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


def selection_packs(
    con,
    lad_code: str,
    model_id: str,
    codes: Iterable[str] | None,
    options: PackOptions,
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """The app's one click: read the model, then each chosen neighbourhood's PPTX and PDF
    ({file name: bytes}); `codes` None means every neighbourhood of the model."""
    if progress:
        progress(0.0, "Reading the data")
    data = load_model(con, lad_code, model_id, options.indicator_id)
    return model_pack_files(data, options, codes, progress=progress)
