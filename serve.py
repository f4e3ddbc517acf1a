"""The dashboard as an ASGI app (`streamlit run serve.py`): Streamlit's own server for
dashboard.py, with static files (Streamlit's scripts, styles and fonts, and the charts' plotly.js
bundle) answered from memory, compressed once, instead of read from disk through Streamlit's
request stack for every new browser (`outcomes/static_files.py`); two lines in the page's head
that save a new visitor's browser a refused request and start the charts' script early
(`outcomes/page_head.py`); the old /briefing address forwarded by HTTP, not by a second script
run (`outcomes/old_links.py`); and small responses sent at once (`outcomes/nodelay.py`)."""

import streamlit as st
from starlette.middleware import Middleware

from outcomes import chart_element
from outcomes.nodelay import listen_without_nagle
from outcomes.old_links import ForwardOldLinks
from outcomes.page_head import PageHead, head_lines
from outcomes.static_files import StaticFromMemory

# The url paths dashboard.py gives its pages, and those of pages that draw no chart (opened
# there, a browser does not fetch the charts' bundle until it moves to a page with a chart);
# tests/test_chart_element.py checks both against the pages.
PAGE_PATHS = (
    "home",
    "trends",
    "compare",
    "map",
    "inequality",
    "neighbourhoods",
    "your-data",
    "audit",
    "data",
    "briefing",
)
CHARTLESS_PAGES = ("your-data", "audit", "data")


def _head_lines() -> bytes:
    return head_lines(chart_element.bundle_url(), PAGE_PATHS, CHARTLESS_PAGES)


listen_without_nagle()
app = st.App(
    "dashboard.py",
    middleware=[
        Middleware(ForwardOldLinks, names=("briefing",)),
        Middleware(StaticFromMemory),
        Middleware(PageHead, lines=_head_lines),
    ],
)
