"""The dashboard's style sheet (outcomes/style.css): what Streamlit's theme cannot set, chiefly a
keyboard focus that is visible and distinct from the current page (WCAG 2.2 AA)."""

from pathlib import Path

import streamlit as st

STYLE_SHEET = Path(__file__).with_name("style.css")


def apply() -> None:
    """Load the style sheet into the page; it takes no space (Streamlit sends style-only HTML to
    the page's event container). Call once per run, before the page draws."""
    st.html(STYLE_SHEET)
