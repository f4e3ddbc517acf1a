"""Streamlit glue shared by every page: the cached connection, cached queries and the sidebar.

Every selection lives in the URL (st.query_params), so a copied link reopens the same view; a bad
or stale parameter falls back to a default with a visible note.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from outcomes import custom_models, db, geo, queries

DEFAULT_LAD = "E08000009"  # Trafford
FOCUS_LADS = ("E08000009", "E08000010", "E08000034", "E07000093")
CACHE = {"max_entries": 256, "ttl": 3600}
IOD_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "English Indices of Deprivation 2010, 2015 (DCLG), 2019, 2025 (MHCLG); ONS population "
    "estimates and lookups. © Crown copyright and database right."
)


@st.cache_resource
def base_connection():
    """The process-wide read-only public database with the user database attached."""
    con = db.open_database()
    custom_models.refresh_stale_models(db.cursor(con))
    return con


def cursor():
    """A cursor for this session (DuckDB connections must not be shared across threads)."""
    if "db_cursor" not in st.session_state:
        st.session_state["db_cursor"] = db.cursor(base_connection())
    return st.session_state["db_cursor"]


def _fresh_cursor():
    return db.cursor(base_connection())


@st.cache_data(**CACHE)
def boroughs() -> pd.DataFrame:
    return queries.boroughs(_fresh_cursor())


@st.cache_data(**CACHE)
def models(lad_code: str) -> pd.DataFrame:
    return queries.models(_fresh_cursor(), lad_code)


@st.cache_data(**CACHE)
def catalogue() -> pd.DataFrame:
    return queries.catalogue(_fresh_cursor())


@st.cache_data(**CACHE)
def area_values(lad_code: str, model_id: str, indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    return queries.area_values(_fresh_cursor(), lad_code, model_id, indicator_ids)


@st.cache_data(**CACHE)
def lsoa_values(lad_code: str, indicator_id: str, model_id: str) -> pd.DataFrame:
    return queries.lsoa_values(_fresh_cursor(), lad_code, indicator_id, model_id)


@st.cache_data(**CACHE)
def model_membership(model_id: str) -> pd.DataFrame:
    return queries.model_membership(_fresh_cursor(), model_id)


@st.cache_data(**CACHE)
def neighbourhood_outlines(lad_code: str, model_id: str) -> dict:
    membership = model_membership(model_id)
    return geo.neighbourhood_geojson(
        lad_code, dict(zip(membership.lsoa21_code, membership.neighbourhood_name, strict=True))
    )


@dataclass(frozen=True)
class Selection:
    """What the user has chosen in the sidebar."""

    lad_code: str
    lad_name: str
    model_id: str
    model_name: str


def _choose(param: str, options: list[str], default: str, label: str, notes: list[str]) -> str:
    """The URL's value for `param` if it is one of `options`, else the default (with a note)."""
    value = st.query_params.get(param)
    if value is None:
        return default
    if value in options:
        return value
    notes.append(f"The link's {label} '{value}' is not available here; showing the default.")
    return default


def sidebar() -> Selection | None:
    """Draw the shared sidebar (borough, neighbourhood model) and keep it in the URL."""
    notes: list[str] = []
    lads = boroughs()
    lad_codes = lads["lad_code"].tolist()
    names = dict(zip(lads.lad_code, lads.lad_name, strict=True))
    if "lad" not in st.session_state:
        st.session_state["lad"] = _choose("lad", lad_codes, DEFAULT_LAD, "borough", notes)
    focus = [c for c in FOCUS_LADS if c in names]
    ordered = focus + [c for c in lad_codes if c not in focus]
    lad_code = st.sidebar.selectbox(
        "Borough",
        ordered,
        format_func=lambda code: names[code],
        key="lad",
        help="Any English local authority (2024 boundaries). Trafford, Wigan, Kirklees and "
        "Test Valley are listed first.",
    )
    available = models(lad_code)
    if available.empty:
        st.sidebar.warning("This borough has no neighbourhood model yet.")
        return None
    model_ids = available["model_id"].tolist()
    model_names = dict(zip(available.model_id, available.model_name, strict=True))
    counts = dict(zip(available.model_id, available.neighbourhoods, strict=True))
    if st.session_state.get("model") not in model_ids:
        st.session_state["model"] = _choose("model", model_ids, model_ids[0], "model", notes)
    model_id = st.sidebar.selectbox(
        "Neighbourhood model",
        model_ids,
        format_func=lambda m: f"{model_names[m]} · {counts[m]} neighbourhoods",
        key="model",
        help="A neighbourhood is a group of LSOAs. Every borough has MSOA- and ward-based "
        "models; upload your own on the Neighbourhoods page.",
    )
    st.query_params["lad"] = lad_code
    st.query_params["model"] = model_id
    for note in notes:
        st.sidebar.info(note)
    return Selection(lad_code, names[lad_code], model_id, model_names[model_id])


def choose_from_url(
    param: str, options: list[str], default: str, label: str, widget_key: str
) -> None:
    """Seed a page widget's state from the URL once, falling back to `default` with a note."""
    if widget_key in st.session_state and st.session_state[widget_key] in options:
        return
    notes: list[str] = []
    st.session_state[widget_key] = _choose(param, options, default, label, notes)
    for note in notes:
        st.info(note)


def polarity_text(polarity: str) -> str:
    """Plain words for an indicator's polarity."""
    return {
        "higher_is_better": "Higher is better",
        "higher_is_worse": "Higher is worse",
        "no_judgement": "Higher is neither better nor worse",
    }.get(polarity, "")


def download_csv(frame: pd.DataFrame, file_name: str, label: str = "Download the data (CSV)"):
    """A CSV download button for the data behind a chart or table."""
    st.download_button(
        label,
        frame.to_csv(index=False).encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        key=f"dl-{file_name}",
    )
