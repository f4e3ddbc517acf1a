"""A pack as a 16:9 PowerPoint deck (python-pptx, imported only when a deck is written): title,
headline numbers, in brief, one slide per chart, definitions and sources, how to read it."""

from __future__ import annotations

import io
import math

from outcomes import charts, export
from outcomes.briefing_pack.data import Pack, definition_rows, headline_rows, method_note

WIDTH_IN, HEIGHT_IN, MARGIN_IN = 13.333, 7.5, 0.5
DARK, GREY = "222222", "5F5F5F"
CHART_TOP_IN, CHART_HEIGHT_IN = 1.25, 5.0


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#"))


def _text(frame_shape, lines, size=14, bold=False, colour=DARK, align=None, space=4):
    """Replace a shape's text with `lines`, one paragraph each, in one font size and colour."""
    from pptx.util import Pt

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
        run.font.color.rgb = _rgb(colour)
    return frame


def _titled(prs, pack: Pack, title: str):
    """A new title-only slide with its title on the left and the pack's footer."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    shape = slide.shapes.title
    shape.left, shape.top = Inches(MARGIN_IN), Inches(0.3)
    shape.width, shape.height = Inches(WIDTH_IN - 2 * MARGIN_IN), Inches(0.9)
    _text(shape, [title], size=28, bold=True)
    shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    foot = slide.shapes.add_textbox(
        Inches(MARGIN_IN), Inches(7.0), Inches(WIDTH_IN - 2 * MARGIN_IN), Inches(0.4)
    )
    context = pack.context
    _text(
        foot,
        [
            f"{pack.name} · {context.lad_name} · {context.model_name} · "
            f"produced {context.produced_text} · {len(prs.slides)}"
        ],
        size=10,
        colour=GREY,
    )
    return slide


def _body(slide, lines: list[str], size: float) -> None:
    """Paragraphs of text filling the slide under its title."""
    from pptx.util import Inches

    body = slide.shapes.add_textbox(
        Inches(MARGIN_IN), Inches(1.3), Inches(WIDTH_IN - 2 * MARGIN_IN), Inches(5.5)
    )
    _text(body, lines, size=size, space=12)


def _rectangle(slide, left: float, top: float, width: float, height: float, fill: str):
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    shape = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height)
    )
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    return shape


# ---------------------------------------------------------------------------- slides


def _title_slide(prs, pack: Pack) -> None:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    # The default template's placeholders are laid out for 4:3: place them for 16:9.
    for shape, top, height in ((title, 2.0, 1.4), (subtitle, 3.7, 1.9)):
        shape.left, shape.top = Inches(1.0), Inches(top)
        shape.width, shape.height = Inches(WIDTH_IN - 2.0), Inches(height)
    _text(title, [pack.title], size=40, bold=True, align=PP_ALIGN.LEFT)
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _text(subtitle, pack.subtitle_lines, size=18, colour=GREY, align=PP_ALIGN.LEFT)
    subtitle.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    band = _rectangle(slide, 1.0, 3.5, 2.5, 0.08, charts.OKABE_ITO[0])
    band.line.fill.background()


def _headline_box(slide, row: dict[str, str], left: float, top: float, w: float, h: float):
    """One headline number in a grey box with its comparison colour as an accent on the left."""
    from pptx.util import Inches, Pt

    box = _rectangle(slide, left, top, w, h, "F4F5F7")
    box.line.color.rgb = _rgb("D0D3D8")
    accent = _rectangle(slide, left, top, 0.12, h, row["colour"])
    accent.line.fill.background()
    inner = slide.shapes.add_textbox(
        Inches(left + 0.25), Inches(top + 0.1), Inches(w - 0.35), Inches(h - 0.2)
    )
    frame = _text(inner, [row.get("domain", "").upper()], size=9, colour=GREY, space=1)
    for line, size, bold, colour in (
        (row["label"], 11.5, True, DARK),
        (row["value"], 24, True, DARK),
        (row["note"], 10, False, GREY),
        (row["change"], 10.5, False, DARK),
        (row["comparison"], 10.5, False, DARK),
        (row["polarity"], 9.5, False, GREY),
    ):
        if not line:
            continue
        para = frame.add_paragraph()
        para.space_after = Pt(2)
        run = para.add_run()
        run.text = line
        run.font.size, run.font.bold = Pt(size), bold
        run.font.color.rgb = _rgb(colour)


PER_SLIDE, PER_ROW = 8, 4


def _headline_slide(prs, pack: Pack) -> None:
    """The headline numbers, four boxes to a row and eight to a slide (the whole profile,
    domain by domain, over as many slides as it needs)."""
    rows = headline_rows(pack)
    chunks = [rows[i : i + PER_SLIDE] for i in range(0, len(rows), PER_SLIDE)] or [[]]
    gap, box_h = 0.25, 2.65
    box_w = (WIDTH_IN - 2 * MARGIN_IN - (PER_ROW - 1) * gap) / PER_ROW
    for n, chunk in enumerate(chunks, start=1):
        title = f"{pack.name}: headline numbers"
        if len(chunks) > 1:
            title += f" ({n} of {len(chunks)})"
        slide = _titled(prs, pack, title)
        for i, row in enumerate(chunk):
            left = MARGIN_IN + (i % PER_ROW) * (box_w + gap)
            top = 1.3 + (i // PER_ROW) * (box_h + 0.2)
            _headline_box(slide, row, left, top, box_w, box_h)


def _chart_slide(prs, pack: Pack, chart) -> None:
    """A chart's picture (with its alternative text) and caption, or why it is missing."""
    from pptx.util import Emu, Inches

    slide = _titled(prs, pack, chart.heading)
    area_w = WIDTH_IN - 2 * MARGIN_IN
    if chart.key == "spread":  # the borough page: the words beside the chart, in full
        words = slide.shapes.add_textbox(
            Inches(MARGIN_IN + area_w * 0.6 + 0.2),
            Inches(CHART_TOP_IN),
            Inches(area_w * 0.4 - 0.2),
            Inches(CHART_HEIGHT_IN + 0.5),
        )
        _text(words, [f"•  {line}" for line in chart.caption.split("\n")], size=13, space=8)
        area_w *= 0.6
    if chart.png:
        w_px, h_px = chart.size_px
        scale = min(area_w / (w_px / 100), CHART_HEIGHT_IN / (h_px / 100))
        pic_w, pic_h = w_px / 100 * scale, h_px / 100 * scale
        pic = slide.shapes.add_picture(
            io.BytesIO(chart.png),
            Emu(Inches(MARGIN_IN + (area_w - pic_w) / 2)),
            Emu(Inches(CHART_TOP_IN)),
            Inches(pic_w),
            Inches(pic_h),
        )
        pic._element.nvPicPr.cNvPr.set("descr", chart.alt_text)
        pic.name = f"Chart: {chart.heading}"
        caption_top = CHART_TOP_IN + pic_h + 0.1
    else:
        note = slide.shapes.add_textbox(Inches(MARGIN_IN), Inches(2.5), Inches(area_w), Inches(1.5))
        _text(note, [pack.chart_note or "Chart not drawn."], size=16, colour=GREY)
        caption_top = 4.2
    if chart.key == "spread":
        return
    caption = slide.shapes.add_textbox(
        Inches(MARGIN_IN), Inches(caption_top), Inches(area_w), Inches(0.6)
    )
    _text(caption, [chart.caption], size=12, colour=GREY)


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


def _definitions_table(slide, chunk: list[dict[str, str]]) -> None:
    """Indicator, definition and caveats, source and licence: one row per indicator."""
    from pptx.util import Inches

    area_w = WIDTH_IN - 2 * MARGIN_IN
    table = slide.shapes.add_table(
        len(chunk) + 1,
        3,
        Inches(MARGIN_IN),
        Inches(1.3),
        Inches(area_w),
        Inches(0.35 + sum(_row_height_in(row) for row in chunk)),
    ).table
    table.columns[0].width = Inches(2.6)
    table.columns[1].width = Inches(6.3)
    table.columns[2].width = Inches(area_w - 8.9)
    for c, head in enumerate(("Indicator", "Definition and caveats", "Source and licence")):
        _text(table.cell(0, c), [head], size=11, bold=True, colour="FFFFFF")
    for r, row in enumerate(chunk, start=1):
        definition = " ".join(p for p in (row["definition"], row["caveats"]) if p)
        for c, value in enumerate((row["name"], f"{definition} {row['how']}", row["source"])):
            _text(table.cell(r, c), [value], size=9.5, bold=c == 0)


def _definition_slides(prs, pack: Pack) -> None:
    """Definitions and sources, a few indicators per slide."""
    chunks = definition_chunks(definition_rows(pack))
    title = "Indicator definitions and sources"
    for n, chunk in enumerate(chunks, start=1):
        slide = _titled(prs, pack, title if len(chunks) == 1 else f"{title} ({n} of {len(chunks)})")
        _definitions_table(slide, chunk)


def _reading_slide(prs, pack: Pack) -> None:
    slide = _titled(prs, pack, "How to read this pack")
    lines = [
        method_note(pack),
        f"Neighbourhood: {pack.name}, one of the neighbourhoods of {pack.context.model_name} "
        "(groups of LSOAs 2021). Every wave of the Indices of Deprivation is shown on LSOA "
        "2021 geography.",
        pack.sources,
        f"Produced {pack.context.produced_text} with the {export.APP_NAME}.",
    ]
    _body(slide, lines, size=15)


def pptx_bytes(pack: Pack) -> bytes:
    """The pack as a 16:9 PowerPoint deck: title, headline numbers, in brief, one slide per
    chart, and definitions and sources. Every number and sentence is real, editable text; every
    picture has alternative text."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH_IN), Inches(HEIGHT_IN)
    prs.core_properties.title = pack.title
    prs.core_properties.subject = " · ".join(pack.subtitle_lines)
    prs.core_properties.author = export.APP_NAME
    prs.core_properties.language = "en-GB"
    _title_slide(prs, pack)
    _headline_slide(prs, pack)
    _body(_titled(prs, pack, f"{pack.name} in brief"), [f"•  {s}" for s in pack.sentences], 17)
    for chart in pack.charts:
        _chart_slide(prs, pack, chart)
    _definition_slides(prs, pack)
    _reading_slide(prs, pack)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
