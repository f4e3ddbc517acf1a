"""The dashboard as an ASGI app (`streamlit run serve.py`): Streamlit's own server for
dashboard.py, with Streamlit's static files (its scripts, styles and fonts) answered from
memory, compressed once, instead of read from disk through Streamlit's request stack for
every new browser (`outcomes/static_files.py`), and small responses sent at once
(`outcomes/nodelay.py`)."""

import streamlit as st
from starlette.middleware import Middleware

from outcomes.nodelay import listen_without_nagle
from outcomes.static_files import StaticFromMemory

listen_without_nagle()
app = st.App("dashboard.py", middleware=[Middleware(StaticFromMemory)])
