"""Briefing packs (outcomes/briefing_pack/) and the batch CLI (outcomes/pack.py), on the real
build: each pack is opened and read back (PPTX slides, titles, pictures and numbers with
python-pptx; PDF text and images with pypdf; a PDF page rendered with pdftoppm and checked).

Packs with charts need a Chromium for kaleido and skip, saying so, where there is none; packs of
numbers and words only are tested everywhere.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from outcomes import briefing_pack, db, export, pack

APP = Path(__file__).resolve().parents[1] / "dashboard.py"
TRAFFORD, LOCALITIES, NORTH = "E08000009", "E08000009_localities2023", "trafford-north"
WIGAN, WIGAN_WARDS = "E08000010", "E08000010_wards24"
PRODUCED = date(2026, 3, 5)
# The Briefing page's numbers for North (tests/test_briefing.py holds the page to them too).
NORTH_NUMBERS = ["28.1%", "4.5%", "56,284", "3,025.6 patients per FTE GP", "30.1 trips per hour"]
needs_browser = pytest.mark.skipif(
    not export.browser_available(),
    reason="needs Chromium for kaleido (Debian: apt-get install chromium, or set BROWSER_PATH)",
)


@pytest.fixture(scope="module")
def cur(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "PUBLIC_DB", Path(real_db))  # boundaries come from the same build
        base = db.open_database(real_db, tmp_path_factory.mktemp("pack_user") / "user.duckdb")
        yield db.cursor(base)
        base.close()


@pytest.fixture(scope="module")
def trafford(cur) -> briefing_pack.ModelData:
    return briefing_pack.load_model(cur, TRAFFORD, LOCALITIES, "income_deprived_pct")


@pytest.fixture(scope="module")
def words_only(trafford) -> briefing_pack.Pack:
    options = briefing_pack.PackOptions(baseline="2019", charts=False, produced=PRODUCED)
    return briefing_pack.build_pack(trafford, NORTH, options)


@pytest.fixture(scope="module")
def with_charts(trafford) -> briefing_pack.Pack:
    if not export.browser_available():
        pytest.skip("needs Chromium for kaleido (Debian: apt-get install chromium)")
    options = briefing_pack.PackOptions(baseline="2019", produced=PRODUCED)
    return briefing_pack.build_pack(trafford, NORTH, options)


def slide_texts(deck: Presentation) -> list[str]:
    out = []
    for slide in deck.slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        out.append("\n".join(parts))
    return out


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# ---------------------------------------------------------------------------- the pack's content


def test_headline_numbers_match_the_briefing_page(words_only) -> None:
    rows = briefing_pack.headline_rows(words_only)
    values = [r["value"] for r in rows]
    assert values[0] == "28.1%" and set(NORTH_NUMBERS) <= set(values)
    # Every domain, each card naming its own domain and period.
    assert {r["domain"] for r in rows} >= {
        "Deprivation",
        "Population",
        "Health access",
        "Transport",
        "Service use",
        "Cohesion",
    }
    by_label = {r["label"]: r for r in rows}
    share = by_label["Residents in England's most deprived 10%, 2025"]
    assert share["change"] == "-0.3 pts since 2019 (improved)"
    assert share["comparison"] == "Higher (worse) than Trafford (4.0%)"
    assert by_label["Population, 2021"]["comparison"] == "24.0% of Trafford's residents"
    gp = by_label["Patients per fully qualified GP (FTE), 2023/24"]
    assert gp["change"].startswith("-999.8 since 2019/20 (improved)")
    car = by_label["Households without a car or van, 2021"]
    assert car["change"] == "2021: one period only: no change to show"
    assert words_only.sentences[0] == (
        "In North, the share of residents living in England's most deprived 10% fell from 4.8% "
        "at the 2019 baseline to 4.5% in 2025; now higher (worse) than Trafford (4.0%)."
    )
    assert words_only.file_stem() == "trafford_localities_2023_north_briefing_since_2019"


def test_measures_not_comparable_over_time_are_not_judged(words_only) -> None:
    income = next(h for h in words_only.headlines if h.meta.indicator_id == "income_deprived_pct")
    assert "not comparable" in income.significance and income.direction == "not comparable"
    row = next(r for r in briefing_pack.headline_rows(words_only) if r["value"] == "28.1%")
    assert row["change"] == (
        "2019 to 2025 not comparable: the definition changed between these periods"
    )
    sentence = next(s for s in words_only.sentences if "income deprived" in s)
    assert "(17.6% in 2019; not comparable: the definition changed" in sentence


def test_chart_figures_cover_the_profile_ranking_map_and_spread(trafford) -> None:
    options = briefing_pack.PackOptions(baseline="2019")
    figures = briefing_pack.chart_figures(trafford, NORTH, options)
    assert [f[0] for f in figures] == ["over_time", "ranked", "profile", "map", "spread"]
    over_time = figures[0][4]
    names = {t.name for t in over_time.data}
    assert {"North", "Trafford (borough)", "England"} <= names
    spread = figures[4]
    assert "Trafford's 4 neighbourhoods ranged from" in spread[2]
    ranked = figures[1][4]
    assert "<b>North ▸</b>" in ranked.layout.yaxis.ticktext
    map_fig = figures[3][4]
    assert map_fig.layout.map.style == "white-bg"
    assert [t.type for t in map_fig.data] == ["choroplethmap", "scattermap", "scattermap"]


def test_an_indicator_with_confidence_intervals_against_the_rest(cur) -> None:
    """A real rate with Byar's intervals, compared with the rest of the borough."""
    data = briefing_pack.load_model(cur, TRAFFORD, LOCALITIES, "imd_score")
    cat = data.catalogue.set_index("indicator_id")
    rated = [
        i
        for i in ("road_casualties_per_1000", "gp_online_consultations_per_1000")
        if i in cat.index and cat.loc[i, "ci_method"] != "none"
    ]
    if not rated:
        pytest.skip("no indicator with a confidence interval in this build")
    data = briefing_pack.load_model(cur, TRAFFORD, LOCALITIES, rated[0])
    options = briefing_pack.PackOptions(
        baseline="2019", comparator="rest", indicator_id=rated[0], charts=False
    )
    figures = {f[0]: f[4] for f in briefing_pack.chart_figures(data, NORTH, options)}
    bars = [t for t in figures["ranked"].data if t.type == "bar"]
    assert any(t.error_x.array is not None for t in bars)  # intervals drawn
    pack_ = briefing_pack.build_pack(data, NORTH, options)
    assert pack_.comparator_name == "the rest of Trafford"
    assert "Byar" in briefing_pack.method_note(pack_)


def test_every_indicator_is_defined_with_source_and_licence(words_only) -> None:
    rows = briefing_pack.definition_rows(words_only)
    names = [r["name"] for r in rows]
    assert names[0] == "Income deprivation rate"
    assert {"Population in England's most deprived 10%", "Population"} <= set(names)
    licences = words_only.definitions.licence.astype(str).tolist()
    assert all(licence.strip() for licence in licences)
    assert all(lic in r["source"] for r, lic in zip(rows, licences, strict=True))
    assert any("Open Government Licence" in r["source"] for r in rows)
    assert all(r["definition"] for r in rows)


# ---------------------------------------------------------------------------- PowerPoint


def test_pptx_without_charts(words_only) -> None:
    deck = Presentation(io.BytesIO(briefing_pack.pptx_bytes(words_only)))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[:3] == [
        "North: neighbourhood briefing",
        "North: headline numbers (1 of 2)",
        "North: headline numbers (2 of 2)",
    ]
    assert "North in brief" in titles and "Headline indicators over time" in titles
    assert titles[-1] == "How to read this pack"
    assert any(t.startswith("Indicator definitions and sources") for t in titles)
    texts = slide_texts(deck)
    for number in NORTH_NUMBERS:  # the headline numbers, over two slides
        assert number in texts[1] + texts[2], number
    assert "HEALTH ACCESS" in texts[1] and "COHESION" in texts[2]
    assert "Trafford · Trafford localities (2023)" in texts[0]
    assert "Produced 5 March 2026" in texts[0]
    assert (
        "Charts were left out of this pack." in texts[titles.index("Headline indicators over time")]
    )
    assert deck.core_properties.title == "North: neighbourhood briefing"
    for slide in deck.slides:  # nothing hangs off the slide
        for shape in slide.shapes:
            assert shape.left + shape.width <= deck.slide_width + 1
            assert shape.top + shape.height <= deck.slide_height + 1


@needs_browser
def test_pptx_with_charts_holds_pictures_with_alt_text(with_charts) -> None:
    deck = Presentation(io.BytesIO(briefing_pack.pptx_bytes(with_charts)))
    pictures = [
        (slide.shapes.title.text, shape)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    assert [title for title, _ in pictures] == [
        "Headline indicators over time",
        "Income deprivation rate: every neighbourhood, 2025",
        "Area profile: North",
        "Income deprivation rate on the map, 2025",
        "Across Trafford: the gap between neighbourhoods",
    ]
    for _, picture in pictures:
        assert picture._element.nvPicPr.cNvPr.get("descr")  # alternative text
        with Image.open(io.BytesIO(picture.image.blob)) as image:
            assert image.size[0] == 2000
        assert picture.left + picture.width <= deck.slide_width
        assert picture.top + picture.height <= deck.slide_height
    texts = slide_texts(deck)
    for number in NORTH_NUMBERS:
        assert number in texts[1] + texts[2]


# ---------------------------------------------------------------------------- PDF


def test_pdf_without_charts_holds_the_numbers(words_only) -> None:
    text = pdf_text(briefing_pack.pdf_bytes(words_only))
    assert "North: neighbourhood briefing" in text
    for number in NORTH_NUMBERS:
        assert number in text, number
    assert "Higher (worse) than Trafford" in text
    assert "Charts were left out of this pack." in text
    assert "Indicator definitions and sources" in text
    assert "page 1 of" in text


@needs_browser
def test_pdf_with_charts_embeds_images_and_renders(with_charts, tmp_path) -> None:
    content = briefing_pack.pdf_bytes(with_charts)
    reader = PdfReader(io.BytesIO(content))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 5
    text = pdf_text(content)
    for number in NORTH_NUMBERS:
        assert number in text, number
    assert "Headline indicators over time" in text
    assert "Across Trafford: the gap between neighbourhoods" in text
    assert reader.metadata.title == "North: neighbourhood briefing"
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed to render the page")
    path = tmp_path / "north.pdf"
    path.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "2", "-l", "2", str(path), str(tmp_path / "p")],
        check=True,
    )
    (page,) = tmp_path.glob("p-*2.png")
    with Image.open(page) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert (pixels.min(axis=2) < 200).mean() > 0.03  # the charts are drawn on page 2


# ---------------------------------------------------------------------------- many packs, CLI


def test_zip_of_every_neighbourhood(trafford) -> None:
    options = briefing_pack.PackOptions(baseline="2019", charts=False, produced=PRODUCED)
    seen = []
    files = briefing_pack.model_pack_files(
        trafford, options, progress=lambda done, words: seen.append(done)
    )
    assert sorted(files) == sorted(
        f"trafford_localities_2023_{n}_briefing_since_2019.{ext}"
        for n in ("central", "north", "south", "west")
        for ext in ("pptx", "pdf")
    )
    assert seen == sorted(seen) and seen[-1] == 1.0
    with zipfile.ZipFile(io.BytesIO(briefing_pack.zip_bytes(files))) as archive:
        assert sorted(archive.namelist()) == sorted(files)


def test_cli_writes_every_neighbourhood(real_db, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    out = tmp_path / "packs"
    code = pack.main(
        [
            "--lad",
            TRAFFORD,
            "--model",
            LOCALITIES,
            "--baseline",
            "2019",
            "--out",
            str(out),
            "--no-charts",
            "--user-db",
            str(tmp_path / "user.duckdb"),
        ]
    )
    assert code == 0
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 8 and all(not n.endswith(".part") for n in written)
    assert "trafford_localities_2023_south_briefing_since_2019.pdf" in written
    text = pdf_text((out / "trafford_localities_2023_north_briefing_since_2019.pdf").read_bytes())
    assert "28.1%" in text
    assert capsys.readouterr().out.count(str(out)) == 8  # one line per file on stdout


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--model", "nope"], 2, "is not a neighbourhood model of E08000009"),
        (["--model", LOCALITIES, "--neighbourhood", "nowhere"], 2, "not neighbourhoods of"),
        (["--model", LOCALITIES, "--indicator", "imd_rank"], 2, "not an indicator with"),
        ([], 2, "name a model with --model"),
    ],
)
def test_cli_refuses_bad_arguments(real_db, tmp_path, monkeypatch, capsys, args, status, message):
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    argv = [
        "--lad",
        TRAFFORD,
        "--no-charts",
        "--out",
        str(tmp_path / "packs"),
        "--user-db",
        str(tmp_path / "user.duckdb"),
        *args,
    ]
    assert pack.main(argv) == status
    assert message in capsys.readouterr().err


def test_cli_without_a_browser_says_what_to_install(real_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    monkeypatch.setattr(export, "browser_available", lambda: False)
    argv = [
        "--lad",
        TRAFFORD,
        "--model",
        LOCALITIES,
        "--out",
        str(tmp_path / "packs"),
        "--user-db",
        str(tmp_path / "user.duckdb"),
    ]
    assert pack.main(argv) == 3
    err = capsys.readouterr().err
    assert "apt-get install chromium" in err and "--no-charts" in err
    assert not (tmp_path / "packs").exists()


@needs_browser
def test_cli_one_wigan_ward_with_charts(real_db, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(db, "PUBLIC_DB", real_db)
    out = tmp_path / "packs"
    argv = [
        "--lad",
        WIGAN,
        "--model",
        WIGAN_WARDS,
        "--neighbourhood",
        "E05015000",
        "--format",
        "pptx",
        "--out",
        str(out),
        "--quiet",
        "--user-db",
        str(tmp_path / "user.duckdb"),
    ]
    assert pack.main(argv) == 0
    (deck_path,) = out.iterdir()
    assert deck_path.suffix == ".pptx" and deck_path.name.startswith("wigan_wards_2024_best_fit_")
    deck = Presentation(str(deck_path))
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 5


# ---------------------------------------------------------------------------- in the app


def open_briefing(**params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params.update(params)
    at.run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_briefing_page_prepares_a_pack(app_db, monkeypatch) -> None:
    monkeypatch.setattr(export, "browser_available", lambda: False)  # words only: quick
    at = open_briefing(lad=TRAFFORD, model=LOCALITIES, nb=NORTH, base="2019")
    csv_only = ["Download the data (CSV)"] * 2  # the figures over time, the numbers
    assert [b.label for b in at.get("download_button")] == csv_only
    assert any("apt-get install chromium" in w.value for w in at.warning)
    at.button(key="pack_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.label for b in at.get("download_button")]
    assert labels[-2:] == ["Download the PowerPoint", "Download the PDF"]
    stored = at.session_state["briefing_pack"]["files"]
    assert sorted(stored) == [
        "trafford_localities_2023_north_briefing_since_2019.pdf",
        "trafford_localities_2023_north_briefing_since_2019.pptx",
    ]
    assert "28.1%" in pdf_text(stored["trafford_localities_2023_north_briefing_since_2019.pdf"])
    # All neighbourhoods: one ZIP; changing the selection hides a stale pack.
    at.radio(key="pack_scope").set_value("all").run()
    assert [b.label for b in at.get("download_button")] == csv_only
    at.button(key="pack_prepare").click().run()
    assert [b.label for b in at.get("download_button")][-1] == "Download every pack (ZIP)"
    (name,) = at.session_state["briefing_pack"]["files"]
    assert name == "trafford_localities_2023_briefing_packs_since_2019.zip"


# ---------------------------------------------------------------------------- Test Valley


def _plotted(fig) -> list[np.ndarray]:
    """Every numeric series a figure draws (line and bar values, map colours)."""
    out = []
    for trace in fig.data:
        for name in ("y", "x", "z"):
            values = getattr(trace, name, None)
            if values is None:
                continue
            array = np.asarray([v for v in values if isinstance(v, (int, float))], dtype=float)
            array = array[~np.isnan(array)]
            if len(array):
                out.append(array)
    return out


@pytest.mark.parametrize(
    "asked", ["imd_lsoas_most_deprived_10_pct", briefing_pack.DEFAULT_INDICATOR]
)
def test_test_valley_pack_has_no_chart_of_zeros(cur, asked) -> None:
    """Test Valley has no LSOA in England's most deprived 10%: a pack of that indicator would
    be a flat line, bars of 0.0% and a grey map. The pack says so and shows another."""
    data = briefing_pack.load_model(cur, "E07000093", "E07000093_msoa21", asked)
    if asked == "imd_lsoas_most_deprived_10_pct":
        assert data.chart_indicator != asked
        assert data.chart_note.startswith(
            "LSOAs in England's most deprived 10% is the same in every neighbourhood"
        )
    focus = data.neighbourhoods.neighbourhood_code.iloc[0]
    options = briefing_pack.PackOptions(baseline="2019", indicator_id=asked, charts=False)
    built = briefing_pack.build_pack(data, focus, options)
    assert [c.key for c in built.charts] == ["over_time", "ranked", "profile", "map", "spread"]
    for chart in built.charts:
        series = _plotted(chart.figure)
        assert series, chart.key
        values = np.concatenate(series)
        assert np.abs(values).max() > 0, f"{chart.key} is all zeros"
        assert np.unique(values.round(6)).size > 1, f"{chart.key} shows no variation"
    ranked = next(c for c in built.charts if c.key == "ranked")
    if data.chart_note:
        assert ranked.caption.startswith(data.chart_note)
    spread = next(c for c in built.charts if c.key == "spread")
    assert "Test Valley's 17 neighbourhoods ranged from" in spread.caption
    assert "That gap is" in spread.caption
