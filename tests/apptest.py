"""Running pages in Streamlit's AppTest the way the server runs them."""

from __future__ import annotations

import json

import pytest
from streamlit.runtime.pages_manager import PagesManager

from outcomes.chart_element import COMPONENT_NAME


def route_pages_through_the_router(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every page through dashboard.py's st.navigation: AppTest would otherwise take the
    pages/ folder beside dashboard.py for a legacy multipage app."""
    init = PagesManager.__init__

    def router_pages(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", router_pages)


def chart_specs(at) -> list[dict]:
    """The figures the page draws, in page order, as the browser gets them: from the
    dashboard's chart element (`outcomes.chart_element`) or from st.plotly_chart."""
    specs = []
    for node in at.main:
        if node.type == "plotly_chart":
            specs.append(json.loads(node.proto.spec))
        elif node.type == "bidi_component" and node.proto.component_name == COMPONENT_NAME:
            specs.append(json.loads(node.proto.bytes)["figure"])
    return specs
