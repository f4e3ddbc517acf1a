"""The dashboard's chart element (outcomes/chart_element.py): figures go to the browser as the
same JSON st.plotly_chart would send, drawn by a plotly.js bundle cut to the trace types the
charts use; a figure with any other trace type is left to st.plotly_chart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from outcomes import chart_element
from outcomes.shared_views import ServedFigure
from outcomes.text import escape_html
from tests.apptest import chart_specs

PROJECT_DIR = Path(__file__).resolve().parents[1]
PAGES = PROJECT_DIR / "pages"
PLOTLY_PACKAGE_JS = Path(pio.__file__).resolve().parents[1] / "package_data" / "plotly.min.js"


def _version(script: Path) -> str:
    found = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", script.read_bytes()[:2000])
    assert found, script
    return found.group(1).decode()


def test_the_bundle_is_the_plotly_js_the_plotly_package_writes_figures_for() -> None:
    bundle = chart_element.bundle_file()
    assert _version(bundle) == _version(PLOTLY_PACKAGE_JS), (
        "plotly moved to another plotly.js: rebuild the bundle with tools/plotly_bundle/build.sh"
    )
    assert bundle.name == f"plotly-outcomes-{_version(bundle)}.min.js"


def test_the_bundle_registers_the_trace_types_the_element_sends_it() -> None:
    bundle = chart_element.bundle_file().read_text(encoding="utf-8")
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))
    assert registered == chart_element.BUNDLE_TRACES


def test_serve_names_the_pages_and_those_without_charts() -> None:
    import serve

    router = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    assert set(serve.PAGE_PATHS) == set(re.findall(r'url_path="([\w-]+)"', router))
    assert set(serve.CHARTLESS_PAGES) <= set(serve.PAGE_PATHS)


def test_the_browser_gets_the_figure_its_label_and_where_the_bundle_is() -> None:
    fig = go.Figure(go.Bar(x=["a &amp; b"], y=[1]))
    fig.update_layout(title={"text": f"<b>{escape_html('Wigan & <Leigh>')}</b><br>subtitle"})
    sent = json.loads(chart_element.payload(fig))
    assert sent["figure"] == json.loads(pio.to_json(fig, validate=False))
    assert sent["label"] == "Wigan & <Leigh> subtitle"  # plain text, set as an attribute
    assert sent["config"] == {"displaylogo": False}
    assert re.fullmatch(
        r"\./app/static/plotly-outcomes-[\d.]+\.min\.js\?v=[0-9a-f]{12}", sent["bundle"]
    )


def test_a_shared_figure_is_sent_from_json_made_once() -> None:
    fig = ServedFigure(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))
    first = chart_element.payload(fig)
    assert chart_element.payload(fig) is first
    assert json.loads(first)["figure"] == json.loads(pio.to_json(go.Figure(fig), validate=False))


def test_only_figures_the_bundle_can_draw_go_to_it() -> None:
    assert chart_element.drawable(go.Figure([go.Scatter(), go.Bar(), go.Choropleth()]))
    assert chart_element.drawable(go.Figure(go.Scattergeo()))
    assert not chart_element.drawable(go.Figure(go.Choroplethmap()))  # MapLibre: tiles
    assert not chart_element.drawable(go.Figure([go.Scatter(), go.Scattermap()]))


@pytest.mark.parametrize("page", ["trends.py", "compare.py", "inequality.py", "map.py"])
def test_pages_draw_their_charts_with_the_element(page_app, page: str) -> None:
    at = page_app(PAGES / page, ind="imd_score")
    assert chart_specs(at), f"{page} drew no chart"
    assert at.get("plotly_chart") == [], f"{page} still loads Streamlit's full plotly.js"
    for element in at.get("bidi_component"):
        assert element.proto.component_name == chart_element.COMPONENT_NAME


def test_the_pages_that_fetch_no_bundle_at_first_draw_no_chart(page_app) -> None:
    import serve

    for path in serve.CHARTLESS_PAGES:
        at = page_app(_page_file(path))
        assert chart_specs(at) == [] and at.get("plotly_chart") == [], path


def _page_file(url_path: str) -> Path:
    """The page file dashboard.py registers at `url_path`."""
    router = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    found = re.search(rf'st\.Page\("(pages/\w+\.py)"[^)]*url_path="{url_path}"', router)
    assert found, url_path
    return PROJECT_DIR / found.group(1)


def test_the_map_with_street_tiles_is_left_to_streamlits_plotly(page_app) -> None:
    at = page_app(PAGES / "map.py", ind="imd_score")
    at.checkbox(key="map_tiles").check().run()
    (tiled,) = at.get("plotly_chart")
    assert json.loads(tiled.proto.spec)["layout"]["map"]["style"] == "carto-positron"
