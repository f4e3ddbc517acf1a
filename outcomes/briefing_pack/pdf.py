"""A pack as an A4 PDF (fpdf2, imported only when a PDF is written): headline numbers and
sentences first, then the charts, then the definitions and sources. Text is real text
(searchable, copyable); images carry alternative text."""

from __future__ import annotations

import io
from pathlib import Path

from outcomes import export
from outcomes.briefing_pack.data import Pack, definition_rows, headline_rows, method_note

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
LATIN1_SWAPS = {
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
    for a, b in LATIN1_SWAPS.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _heading_style(font: str):
    from fpdf.fonts import FontFace

    return FontFace(family=font, emphasis="BOLD", color=255, fill_color=(0, 114, 178))


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


class _Writer:
    """An A4 document with the pack's metadata, header and footer, in a TrueType font where
    one is installed (else the core font, with text reduced to Latin-1)."""

    def __init__(self, pack: Pack) -> None:
        pdf = _pdf_class()(orientation="portrait", unit="mm", format="A4")
        pdf.set_auto_page_break(auto=True, margin=16)
        pdf.set_margins(15, 14, 15)
        pdf.set_title(pack.title)
        pdf.set_author(export.APP_NAME)
        pdf.set_subject(" · ".join(pack.subtitle_lines))
        pdf.set_lang("en-GB")
        pdf.set_creator(export.APP_NAME)
        self.pdf = pdf
        self.clean = str if self._add_fonts() else _latin1
        self.font = pdf.font_name
        context = pack.context
        pdf.header_text = self.clean(f"{pack.title} · {context.lad_name} · {context.model_name}")
        pdf.footer_text = self.clean(
            f"{pack.name} · {context.model_name} · produced {context.produced_text}"
        )
        self.width = pdf.w - pdf.l_margin - pdf.r_margin

    def _add_fonts(self) -> bool:
        """The first installed TrueType pair, with DejaVu as the fallback for other characters;
        False when there is none."""
        regular, bold = next(
            ((r, b) for r, b in FONT_CANDIDATES if Path(r).is_file() and Path(b).is_file()),
            (None, None),
        )
        if not regular:
            return False
        pdf = self.pdf
        pdf.add_font("Body", "", regular)
        pdf.add_font("Body", "B", bold)
        pdf.font_name = "Body"
        if Path(FALLBACK_FONT).is_file() and regular != FALLBACK_FONT:
            pdf.add_font("Fallback", "", FALLBACK_FONT)
            pdf.set_fallback_fonts(["Fallback"])
        return True

    def heading(self, words: str, size: float = 14, before: float = 4) -> None:
        pdf = self.pdf
        pdf.ln(before)
        pdf.set_font(self.font, "B", size)
        pdf.set_text_color(20)
        pdf.multi_cell(
            self.width, size * 0.5, self.clean(words), new_x="LMARGIN", new_y="NEXT", align="L"
        )
        pdf.ln(1)

    def para(self, words: str, size: float = 10, colour: int = 30, style: str = "") -> None:
        pdf = self.pdf
        pdf.set_font(self.font, style, size)
        pdf.set_text_color(colour)
        pdf.multi_cell(
            self.width, size * 0.48, self.clean(words), new_x="LMARGIN", new_y="NEXT", align="L"
        )


# ---------------------------------------------------------------------------- sections


def _title_page(w: _Writer, pack: Pack) -> None:
    w.pdf.add_page()
    w.pdf.set_font(w.font, "B", 22)
    w.pdf.set_text_color(15)
    w.pdf.multi_cell(w.width, 10, w.clean(pack.title), new_x="LMARGIN", new_y="NEXT")
    for line in pack.subtitle_lines:
        w.para(line, 10.5, 80)


def _headline_table(w: _Writer, pack: Pack) -> None:
    """The headline numbers as a table: indicator, latest, change, comparison."""
    w.heading("Headline numbers")
    clean = w.clean
    w.pdf.set_font(w.font, "", 9)
    w.pdf.set_text_color(20)
    with w.pdf.table(
        col_widths=(52, 30, 48, 50),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=4.6,
        padding=1.4,
        first_row_as_headings=True,
        headings_style=_heading_style(w.font),
    ) as table:
        header = table.row()
        for title in (
            "Indicator",
            "Latest",
            f"Change since {pack.options.baseline}",
            f"Compared with {pack.comparator_name}",
        ):
            header.cell(clean(title))
        for row in headline_rows(pack):
            cells = table.row()
            cells.cell(clean(row["label"]))
            cells.cell(clean(" ".join(p for p in (row["value"], row["note"]) if p)))
            cells.cell(clean(row["change"] or "-"))
            cells.cell(clean(row["comparison"]))


def _in_brief(w: _Writer, pack: Pack) -> None:
    w.heading("In brief")
    for sentence in pack.sentences:
        w.pdf.set_font(w.font, "", 10.5)
        w.pdf.set_text_color(25)
        w.pdf.multi_cell(
            w.width, 5.2, w.clean(f"•  {sentence}"), new_x="LMARGIN", new_y="NEXT", align="L"
        )
        w.pdf.ln(1.2)


def _charts(w: _Writer, pack: Pack) -> None:
    """Each chart under its heading with its caption, on a new page when it does not fit."""
    pdf = w.pdf
    for chart in pack.charts:
        if not chart.png:
            w.heading(chart.heading, 12, before=3)
            w.para(pack.chart_note or "Chart not drawn.", 10, 90)
            continue
        w_px, h_px = chart.size_px
        img_h = w.width * h_px / w_px
        if pdf.get_y() + 12 + img_h + 12 > pdf.h - 16:
            pdf.add_page()
        w.heading(chart.heading, 12, before=3)
        pdf.image(opaque_image(chart.png), w=w.width, h=img_h, alt_text=w.clean(chart.alt_text))
        if chart.key == "spread":  # the borough page: its words in full, as body text
            for line in chart.caption.split("\n"):
                w.para(f"•  {line}", 10, 25)
        else:
            w.para(chart.caption, 9, 80)


def _definitions(w: _Writer, pack: Pack) -> None:
    """Every indicator's definition, caveats and source; then how to read the pack."""
    w.pdf.add_page()
    w.heading("Indicator definitions and sources", 14, before=0)
    for row in definition_rows(pack):
        if w.pdf.get_y() > w.pdf.h - 50:
            w.pdf.add_page()
        w.para(row["name"], 10.5, 15, "B")
        w.para(" ".join(p for p in (row["definition"], row["how"]) if p), 9.5, 30)
        if row["caveats"]:
            w.para(f"Caveats: {row['caveats']}", 9, 60)
        w.para(f"Source: {row['source']}", 9, 60)
        w.pdf.ln(2.5)
    w.heading("How to read this pack", 12)
    w.para(method_note(pack), 9.5, 40)
    w.pdf.ln(2)
    w.para(
        f"Produced {pack.context.produced_text} with the {export.APP_NAME}. "
        "Contains public sector information licensed under the Open Government Licence v3.0.",
        9,
        60,
    )


def pdf_bytes(pack: Pack) -> bytes:
    """The pack as an A4 PDF: headline numbers and sentences first, then the charts, then the
    definitions and sources; text is real text (searchable, copyable), images carry alt text."""
    writer = _Writer(pack)
    _title_page(writer, pack)
    _headline_table(writer, pack)
    _in_brief(writer, pack)
    _charts(writer, pack)
    _definitions(writer, pack)
    return bytes(writer.pdf.output())
