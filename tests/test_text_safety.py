"""Text is data everywhere: hostile names of a model, its neighbourhoods, a dataset, its question
and its owner, and hostile link parameters, come out literally on every page (Markdown, widget
labels, help), in every chart (titles, labels, legends, hover text), in chart exports, in
briefing packs and in downloads (formula-safe). On the real build, with the app run in-process
(AppTest); tests/test_browser_hostile.py checks the same in a real browser.

Every injected address points at 127.0.0.1:9, a closed local port: nothing leaves the machine.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
import streamlit as st
from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from outcomes import briefing_pack, charts, db, export, identity, queries, ui
from outcomes.text import escape_html, escape_markdown
from outcomes.uploads import datasets, geography, models
from tests.apptest import chart_specs, route_pages_through_the_router

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = str(PROJECT_DIR / "dashboard.py")
TRAFFORD = "E08000009"
HOST = "http://127.0.0.1:9"
# synthetic: hostile names, each within the 80 characters a name may have
NEIGHBOURHOODS = [
    f"![x]({HOST}/x.png) North",
    f'<a href="{HOST}/a">South</a>',
    f"[t]({HOST}/t) :red[West] $x$",
    f"<img src={HOST}/i.png onerror=alert(1)>",
    f'=HYPERLINK("{HOST}/h") {HOST}/bare',
]
MODEL_NAME = f'<a href="{HOST}/m">Model</a> ![m]({HOST}/m.png)'
DATASET_NAME = f"![d]({HOST}/d.png) <b>data</b> :red[d]"
QUESTION = f"[q]({HOST}/q) <img src={HOST}/q.png> $q$"
SOURCE_FILE = f"<img src={HOST}/f.png>.csv"
OWNER = identity.User(
    email="analyst@example.org",
    name=f'<a href="{HOST}/u">Analyst</a>',
    organisation=f"![o]({HOST}/o.png)",
    role="admin",
)
ONE_HOSTILE = (  # the whole attack in one string, where no length limit applies
    f'![x]({HOST}/x.png) <a href="{HOST}/a">y</a> [t]({HOST}/t) :red[r] $x$ '
    f'<img src={HOST}/i.png onerror=alert(1)> =HYPERLINK("{HOST}/h")'
)
# Every parameter the app reads from a link (outcomes/ui.py and the pages).
URL_PARAMETERS = (
    "lad", "model", "nb", "ind", "base", "cmp", "ci", "period", "map_ind", "map_level",
    "map_view", "map_period", "present",
)  # fmt: skip
MARKUP = re.compile(r"<\s*/?\s*(a|img|image|script|iframe)\b", re.IGNORECASE)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Hostile:
    """A user database holding a model and a dataset with hostile names."""

    public_db: Path
    user_db: Path  # the template: tests and the app open copies of it
    model_id: str
    dataset_id: str
    indicator_id: str
    neighbourhoods: tuple[str, ...]  # codes


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def store_hostile(con) -> tuple[str, str, str]:
    """Save the hostile model (the borough's LSOAs shared among the five names) and a survey by
    its neighbourhoods, through the upload functions the pages call: (model, dataset,
    indicator) ids."""
    codes = sorted(geography.borough_lsoas(con, TRAFFORD))
    rows = [[code, NEIGHBOURHOODS[i % len(NEIGHBOURHOODS)]] for i, code in enumerate(codes)]
    model = models.validate_model(con, to_csv(["lsoa_code", "neighbourhood"], rows), TRAFFORD)
    model_id = models.save_model(con, model, MODEL_NAME, SOURCE_FILE, user=OWNER)
    survey = [  # synthetic
        [name, period, QUESTION, 200, 110 + 10 * i]
        for i, name in enumerate(NEIGHBOURHOODS)
        for period in ("2023", "2024")
    ]
    header = ["neighbourhood", "period", "question", "respondents", "agreeing"]
    dataset = datasets.validate_dataset(con, to_csv(header, survey), TRAFFORD, model_id)
    dataset_id = datasets.save_dataset(
        con,
        dataset,
        DATASET_NAME,
        user=OWNER,
        source_file=SOURCE_FILE,
        polarity="higher_is_better",
    )
    indicator_id = datasets.dataset_indicators(con, dataset_id).indicator_id.iloc[0]
    return model_id, dataset_id, indicator_id


def hostile_database(public_db: Path, user_db: Path) -> Hostile:
    """Store the hostile model and dataset in a new user database, written to disk. Helpers the
    upload functions use may keep the database open in this process, so the app and the tests
    each get their own copy (`copy_of`)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "PUBLIC_DB", public_db)
        base = db.open_database(public_db, user_db)
        con = db.cursor(base)
        try:
            model_id, dataset_id, indicator_id = store_hostile(con)
            hoods = queries.neighbourhoods(con, model_id).neighbourhood_code.tolist()
            con.execute("CHECKPOINT usr")
        finally:
            con.close()
            base.close()
    return Hostile(public_db, user_db, model_id, dataset_id, indicator_id, tuple(hoods))


def copy_of(h: Hostile, folder: Path) -> Path:
    """A fresh copy of the hostile user database in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(h.user_db, folder / "user.duckdb"))


@pytest.fixture(scope="module")
def hostile(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    folder = tmp_path_factory.mktemp("hostile_user")
    return hostile_database(Path(real_db), folder / "template.duckdb")


@pytest.fixture
def cur(hostile: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setattr(db, "PUBLIC_DB", hostile.public_db)
    base = db.open_database(hostile.public_db, copy_of(hostile, tmp_path / "own"))
    con = db.cursor(base)
    yield con
    con.close()
    base.close()


@pytest.fixture
def app_env(hostile: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hostile]:
    """The app on the real build and a copy of the hostile user database, every page under the
    router (see tests/test_app.py), with empty caches."""
    monkeypatch.setattr(db, "PUBLIC_DB", hostile.public_db)
    monkeypatch.setattr(db, "USER_DB", copy_of(hostile, tmp_path / "app"))
    route_pages_through_the_router(monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield hostile
    st.cache_data.clear()
    st.cache_resource.clear()


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- what "literal" means


def interpreted(markdown: str) -> list[str]:
    """What Streamlit's Markdown would make of a text: the link, image, address, HTML, colour
    or maths a hostile name would become."""
    syntax = re.sub(r"\\.", "", markdown)  # escaped characters are text, never syntax
    shown = re.sub(r"\\(.)", r"\1", markdown)  # GFM finds addresses to link in the text shown
    found = []
    if "](" in syntax:
        found.append("link")
    if re.search(r"(?i)https?://|www\.|[-.\w+]+@[-\w]+\.\w", shown):
        found.append("address")
    if MARKUP.search(syntax):
        found.append("html")
    if re.search(r":[a-z]+\[", syntax):
        found.append("directive")
    if re.search(r"\$[^$\s][^$]*\$", syntax):
        found.append("maths")
    return found


def chart_strings(spec: object, key: str = "") -> Iterator[str]:
    """Every string of a Plotly figure that Plotly shows as (its little) HTML: everything but
    the map's location ids and shapes, which only pair values with boundaries."""
    if key in ("locations", "geojson", "ids"):
        return
    if isinstance(spec, str):
        yield spec
    elif isinstance(spec, dict):
        for name, value in spec.items():
            yield from chart_strings(value, name)
    elif isinstance(spec, list | tuple):
        for value in spec:
            yield from chart_strings(value, key)


def assert_chart_literal(spec: dict) -> None:
    for text in chart_strings(spec):
        assert not MARKUP.search(text), text
        assert "$" not in text, text


MARKDOWN_FIELDS = {"body", "label", "help", "text", "content", "caption"}
PLAIN_OPTIONS = {"Selectbox", "MultiSelect"}  # Streamlit shows their options as plain text


def _proto_texts(proto, plain_options: bool = False) -> Iterator[str]:
    """The strings of an element that Streamlit renders as Markdown: bodies, labels, help and
    captions, radio and button-group options; not chart specs or data."""
    for field, value in proto.ListFields():
        if field.name in ("spec", "data", "arrow_data", "column_config"):
            continue
        single = isinstance(value, str | bytes | int | float) or hasattr(value, "ListFields")
        values = [value] if single else list(value)
        if field.message_type is not None:
            for item in values:
                yield from _proto_texts(item, type(item).__name__ in PLAIN_OPTIONS)
            continue
        markdown = field.name in MARKDOWN_FIELDS or (field.name == "options" and not plain_options)
        if markdown:
            yield from (v for v in values if isinstance(v, str))


def page_texts(at: AppTest) -> list[str]:
    """Every Markdown-rendered string on the page, sidebar included."""
    texts: list[str] = []

    def visit(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            texts.extend(_proto_texts(proto, type(proto).__name__ in PLAIN_OPTIONS))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return texts


# ---------------------------------------------------------------- the helpers


def test_escape_html_leaves_no_markup_and_keeps_the_text() -> None:
    import html

    escaped = escape_html(ONE_HOSTILE)
    assert not MARKUP.search(escaped)
    assert "<" not in escaped and ">" not in escaped and "$" not in escaped
    assert html.unescape(escaped) == ONE_HOSTILE  # Plotly decodes the entities back


def test_escape_markdown_leaves_nothing_to_interpret() -> None:
    assert interpreted(ONE_HOSTILE) == ["link", "address", "html", "directive", "maths"]
    assert interpreted(escape_markdown(ONE_HOSTILE)) == []
    for address in (f"{HOST}/bare", "HTTPS://example.org", "www.example.org", "jo@example.org"):
        assert interpreted(address) == ["address"]
        assert interpreted(escape_markdown(address)) == []


# ---------------------------------------------------------------- pages


def named_view(h: Hostile, **changes: str) -> dict[str, str]:
    """Link parameters that show the hostile model, its neighbourhoods and indicator."""
    view = {
        "lad": TRAFFORD,
        "model": h.model_id,
        "nb": ",".join(h.neighbourhoods),
        "ind": h.indicator_id,
        "base": "2023",
        "cmp": "lad",
        "map_level": "neighbourhood",
    }
    return {**view, **changes}


PAGES = [  # (page, parameter changes, whether its text and its charts show hostile names)
    ("pages/briefing.py", {}, True, False),
    ("pages/trends.py", {}, True, True),
    ("pages/compare.py", {}, True, True),
    ("pages/compare.py", {"cmp": "rest", "nb": ""}, True, True),
    ("pages/map.py", {"map_view": "value"}, True, True),
    ("pages/map.py", {"map_view": "change"}, True, True),
    ("pages/inequality.py", {"ind": "income_deprived_pct"}, False, False),
    ("pages/neighbourhoods.py", {"ind": "imd_score"}, True, True),
    ("pages/partner_data.py", {}, True, False),
    ("pages/data_sources.py", {}, False, False),
]


@pytest.mark.parametrize(("page", "changes", "named", "charted"), PAGES)
def test_every_page_shows_hostile_names_literally(app_env, page, changes, named, charted) -> None:
    view = named_view(app_env, **changes)
    if not view["nb"]:
        view["nb"] = app_env.neighbourhoods[0]
    at = open_page(page, **view)
    texts = page_texts(at)
    assert texts
    problems = {text: interpreted(text) for text in texts if interpreted(text)}
    assert problems == {}
    if named:  # the names are on the page, escaped
        assert any("127\\.0\\.0\\.1\\:9" in text for text in texts)
    specs = chart_specs(at)
    for spec in specs:
        assert_chart_literal(spec)
    if charted:
        shown = " ".join(text for spec in specs for text in chart_strings(spec))
        assert "&lt;a href=" in shown or "&lt;img src=" in shown
        assert "127.0.0.1:9" in shown  # the names themselves, as text


def test_hostile_link_parameters_are_noted_as_text(app_env) -> None:
    bad = {p: f"![{p}]({HOST}/{p}.png) <img src={HOST}/{p}> :red[{p}]" for p in URL_PARAMETERS}
    for page in ("pages/briefing.py", "pages/compare.py", "pages/map.py", "pages/inequality.py"):
        at = open_page(page, **bad)
        notes = [i.value for i in at.info if "The link's" in i.value]
        assert len(notes) >= 5, notes  # borough, model, indicator, comparator, level...
        assert all("127\\.0\\.0\\.1\\:9" in note for note in notes)
        problems = {text: interpreted(text) for text in page_texts(at) if interpreted(text)}
        assert problems == {}
        for spec in chart_specs(at):
            assert_chart_literal(spec)


# ---------------------------------------------------------------- charts, exports, packs


@pytest.fixture
def pack_data(cur, hostile: Hostile) -> briefing_pack.ModelData:
    return briefing_pack.load_model(cur, TRAFFORD, hostile.model_id, hostile.indicator_id)


def test_pack_charts_show_hostile_names_literally(pack_data, hostile: Hostile) -> None:
    options = briefing_pack.PackOptions(baseline="2023", comparator="rest", charts=False)
    figures = briefing_pack.chart_figures(pack_data, hostile.neighbourhoods[1], options)
    assert [f[0] for f in figures] == ["over_time", "ranked", "profile", "map", "spread"]
    for _key, _heading, _caption, _alt, fig in figures:
        assert_chart_literal(fig.to_plotly_json())
        shown = " ".join(chart_strings(fig.to_plotly_json()))
        assert "&lt;a href=" in shown  # the focus neighbourhood (South) and the model's name


def hyperlinks_in_pptx(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    found = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.click_action.hyperlink.address:
                found.append(shape.click_action.hyperlink.address)
            if shape.has_text_frame:
                for paragraph in shape.text_frame.paragraphs:
                    found += [r.hyperlink.address for r in paragraph.runs if r.hyperlink.address]
    return found


def links_in_pdf(data: bytes) -> tuple[list, str]:
    reader = PdfReader(io.BytesIO(data))
    links = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            links.append(action.get("/URI"))
    return links, " ".join(page.extract_text() for page in reader.pages)


def test_briefing_packs_hold_hostile_names_as_plain_text(pack_data, hostile: Hostile) -> None:
    options = briefing_pack.PackOptions(
        baseline="2023", indicator_id=hostile.indicator_id, charts=False
    )
    pack = briefing_pack.build_pack(pack_data, hostile.neighbourhoods[1], options)
    files = briefing_pack.pack_files(pack)
    assert len(files) == 2
    for name, data in files.items():
        assert re.fullmatch(r"[a-z0-9_]+\.(pptx|pdf)", name)  # a slug of the names
        if name.endswith(".pptx"):
            assert hyperlinks_in_pptx(data) == []
            text = " ".join(
                shape.text_frame.text
                for slide in Presentation(io.BytesIO(data)).slides
                for shape in slide.shapes
                if shape.has_text_frame
            )
        else:
            links, text = links_in_pdf(data)
            assert links == []
        assert NEIGHBOURHOODS[1] in text  # the name itself, as plain text
        assert "\\" not in text  # and not Markdown-escaped either


@pytest.mark.skipif(not export.browser_available(), reason="needs Chromium for kaleido")
def test_chart_images_hold_no_links_or_images(pack_data, hostile: Hostile) -> None:
    options = briefing_pack.PackOptions(baseline="2023", comparator="lad", charts=False)
    figures = {
        f[0]: f[4]
        for f in briefing_pack.chart_figures(pack_data, hostile.neighbourhoods[1], options)
    }
    context = export.ExportContext(lad_name="Trafford", model_name=MODEL_NAME, period="2024")
    svg = export.chart_bytes(figures["ranked"], "svg", context)
    elements = list(ElementTree.fromstring(svg).iter())
    assert not [e for e in elements if e.tag.rsplit("}", 1)[-1] in ("a", "image")]
    targets = [
        value
        for e in elements
        for name, value in e.attrib.items()
        if name.rsplit("}", 1)[-1] in ("href", "src")
    ]
    assert not [t for t in targets if "127.0.0.1:9" in t]
    text = " ".join(e.text or "" for e in elements)
    assert NEIGHBOURHOODS[1] in text and MODEL_NAME in text  # the names, as text
    pdf_links, _ = links_in_pdf(export.chart_bytes(figures["ranked"], "pdf", context))
    assert pdf_links == []


def test_model_map_and_spread_chart_escape_names_in_hover_text(cur, hostile: Hostile) -> None:
    membership = queries.model_membership(cur, hostile.model_id)
    lsoas = membership.groupby("neighbourhood_name").size().rename("lsoas").reset_index()
    outlines = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": name, "properties": {}, "geometry": square(i)}
            for i, name in enumerate(NEIGHBOURHOODS)
        ],
    }
    fig = charts.model_map(
        outlines,
        lsoas=lsoas,
        unassigned=None,
        title=MODEL_NAME,
        subtitle=ONE_HOSTILE,
        source=ONE_HOSTILE,
        centre=(0.0, 0.0),
        zoom=5,
    )
    spec = fig.to_plotly_json()
    assert_chart_literal(spec)
    assert "%{location}" not in json.dumps(spec)  # names reach hover text only escaped
    assert escape_html(NEIGHBOURHOODS[1]) in fig.data[-1].customdata[1]
    assert escape_html(NEIGHBOURHOODS[1]) in fig.data[0].text  # the names on the map


def square(i: int) -> dict:
    ring = [[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]
    return {"type": "Polygon", "coordinates": [ring]}


# ---------------------------------------------------------------- downloads


def cells(frame: pd.DataFrame) -> list[str]:
    return [v for v in frame.to_numpy().ravel() if isinstance(v, str)]


def test_every_csv_download_is_formula_safe(cur, hostile: Hostile, monkeypatch) -> None:
    membership = queries.model_membership(cur, hostile.model_id)
    frame = membership.rename(columns={"neighbourhood_name": "neighbourhood"}).assign(
        note=["\t=1+1", "\r@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3"] * (len(membership) // 4)
        + [ONE_HOSTILE] * (len(membership) % 4)
    )
    for data in (export.to_csv_bytes(frame), captured_download(frame, monkeypatch)):
        back = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        assert not [c for c in cells(back) if c.startswith(FORMULA_START)]
        assert f"'{NEIGHBOURHOODS[4]}" in set(back["neighbourhood"])  # kept, made literal


def captured_download(frame: pd.DataFrame, monkeypatch) -> bytes:
    """What ui.download_csv (the model's upload-ready CSV, the published tables, a
    dataset's values) hands the browser."""
    captured: dict[str, bytes] = {}
    monkeypatch.setattr(
        ui.st, "download_button", lambda label, data, **kw: captured.update(data=data)
    )
    ui.download_csv(frame, "x.csv")
    return captured["data"]()  # the file the button makes when pressed


def test_excel_downloads_hold_names_as_text_not_formulas(cur, hostile: Hostile) -> None:
    frame = pd.DataFrame({"area_name": [*NEIGHBOURHOODS, ONE_HOSTILE], "value": range(6)})
    context = export.ExportContext(lad_name="Trafford", model_name=NEIGHBOURHOODS[4])
    book = load_workbook(
        io.BytesIO(export.to_xlsx_bytes(frame, title=ONE_HOSTILE, context=context))
    )
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                assert cell.hyperlink is None
    names = [c.value for c in book["Data"]["A"][1:]]
    assert names == [*NEIGHBOURHOODS, ONE_HOSTILE]  # stored as the text itself
