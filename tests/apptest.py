"""Running pages in Streamlit's AppTest the way the server runs them."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager


def route_pages_through_the_router(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every page through dashboard.py's st.navigation: AppTest would otherwise take the
    pages/ folder beside dashboard.py for a legacy multipage app."""
    init = PagesManager.__init__

    def router_pages(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", router_pages)
