"""Charts in the page, drawn by the dashboard's own plotly.js bundle.

`st.plotly_chart` draws with Streamlit's copy of plotly.js: every trace type there is, 4.7 MB
that a browser evaluates before its first chart (0.6 s of a 2-core machine's main thread, a
quarter of a new visitor's wait). The charts here use four trace types, so `show` draws them
with `static/plotly-outcomes-<version>.min.js`: plotly.js cut to those (1.4 MB, about 0.15 s;
`tools/plotly_bundle/build.sh` makes it). The bundle's plotly.js is the one the plotly package
writes figures for (tests/test_chart_element.py checks). A figure with other trace types (the
Map page's MapLibre maps) goes to `st.plotly_chart`.

The figure travels as the bytes of its JSON: a shared figure's JSON is made once
(`shared_views.ServedFigure`), and the bytes are hashed, not parsed, to identify the element.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from outcomes.shared_views import ServedFigure
from outcomes.static_files import content_digest

PROJECT_DIR = Path(__file__).resolve().parents[1]
STATIC_DIR = PROJECT_DIR / "static"  # Streamlit serves it at <base>/app/static/
BUNDLE_TRACES = frozenset({"scatter", "bar", "choropleth", "scattergeo"})
COMPONENT_NAME = "outcomes_chart"
# A chart in the browser, this module's element or st.plotly_chart's; drawn, once it has an svg.
CHART_SELECTOR = ':is([data-testid="outcomesChart"], [data-testid="stPlotlyChart"])'
DRAWN_SELECTOR = f"{CHART_SELECTOR} .main-svg"
CONFIG = {"displaylogo": False}
_TAG = re.compile(r"<[^>]*>")

_component = st.components.v2.component(
    COMPONENT_NAME,
    js=(Path(__file__).with_name("chart_element.js")).read_text(encoding="utf-8"),
    isolate_styles=False,  # plotly.js styles its modebar and hover labels from the document
)


def bundle_file() -> Path:
    """The plotly.js bundle in static/ (exactly one)."""
    (found,) = STATIC_DIR.glob("plotly-outcomes-*.min.js")
    return found


@cache
def bundle_url() -> str:
    """Where browsers fetch the bundle: beside the page, as Streamlit's own scripts are (so
    under any base path or proxy prefix), with a digest of its content so that a cached copy
    is never used for another build (`static_files` answers only that build to it)."""
    path = bundle_file()
    return f"./app/static/{path.name}?v={content_digest(path.read_bytes())}"


def drawable(fig: go.Figure) -> bool:
    """Whether the bundle has every trace type of `fig`."""
    return all(trace.type in BUNDLE_TRACES for trace in fig.data)


def label(fig: go.Figure) -> str:
    """The figure's title as plain text, for screen readers."""
    text = fig.layout.title.text or ""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split()) or "Chart"


def payload(fig: go.Figure) -> bytes:
    """What the browser draws: the bundle's address, the figure, its config and label. Made
    once for a shared figure."""
    served = isinstance(fig, ServedFigure)
    made = fig.__dict__.get("_chart_payload") if served else None
    if made is not None:
        return made
    figure_json = fig.to_json_once() if served else pio.to_json(fig.to_dict(), validate=False)
    head = json.dumps({"bundle": bundle_url(), "config": CONFIG, "label": label(fig)})
    body = f'{head[:-1]}, "figure": {figure_json}}}'.encode()
    if served:
        fig._chart_payload = body
    return body


def show(fig: go.Figure) -> None:
    """Draw `fig` across the page's width."""
    if not drawable(fig):
        st.plotly_chart(fig, width="stretch", config=CONFIG)
        return
    _component(data=payload(fig), width="stretch", height="content")
