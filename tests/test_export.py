"""Exports (outcomes/export.py): self-describing data files, descriptive names, disclosure control
on the council's own data, and chart images opened and checked (PNG pixels, SVG text, PDF text).

Image tests need a Chromium for kaleido and skip, saying so, where there is none. Real numbers
come from the real build (`real_db`); frames marked '# synthetic' are made up to test indicators
with confidence intervals and uploaded ('user_') data.
"""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from outcomes import analysis, charts, db, export, geo, maps, queries
from tests import synthetic

APP = Path(__file__).resolve().parents[1] / "dashboard.py"
TRAFFORD, LOCALITIES = "E08000009", "E08000009_localities2023"
PRODUCED = date(2026, 3, 5)
CONTEXT = export.ExportContext(
    lad_code=TRAFFORD,
    lad_name="Trafford",
    model_id=LOCALITIES,
    model_name="Trafford localities (2023)",
    baseline="2019",
    comparator="lad",
    comparator_name="Trafford",
    ci_level="95",
    produced=PRODUCED,
)
needs_browser = pytest.mark.skipif(
    not export.browser_available(),
    reason="needs Chromium for kaleido (Debian: apt-get install chromium, or set BROWSER_PATH)",
)


@pytest.fixture(scope="module")
def cur(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "PUBLIC_DB", Path(real_db))  # boundaries come from the same build
        base = db.open_database(real_db, tmp_path_factory.mktemp("export_user") / "user.duckdb")
        yield db.cursor(base)
        base.close()


@pytest.fixture(scope="module")
def catalogue(cur) -> pd.DataFrame:
    return queries.catalogue(cur)


@pytest.fixture(scope="module")
def imd_values(cur) -> pd.DataFrame:
    return queries.area_values(
        cur, TRAFFORD, LOCALITIES, ("imd_score", "imd_lsoas_most_deprived_10_pct")
    )


def trend_figure(values: pd.DataFrame) -> go.Figure:
    rows = values[values.indicator_id == "imd_score"]
    return charts.trend_chart(
        rows,
        title="IMD average score, Trafford",
        subtitle="Trafford localities (2023); 2010–2025; baseline 2019",
        source="Source: English Indices of Deprivation (MHCLG). Open Government Licence v3.0.",
        y_title="IMD average score",
        baseline="2019",
    )


# ---------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            ("Trafford", "Trafford localities", "imd_score", "2019_vs_2015"),
            "trafford_localities_imd_score_2019_vs_2015.csv",
        ),
        (
            ("Trafford", "Trafford localities (2023)", "imd_score", "2025_vs_2019"),
            "trafford_localities_2023_imd_score_2025_vs_2019.csv",
        ),
        (
            ("Wigan", "Wards (2024, best fit)", "North / East!", ""),
            "wigan_wards_2024_best_fit_north_east.csv",
        ),
        (("", None, "   "), "export.csv"),
    ],
)
def test_descriptive_file_names(parts, expected) -> None:
    assert export.file_name(*parts, ext="csv") == expected


# ---------------------------------------------------------------------------- describe


def test_published_rows_become_self_describing(imd_values, catalogue) -> None:
    out = export.describe(imd_values, CONTEXT, catalogue)
    assert list(out.columns[:5]) == ["area_type", "area_code", "area_name", "lad_code", "lad_name"]
    for column in (
        "model_id",
        "model_name",
        "indicator_id",
        "indicator_name",
        "unit",
        "polarity",
        "period",
        "value",
        "numerator",
        "denominator",
        "ci_level",
        "lower_ci",
        "upper_ci",
        "method",
        "suppressed",
        "source",
        "licence",
    ):
        assert column in out.columns, column
    assert not {"lower_ci95", "upper_ci998"} & set(out.columns)  # one pair, at the chosen level
    borough = out[(out.area_type == "lad") & (out.indicator_id == "imd_score")].set_index("period")
    assert round(borough.loc["2019", "value"], 3) == 16.088  # the official LA summary
    assert borough.loc["2019", "indicator_name"] == "IMD average score"
    assert borough.loc["2019", "method"].startswith("Complete count")
    assert borough.loc["2019", "ci_level"] == ""  # a complete count has no interval
    assert pd.isna(borough.loc["2019", "model_id"])  # the borough belongs to no model
    assert "Open Government Licence" in borough.loc["2019", "licence"]
    assert "MHCLG" in borough.loc["2019", "source"]
    north = out[
        (out.area_name == "North") & (out.indicator_id == "imd_lsoas_most_deprived_10_pct")
    ].set_index("period")
    assert (north.loc["2019", "numerator"], north.loc["2019", "denominator"]) == (2, 32)
    assert north.loc["2019", "model_name"] == "Trafford localities (2023)"
    assert north.loc["2019", "period_start"] == "2019-01-01"  # a date, not a timestamp
    assert not out.suppressed.any()


def test_change_since_baseline_columns(imd_values, catalogue) -> None:
    rows = imd_values[imd_values.indicator_id == "imd_score"]
    meta = analysis.IndicatorMeta.from_row(catalogue[catalogue.indicator_id == "imd_score"].iloc[0])
    change = analysis.change_since_baseline(rows, "2019", "2025", meta, "95")
    out = export.describe(change, CONTEXT, catalogue, indicator_id="imd_score")
    north = out.set_index("area_name").loc["North"]
    assert north.period == "2025" and north.baseline_period == "2019"
    assert round(north.baseline_value, 1) == 25.7 and round(north.value, 1) == 24.5
    assert round(north.change, 1) == -1.2
    # IMD scores are relative within a wave: the change is shown, not judged.
    assert north.change_significance == analysis.NOT_COMPARABLE
    assert north.change_judgement == "not judged"


def synthetic_wilson() -> tuple[pd.DataFrame, pd.DataFrame]:
    """# synthetic: a sampled proportion with Wilson intervals at both levels, and its
    catalogue row."""
    meta = analysis.IndicatorMeta(
        "synthetic_pct", "Synthetic %", "%", "higher_is_worse", "ratio", "wilson", 100
    )
    frame = pd.DataFrame(
        {
            "area_type": ["neighbourhood", "neighbourhood", "lad"],
            "area_code": ["n1", "n2", TRAFFORD],
            "area_name": ["One", "Two", "Trafford"],
            "model_id": [LOCALITIES, LOCALITIES, None],
            "indicator_id": "synthetic_pct",
            "period": "2024",
            "numerator": [40.0, 12.0, 300.0],
            "denominator": [200.0, 150.0, 2000.0],
        }
    )
    frame["value"] = frame.numerator / frame.denominator * 100
    for level in ("95", "998"):
        low, high = synthetic.interval(meta, frame.numerator, frame.denominator, level)
        frame[f"lower_ci{level}"], frame[f"upper_ci{level}"] = low, high
    catalogue = pd.DataFrame(
        [
            {
                "indicator_id": "synthetic_pct",
                "name": "Synthetic %",
                "unit": "%",
                "polarity": "higher_is_worse",
                "ci_method": "wilson",
                "source": "Made up",
                "publisher": "Tests",
                "licence": "None",
            }
        ]
    )
    return frame, catalogue


@pytest.mark.parametrize("level", ["95", "998"])
def test_confidence_intervals_at_the_chosen_level(level) -> None:
    frame, cat = synthetic_wilson()
    out = export.describe(frame, CONTEXT.replace(ci_level=level), cat)
    assert out.ci_level.eq("95%" if level == "95" else "99.8%").all()
    np.testing.assert_allclose(out.lower_ci, frame[f"lower_ci{level}"])
    np.testing.assert_allclose(out.upper_ci, frame[f"upper_ci{level}"])
    assert out.method.str.startswith("Wilson score interval").all()
    assert out.source.eq("Made up (Tests)").all()


def test_ranked_frame_names_its_comparator_and_method() -> None:
    frame, cat = synthetic_wilson()
    # synthetic: ranked-value shape (lower/upper, comparator_name, comparison)
    ranked = (
        frame[frame.area_type == "neighbourhood"]
        .rename(columns={"lower_ci95": "lower", "upper_ci95": "upper"})
        .drop(columns=["lower_ci998", "upper_ci998"])
    )
    ranked["comparator_name"] = "Trafford"
    ranked["comparator_value"] = 15.0
    ranked["comparison"] = ["worse", "better"]
    out = export.describe(ranked, CONTEXT.replace(period="2024"), cat)
    assert out.comparator.eq("Trafford").all()
    assert out.comparison.tolist() == ["worse", "better"]
    assert "Fingertips" in out.method.iloc[0] and "95%" in out.method.iloc[0]
    assert {"lower_ci", "upper_ci"} <= set(out.columns) and "lower" not in out.columns


def user_rows() -> pd.DataFrame:
    """# synthetic: an uploaded indicator (id 'user_…') for the borough and three
    neighbourhoods, one of which has 3 missed appointments (below the threshold of 5)."""
    return pd.DataFrame(
        {
            "area_type": ["lad", "neighbourhood", "neighbourhood", "neighbourhood"],
            "area_code": [TRAFFORD, "n1", "n2", "n3"],
            "area_name": ["Trafford", "One", "Two", "Three"],
            "model_id": [None, LOCALITIES, LOCALITIES, LOCALITIES],
            "indicator_id": "user_missed_pct",
            "period": "2025-01",
            "numerator": [63.0, 3.0, 20.0, 40.0],
            "denominator": [600.0, 100.0, 200.0, 300.0],
            "value": [10.5, 3.0, 10.0, 13.3],
            "lower_ci95": [8.0, 1.0, 6.0, 10.0],
            "upper_ci95": [13.0, 8.0, 15.0, 17.0],
            "comparator_value": [np.nan, 10.5, 10.5, 10.5],
        }
    )


def test_disclosure_control_applies_to_your_data() -> None:
    out = export.describe(user_rows(), CONTEXT, threshold=5).set_index("area_name")
    assert out.suppressed.tolist() == [False, True, False, False]  # One: 3 < 5
    hidden = out.loc["One"]
    for column in ("value", "numerator", "denominator", "lower_ci", "upper_ci", "comparator_value"):
        assert pd.isna(hidden[column]), column
    shown = out[~out.suppressed]
    assert shown.value.notna().all()
    # The same rows with a threshold of 2 keep every figure.
    assert not export.describe(user_rows(), CONTEXT, threshold=2).suppressed.any()


def test_threshold_comes_from_configuration_not_the_user_database(
    real_db, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("OUTCOMES_SUPPRESS_BELOW", raising=False)
    base = db.open_database(real_db, tmp_path / "user.duckdb")
    try:
        con = db.cursor(base)
        assert export.disclosure_threshold(con) == 5
        # the old page setting, which any visitor could lower, no longer counts
        con.execute("INSERT OR REPLACE INTO usr.user_settings VALUES ('suppress_below', '1')")
        assert export.disclosure_threshold(con) == 5
        monkeypatch.setenv("OUTCOMES_SUPPRESS_BELOW", "10")
        assert export.disclosure_threshold(con) == 10
        out = export.describe(user_rows(), CONTEXT, threshold=export.disclosure_threshold(con))
        assert out.set_index("area_name").loc["One", "suppressed"]
    finally:
        base.close()


def test_public_rows_are_never_suppressed() -> None:
    frame = user_rows().assign(indicator_id="imd_score")  # the same small counts, public data
    out = export.apply_disclosure(frame, threshold=5)
    assert not out.suppressed.any()
    pd.testing.assert_series_equal(out.value, frame.value)


def test_disclosure_threshold_defaults_to_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_SUPPRESS_BELOW", "50")
    out = export.describe(user_rows(), CONTEXT)  # no threshold given: from the environment
    assert out[out.area_type == "neighbourhood"].suppressed.all()  # 20 and 40 are below 50


# ---------------------------------------------------------------------------- bytes


def test_csv_round_trips_and_defuses_formulas(imd_values, catalogue) -> None:
    frame = export.describe(imd_values, CONTEXT, catalogue)
    frame.loc[0, "area_name"] = '=HYPERLINK("http://x")'  # a hostile uploaded name
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(frame)))
    assert list(back.columns) == list(frame.columns)
    assert back.loc[0, "area_name"].startswith("'=")
    assert len(back) == len(frame)


def test_xlsx_has_data_and_about_sheets(imd_values, catalogue) -> None:
    frame = export.describe(imd_values, CONTEXT, catalogue)
    frame.loc[0, "area_name"] = "=1+1"
    content = export.to_xlsx_bytes(frame, title="IMD, Trafford localities", context=CONTEXT)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Data", "About"]
    data = book["Data"]
    header = [c.value for c in data[1]]
    assert header == list(frame.columns)
    assert data.max_row == len(frame) + 1
    cell = data.cell(row=2, column=header.index("area_name") + 1)
    assert cell.value == "=1+1" and cell.data_type == "s"  # text, never a formula
    about = {row[0].value: row[1].value for row in book["About"].iter_rows() if row[0].value}
    assert about["Title"] == "IMD, Trafford localities"
    assert about["Borough"] == "Trafford (E08000009)"
    assert about["Produced"].startswith("5 March 2026")
    assert "Open Government Licence v3.0" in about["Licence"]
    assert about["suppressed"].startswith("True where small numbers")


# ---------------------------------------------------------------------------- figures


def test_export_figure_adds_the_context_and_date_footer(imd_values) -> None:
    fig = trend_figure(imd_values)
    ready = export.figure_for_export(fig, CONTEXT)
    assert ready.layout.width == export.EXPORT_WIDTH_PX
    assert ready.layout.height > fig.layout.height
    assert ready.layout.margin.b > fig.layout.margin.b
    footer = ready.layout.annotations[0].text
    assert footer.startswith("Source: English Indices of Deprivation")
    assert "Trafford localities (2023)" in footer and "baseline 2019" in footer
    assert "compared with Trafford" in footer and "Produced 5 March 2026" in footer
    assert fig.layout.width is None  # the page's figure is left alone


def test_export_figure_keeps_maps_offline(cur) -> None:
    shapes = geo.lsoa_geojson(TRAFFORD)
    frame = maps.value_frame(
        maps.lsoa_areas(queries.lsoa_values(cur, TRAFFORD, "imd_score", LOCALITIES)), "2019"
    )
    centre, zoom = charts.zoom_for(geo.bounds(shapes), *charts.MAP_AREA_PX)
    fig = charts.choropleth(
        frame,
        shapes,
        level="lsoa",
        view="value",
        polarity="higher_is_worse",
        colour_title="IMD score",
        title="IMD average score, Trafford LSOAs, 2019",
        subtitle="Darker = worse",
        source="Source: MHCLG.",
        centre=centre,
        zoom=zoom,
        map_style=charts.TILE_STYLE,
    )
    ready = export.figure_for_export(fig, CONTEXT)
    assert ready.layout.map.style == "white-bg"
    assert fig.layout.map.style == charts.TILE_STYLE


def test_missing_browser_says_what_to_install(monkeypatch) -> None:
    class Stopped:  # a kaleido server that was never started
        @staticmethod
        def is_running() -> bool:
            return False

    monkeypatch.setattr(export, "_STATE", {"started": False, "images": 0})
    monkeypatch.setattr(export, "_server", lambda: Stopped())
    monkeypatch.setattr(export, "find_browser", lambda: None)
    assert not export.browser_available()
    with pytest.raises(export.BrowserMissing, match="apt-get install chromium"):
        export.render(go.Figure(), "png")
    with pytest.raises(export.BrowserMissing, match="BROWSER_PATH"):
        export.chart_bytes(go.Figure(), "svg", CONTEXT)


def test_a_browser_path_that_does_not_exist_is_no_browser(monkeypatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert export.find_browser() is None


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown image format"):
        export.render(go.Figure(), "gif")


# ---------------------------------------------------------------------------- images (Chromium)


def non_white_share(png: bytes) -> float:
    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("RGB"))
    return float((pixels.min(axis=2) < 235).mean())


@needs_browser
def test_png_is_print_resolution_and_drawn(imd_values) -> None:
    fig = trend_figure(imd_values)
    png = export.chart_bytes(fig, "png", CONTEXT)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    ready = export.figure_for_export(fig, CONTEXT)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (3000, ready.layout.height * 3)
        colours = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert 0.02 < non_white_share(png) < 0.6  # lines, text and axes; mostly white paper
    # North's line in Okabe-Ito orange (#E69F00) is there.
    assert (np.abs(colours.astype(int) - [0xE6, 0x9F, 0x00]).sum(axis=1) < 30).sum() > 500


@needs_browser
def test_svg_parses_and_holds_title_and_date(imd_values) -> None:
    svg = export.chart_bytes(trend_figure(imd_values), "svg", CONTEXT)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = " ".join("".join(node.itertext()) for node in root.iter() if node.tag.endswith("text"))
    assert "IMD average score, Trafford" in text
    assert "Produced 5 March 2026" in text
    assert "Open Government Licence v3.0" in text


@needs_browser
def test_pdf_holds_title_source_and_date(imd_values) -> None:
    content = export.chart_bytes(trend_figure(imd_values), "pdf", CONTEXT)
    assert content[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for words in ("IMD average score, Trafford", "Baseline 2019", "Produced 5 March 2026"):
        assert words in text, words


@needs_browser
def test_map_renders_offline(cur) -> None:
    shapes = geo.lsoa_geojson(TRAFFORD)
    frame = maps.value_frame(
        maps.lsoa_areas(queries.lsoa_values(cur, TRAFFORD, "imd_score", LOCALITIES)), "2019"
    )
    centre, zoom = charts.zoom_for(geo.bounds(shapes), *charts.MAP_AREA_PX)
    fig = charts.choropleth(
        frame,
        shapes,
        level="lsoa",
        view="value",
        polarity="higher_is_worse",
        colour_title="IMD score",
        title="IMD average score, Trafford LSOAs, 2019",
        subtitle="Darker = worse",
        source="Source: MHCLG.",
        centre=centre,
        zoom=zoom,
        map_style=charts.TILE_STYLE,  # asked for tiles: the export draws without them
    )
    png = export.chart_bytes(fig, "png", CONTEXT, scale=1)
    assert non_white_share(png) > 0.1  # the borough's LSOAs are filled in


@needs_browser
def test_one_browser_serves_concurrent_callers(imd_values) -> None:
    fig = trend_figure(imd_values)
    export.warm_up()
    results: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def work(fmt: str) -> None:
        try:
            results[fmt] = export.chart_bytes(fig, fmt, CONTEXT, scale=1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f,)) for f in ("png", "svg", "pdf")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert results["png"][:4] == b"\x89PNG"
    assert b"<svg" in results["svg"][:400]
    assert results["pdf"][:5] == b"%PDF-"
    assert export._server_alive()


# ---------------------------------------------------------------------------- in the app


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params.update(params)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_trends_page_offers_every_format_under_the_chart(app_db) -> None:
    # the share in England's most deprived 10% is comparable 2019 -> 2025, so it has a change table
    at = open_page(
        "pages/trends.py", lad=TRAFFORD, model=LOCALITIES, ind="imd_pop_most_deprived_10_pct"
    )
    picker = at.button_group(key="fmt-trend")
    assert picker.value == "csv"
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download the data (CSV)") == 2  # the chart's data and the change table
    picker.set_value("pdf").run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download the chart (PDF)" in labels
    at.button_group(key="fmt-trend-change").set_value("xlsx").run()
    assert "Download the data (Excel)" in [b.label for b in at.get("download_button")]


def test_without_a_browser_the_page_says_what_to_install(app_db, monkeypatch) -> None:
    monkeypatch.setattr(export, "browser_available", lambda: False)
    at = open_page("pages/compare.py", lad=TRAFFORD, model=LOCALITIES, ind="imd_score")
    at.button_group(key="fmt-compare-ranked").set_value("png").run()
    assert not at.exception
    assert any("apt-get install chromium" in w.value for w in at.warning)
    button = next(b for b in at.get("download_button") if b.label == "Download the chart (PNG)")
    assert button.proto.disabled
