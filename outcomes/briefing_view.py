"""The Briefing page's cached reads and computations: the borough's headline set, the focus
neighbourhood's all-domain profile and its chart, each computed once per choice and shared by
every view (one query for all indicators, never one per card). Profiles and figures are
shared objects (`shared_views`: unpickling a cached figure for every view cost more than
drawing it)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from outcomes import briefing, change, headlines, shared_views, ui
from outcomes.charts import profile as profile_charts
from outcomes.uploads import datasets, storage

SETTING_TTL = 60  # seconds: a headline set saved in another process shows within a minute


@st.cache_data(ttl=SETTING_TTL, max_entries=64)
def partner_ids(lad_code: str) -> tuple[str, ...]:
    """The indicator ids of the borough's uploaded partner datasets, newest dataset first."""
    con = ui.cursor()
    ids: list[str] = []
    for dataset_id in datasets.list_datasets(con, lad_code).dataset_id:
        ids += datasets.dataset_indicators(con, dataset_id).indicator_id.astype(str).tolist()
    return tuple(dict.fromkeys(ids))


@st.cache_data(ttl=SETTING_TTL, max_entries=64)
def stored_ids(lad_code: str) -> tuple[str, ...] | None:
    """The borough's saved headline set (None: the shipped defaults)."""
    return headlines.stored_ids(storage.store_for(ui.cursor()), lad_code)


def headline_ids(lad_code: str) -> tuple[str, ...]:
    """The indicators the borough's profile shows."""
    return _resolved(stored_ids(lad_code), partner_ids(lad_code))


@shared_views.shared
def _resolved(stored: tuple[str, ...] | None, partners: tuple[str, ...]) -> tuple[str, ...]:
    """`headlines.resolve` against the catalogue, once per saved set and partner list (reading
    the catalogue's columns for every view cost a Briefing view about a fifth of its CPU)."""
    return headlines.resolve(stored, ui.shared_catalogue(), partners)


@shared_views.shared
def drawn_ids(lad_code: str, model_id: str, area_code: str, ids: tuple[str, ...]) -> frozenset[str]:
    """The indicators the profile's chart draws over time for the area."""
    return frozenset(
        profile_charts.drawable(ui.area_values(lad_code, model_id, ids), area_code, ids)
    )


def forget_settings() -> None:
    """After a save: read the headline set afresh."""
    stored_ids.clear()


def _rest(lad_code: str, model_id: str, ids: tuple[str, ...], comparator: str):
    if comparator != "rest":
        return None
    return {i: ui.rest_of_borough(lad_code, model_id, i) for i in ids}


@shared_views.shared
def profile(
    lad_code: str,
    model_id: str,
    focus: str,
    focus_name: str,
    year: int,
    comparator: str,
    ci_level: str,
    ids: tuple[str, ...],
    comparator_label: str,
) -> list[briefing.Headline]:
    """The focus neighbourhood's profile (`briefing.profile`)."""
    return briefing.profile(
        ui.area_values(lad_code, model_id, ids),
        ui.catalogue(),
        ids,
        focus,
        focus_name,
        year,
        comparator,
        ci_level,
        _rest(lad_code, model_id, ids, comparator),
        comparator_label,
    )


@shared_views.shared
def profile_table(*profile_args) -> pd.DataFrame:
    """The numbers behind the briefing (`briefing.table`) of `profile(*profile_args)`."""
    return briefing.table(profile(*profile_args))


@shared_views.shared
def profile_figure(
    lad_code: str,
    model_id: str,
    focus: str,
    ids: tuple[str, ...],
    baselines: tuple[tuple[str, str], ...],
    title: str,
    subtitle: str,
) -> tuple[go.Figure | None, pd.DataFrame]:
    """The small multiples of the profile and their table alternative."""
    values = ui.area_values(lad_code, model_id, ids)
    catalogue = ui.catalogue()
    shown = catalogue[catalogue.indicator_id.isin(ids)]
    source = "Sources: " + "; ".join(dict.fromkeys(shown.source.astype(str))) + "."
    fig = profile_charts.profile_chart(
        values,
        catalogue,
        focus,
        ids,
        dict(baselines),
        title=title,
        subtitle=subtitle,
        source=source,
    )
    return fig, profile_charts.series_table(values, catalogue, focus, ids)


@shared_views.shared
def area_changes(
    lad_code: str, model_id: str, focus: str, year: int, ci_level: str
) -> pd.DataFrame:
    """Every indicator with neighbourhood values ranked by its change for the focus
    neighbourhood (`change.area_changes`): what changed most."""
    catalogue = headlines.neighbourhood_catalogue(ui.catalogue())
    ids = tuple(catalogue.indicator_id)
    return change.area_changes(
        ui.area_values(lad_code, model_id, ids), catalogue, focus, int(year), ci_level
    )


def sources_line(items: list[briefing.Headline]) -> str:
    """'Sources: …' of the indicators shown, for presentation mode's footer."""
    catalogue = ui.catalogue().set_index("indicator_id")
    shown = [i.meta.indicator_id for i in items if i.meta.indicator_id in catalogue.index]
    names = dict.fromkeys(f"{catalogue.at[i, 'source']}" for i in shown)
    return "Sources: " + "; ".join(names) + "."


@shared_views.shared
def changed_most(
    lad_code: str, model_id: str, focus: str, year: int, ci_level: str
) -> dict[str, list[str]]:
    """The indicators that improved and worsened most for the focus neighbourhood, in words
    (`briefing.changed_most` of `area_changes`)."""
    frame = area_changes(lad_code, model_id, focus, year, ci_level)
    return briefing.changed_most(frame, ui.shared_catalogue())


@shared_views.shared
def headline_choices() -> tuple[list[str], dict[str, str], dict[str, str]]:
    """What a headline set may hold (`headlines.choosable`), with each indicator's name and
    domain, for the headline editor."""
    catalogue = ui.shared_catalogue()
    names = dict(zip(catalogue.indicator_id, catalogue.name, strict=True))
    return headlines.choosable(catalogue), names, headlines.domain_of(catalogue)
