"""Place-based outcomes dashboard: the router (st.navigation and the sidebar). Served by
`streamlit run serve.py`, which answers static files (the charts' plotly.js bundle included)
from memory and adds two lines to the page's head; `streamlit run dashboard.py` works too,
a little slower to a new browser."""

import streamlit as st

from outcomes import db, signin, style, ui
from outcomes.errors import data_unavailable, run_page

st.set_page_config(page_title="Neighbourhood outcomes", layout="wide")
style.apply()  # visible keyboard focus, distinct from the current page (outcomes/style.css)


def _open_briefing() -> None:
    """/briefing, the page's own name, opens the Briefing (Streamlit serves it at the root)."""
    st.session_state[ui.CARRIED_NOTES] = st.session_state.get(ui.LINK_NOTES, [])
    st.switch_page(BRIEFING, query_params=st.query_params.to_dict())


BRIEFING = st.Page("pages/briefing.py", title="Briefing", url_path="home", default=True)
PAGES = [
    BRIEFING,
    st.Page("pages/trends.py", title="Trends", url_path="trends"),
    st.Page("pages/compare.py", title="Compare", url_path="compare"),
    st.Page("pages/map.py", title="Map", url_path="map"),
    st.Page("pages/inequality.py", title="Inequality", url_path="inequality"),
    st.Page("pages/neighbourhoods.py", title="Neighbourhoods", url_path="neighbourhoods"),
    st.Page("pages/partner_data.py", title="Your data", url_path="your-data"),
    st.Page("pages/audit.py", title="Audit log", url_path="audit"),
    st.Page("pages/data_sources.py", title="Data & sources", url_path="data"),
    st.Page(_open_briefing, title="Briefing", url_path="briefing", visibility="hidden"),
]

page = st.navigation(PAGES)
try:
    ui.base_connection()
except db.DatabaseMissing:
    data_unavailable()  # a plain message and an error id; the reason goes to the server log
    st.stop()
signin.sidebar()
st.session_state["selection"] = ui.sidebar()
st.session_state[ui.ROUTER_RAN] = True
st.sidebar.caption(
    "Real public data from MHCLG, ONS, NHS England and others, mostly under the Open "
    "Government Licence v3.0. See Data & sources."
)
run_page(page.run, page.title)  # a failure shows a plain message and an error id
