"""A pack's data: one neighbourhood's pack built from its model's data (`build_pack`): the
headline numbers and sentences of `outcomes.briefing`, the chart figures of `figures`, and the
definitions, sources and licences of every indicator in it, in words for the writers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from outcomes import analysis, briefing, charts, comparison, export
from outcomes.briefing_pack.figures import chart_figures
from outcomes.briefing_pack.model import ModelData, PackOptions, Progress

CHIP_HEX = {  # the comparison colour as an accent beside its words (never alone)
    "green": charts.COMPARISON_COLOURS["better"],
    "yellow": charts.COMPARISON_COLOURS["similar"],
    "red": charts.COMPARISON_COLOURS["worse"],
    "blue": charts.COMPARISON_COLOURS["higher"],
    "orange": charts.COMPARISON_COLOURS["lower"],
    "gray": charts.COMPARISON_COLOURS["not compared"],
}


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
    indicator_note: str = ""  # why the charts show another indicator than the one asked for

    @property
    def title(self) -> str:
        return f"{self.name}: neighbourhood briefing"

    @property
    def subtitle_lines(self) -> list[str]:
        c = self.context
        return [
            f"{c.lad_name} · {c.model_name}",
            f"Change from each indicator's period nearest {self.options.year} to its latest · "
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


def _headlines(data: ModelData, focus: str, options: PackOptions) -> list[briefing.Headline]:
    """The Briefing page's all-domain profile for the neighbourhood."""
    return briefing.profile(
        data.values,
        data.catalogue,
        data.headline_ids or data.profile_ids(),
        focus,
        data.name_of(focus),
        options.year,
        options.comparator,
        options.ci_level,
        data.rest_sums if options.comparator == "rest" else None,
        data.comparator_label(options.comparator),
    )


def _context(data: ModelData, options: PackOptions) -> export.ExportContext:
    return export.ExportContext(
        lad_code=data.lad_code,
        lad_name=data.lad_name,
        model_id=data.model_id,
        model_name=data.model_name,
        baseline=options.baseline,
        comparator=options.comparator,
        comparator_name=data.comparator_label(options.comparator),
        ci_level=options.ci_level,
        produced=options.produced,
    )


def _draw(pack: Pack, progress: Progress | None) -> None:
    """Each chart's PNG, laid out for export (kaleido in a local Chromium)."""
    for i, chart in enumerate(pack.charts):
        if progress:
            progress(i / max(len(pack.charts), 1), f"{pack.name}: drawing {chart.heading}")
        ready = export.figure_for_export(chart.figure, pack.context)
        chart.png = export.render(ready, "png", scale=pack.options.scale)
        chart.size_px = (int(ready.layout.width), int(ready.layout.height))


def build_pack(
    data: ModelData,
    focus: str,
    options: PackOptions,
    progress: Progress | None = None,
) -> Pack:
    """One neighbourhood's pack, with its charts drawn (unless `options.charts` is False).
    Raises export.BrowserMissing when charts are wanted and no browser is installed."""
    items = _headlines(data, focus, options)
    definitions = data.catalogue.set_index("indicator_id", drop=False).loc[list(data.profile_ids())]
    pack = Pack(
        code=focus,
        name=data.name_of(focus),
        context=_context(data, options),
        options=options,
        comparator_name=data.comparator_label(options.comparator),
        headlines=items,
        sentences=briefing.profile_sentences(items),
        numbers=briefing.table(items),
        charts=[PackChart(*chart) for chart in chart_figures(data, focus, options)],
        definitions=definitions.reset_index(drop=True),
        indicator_note=data.chart_note,
    )
    for chart in pack.charts:  # say why the charts show another indicator than asked for
        if data.chart_note and chart.key in ("ranked", "map"):
            chart.caption = f"{data.chart_note} {chart.caption}"
    if not options.charts:
        pack.chart_note = "Charts were left out of this pack."
        return pack
    _draw(pack, progress)
    return pack


# ---------------------------------------------------------------------------- words


def _change_words(h: briefing.Headline) -> str:
    """The change since the baseline and its judgement, or why there is none (one period
    only, periods not comparable: never a delta between them)."""
    delta = briefing.metric_delta(h)
    if delta.get("delta"):
        change = f"{delta['delta']} {delta.get('delta_description', '')}".strip()
        if h.direction in ("improved", "worsened", "increased", "decreased"):
            change += f" ({h.direction})"
        elif h.significance and h.meta.has_ci and h.has_baseline:
            change += f" ({h.significance})"
        if h.trend:
            change += f"; recent trend: {h.trend.lower()}"
        return change
    return briefing.change_line(h)


def headline_rows(pack: Pack) -> list[dict[str, str]]:
    """The headline numbers as words: label, value, change, comparison, note, colour."""
    rows = []
    for h in pack.headlines:
        chip = briefing.chip(h)
        rows.append(
            {
                "domain": h.domain,
                "label": briefing.metric_label(h),
                "value": briefing.metric_value(h),
                "change": _change_words(h),
                "comparison": f"{chip.text} {chip.tail}".strip(),
                "note": briefing.metric_note(h) or "",
                "polarity": briefing.polarity_line(h.meta),
                "colour": CHIP_HEX.get(chip.colour, CHIP_HEX["gray"]),
            }
        )
    return rows


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


def method_note(pack: Pack) -> str:
    """How changes and comparisons were judged, in one paragraph."""
    level = analysis.CI_LABELS[pack.options.ci_level]
    return (
        f"Each indicator's change runs from its own period nearest {pack.options.year} (e.g. "
        f"2019/20 for a financial-year series) to its latest period; no change is given for an "
        f"indicator published once, or between periods that are not comparable (a definition "
        f"change, or a Census count against a mid-year estimate). Complete counts of every "
        f"LSOA (the Indices of Deprivation, population) have no sampling error: they are "
        f"compared directly and their change is not tested. Survey and model estimates "
        f"published without intervals are not tested either. Indicators estimated from samples "
        f"or events carry {level} confidence intervals (Wilson score for proportions, Byar's "
        f"method for rates); they are 'significantly' different only when the comparator lies "
        f"outside the interval, as in OHID's Fingertips."
    )
