"""The sidebar's place search and focus note (Streamlit widgets; the logic is outcomes.places).

A found place sets the sidebar's borough, model and focus neighbourhood through session state
in a button callback (before the sidebar's widgets exist), so the URL follows as for any
other choice.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from outcomes import places
from outcomes.text import escape_markdown

QUERY_KEY = "place_q"
FOUND_KEY = "_place_found"  # (place name, kind words, the lines saying where it lies)
FOCUS_KEY = "_place_focus"  # (model id, neighbourhood code) the search chose


def search_box(cur: duckdb.DuckDBPyConnection) -> None:
    """A 'Find a place' box at the top of the sidebar, its matches as buttons, and where the
    last place found lies in each of its borough's models."""
    query = st.sidebar.text_input(
        "Find a place",
        key=QUERY_KEY,
        max_chars=places.QUERY_CHARS,
        placeholder="Town, village, ward, MSOA or postcode",
        help="A place name (House of Commons Library MSOA names such as Partington, wards, "
        "boroughs, the neighbourhoods of a model) or a postcode in "
        f"{places.POSTCODE_AREAS}. Press Enter, then choose a match.",
    )
    if query and query.strip():
        _matches(cur, query)
    found = st.session_state.get(FOUND_KEY)
    if found:
        name, kind, lines = found
        where = "; ".join(escape_markdown(line) for line in lines)
        st.sidebar.caption(f"**{escape_markdown(name)}** ({kind}) lies in: {where}.")


def _matches(cur: duckdb.DuckDBPyConnection, query: str) -> None:
    found = places.search(cur, query, prefer_lad=st.session_state.get("lad", ""))
    if not found:
        st.sidebar.caption(
            f"No place matches '{escape_markdown(query[:40])}'. Postcodes are known in "
            f"{places.POSTCODE_AREAS} only; try a town, ward or MSOA name."
        )
        return
    st.sidebar.caption(f"{len(found)} match{'es' if len(found) > 1 else ''}: choose one")
    for index, place in enumerate(found):
        st.sidebar.button(
            escape_markdown(place.label),
            key=f"place-match-{index}",
            on_click=_go,
            args=(cur, place),
            use_container_width=True,
        )


def _go(cur: duckdb.DuckDBPyConnection, place: places.Place) -> None:
    """Point the sidebar at the place: its borough, a model and the neighbourhood holding it."""
    lies = places.where_it_lies(cur, place)
    target = places.destination(place, st.session_state.get("model", ""), lies)
    if target is None:
        return
    model_id, code = target
    st.session_state["lad"] = place.lad_code
    st.session_state["model"] = model_id
    st.session_state["nb"] = [code]
    st.session_state[QUERY_KEY] = ""
    st.session_state[FOCUS_KEY] = (model_id, code)
    kind = place.model_name or places.KIND_WORDS[place.kind]
    st.session_state[FOUND_KEY] = (place.name, kind, places.lies_in_text(lies))


def default_neighbourhoods(order: pd.DataFrame, codes: list[str], count: int = 6) -> list[str]:
    """The sidebar's default neighbourhoods: the most deprived first (the focus), then the
    next most deprived; the first in the list when the model has no IMD values."""
    ranked = [c for c in order.neighbourhood_code if c in codes]
    return (ranked or codes)[:count]


def focus_note(model_id: str, focus: str, focus_name: str, order: pd.DataFrame) -> None:
    """Say why the focus neighbourhood is the one shown."""
    if st.session_state.get(FOCUS_KEY) == (model_id, focus):
        st.sidebar.caption(f"Focus: {escape_markdown(focus_name)}, the place you searched for.")
    elif len(order) and order.neighbourhood_code.iloc[0] == focus:
        period = escape_markdown(order.period.iloc[0])
        st.sidebar.caption(
            f"Focus: {escape_markdown(focus_name)}, this model's most deprived neighbourhood "
            f"(highest IMD {period} average score). Put another first to change it."
        )
