"""'Similar neighbourhoods elsewhere in England' on Compare (Streamlit; the method is
outcomes.similar): the focus neighbourhood's value of the sidebar's indicator against the
average and range of its ten statistical nearest neighbours among England's MSOAs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from outcomes import db, shared_views, similar, ui
from outcomes.text import escape_markdown as md


@st.cache_data(**ui.CACHE)
def _features() -> pd.DataFrame:
    return similar.msoa_features(db.cursor(ui.base_connection()))


@st.cache_data(**ui.CACHE)
def _neighbours(lad_code: str, model_id: str, code: str) -> pd.DataFrame:
    cur = db.cursor(ui.base_connection())
    focus = similar.focus_features(cur, model_id, code)
    return similar.nearest(_features(), focus, exclude_lad=lad_code, exclude_code=code)


@st.cache_data(**ui.CACHE)
def _their_values(codes: tuple[str, ...], indicator_id: str, period: str) -> pd.DataFrame:
    cur = db.cursor(ui.base_connection())
    return similar.indicator_values_of(cur, list(codes), indicator_id, period)


def show(selection: ui.Selection, meta, period: str, focus_value: float | None) -> None:
    """The section: method in a sentence, the focus against its similar neighbourhoods, the
    table of the ten (text alternative and download)."""
    st.header("Similar neighbourhoods elsewhere in England")
    variables = "; ".join(v.words for v in similar.VARIABLES)
    st.caption(
        f"The {similar.NEIGHBOURS} MSOAs outside {md(selection.lad_name)} most like "
        f"{md(selection.focus_name)} on: {variables}. Each variable is standardised over "
        "England's MSOAs and weighted equally; nearest by Euclidean distance (the ONS and "
        f"CIPFA nearest-neighbour method). Not used: {similar.MISSING_WORDS}."
    )
    table, stats = _table(selection.lad_code, selection.model_id, selection.focus,
                          selection.indicator_id, period, meta.name, focus_value)  # fmt: skip
    if table.empty:
        st.info(
            f"{md(selection.focus_name)} lacks one of these variables, so it has no similar "
            "neighbourhoods here."
        )
        return
    if not selection.model_id.endswith(similar.MSOA_MODEL_SUFFIX):
        st.caption(
            f"{md(selection.focus_name)} is matched against MSOA-sized areas: a larger "
            "neighbourhood averages over more places than any of them."
        )
    st.markdown(_sentence(selection, meta, period, stats))
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_csv(table, f"similar_neighbourhoods_{selection.focus}_{selection.indicator_id}.csv")


@shared_views.shared
def _table(
    lad_code: str,
    model_id: str,
    focus: str,
    indicator_id: str,
    period: str,
    indicator_name: str,
    focus_value: float | None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The ten similar neighbourhoods' table and the summary of their values."""
    near = _neighbours(lad_code, model_id, focus)
    theirs = _their_values(tuple(near.area_code), indicator_id, period)
    table = near.merge(theirs, on="area_code", how="left")
    boroughs = ui.boroughs()
    lad_names = dict(zip(boroughs.lad_code, boroughs.lad_name, strict=True))
    stats = similar.summary(focus_value if focus_value is not None else float("nan"), table.value)
    shown = pd.DataFrame(
        {
            "Similar neighbourhood (MSOA)": table.area_name,
            "Borough": table.lad_code.map(lad_names),
            "Distance (SDs)": table.distance.round(2),
            f"{indicator_name}, {period}": table.value.round(2),
        }
    )
    return shown, stats


def _sentence(selection: ui.Selection, meta, period: str, stats: dict[str, float]) -> str:
    name = md(selection.focus_name)
    if stats["count"] == 0:
        return f"The similar neighbourhoods have no value of {md(meta.name)} for {md(period)}."
    theirs = (
        f"their average is **{stats['mean']:,.1f}** (from {stats['lowest']:,.1f} to "
        f"{stats['highest']:,.1f}, {stats['count']:.0f} neighbourhoods)"
    )
    if pd.isna(stats["focus"]):
        return f"{name} has no value of {md(meta.name)} for {md(period)}; {theirs}."
    return f"{md(meta.name)}, {md(period)}: {name} **{stats['focus']:,.1f}**; {theirs}."
