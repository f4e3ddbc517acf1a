"""Tables for display and download: wide views for reading, long self-describing ones to save."""

from __future__ import annotations

import re

import pandas as pd

AREA_ORDER = {"neighbourhood": 0, "lad": 1, "england": 2}
AREA_LABEL = {
    "neighbourhood": "Neighbourhood",
    "lad": "Borough",
    "england": "England",
    "lsoa": "LSOA",
}


def slug(text: str) -> str:
    """A file-name-safe lower-case version of a name: 'Trafford localities (2023)' ->
    'trafford_localities_2023'."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def wide_by_period(values: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """One row per area (neighbourhoods, then borough and England), one column per period."""
    frame = values.assign(
        _order=values["area_type"].map(AREA_ORDER),
        Area=values["area_name"],
        Type=values["area_type"].map(AREA_LABEL),
    )
    wide = frame.pivot_table(
        index=["_order", "Area", "Type"], columns="period", values="value", aggfunc="first"
    ).round(decimals)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index().sort_values(["_order", "Area"]).drop(columns="_order")


def long_for_download(values: pd.DataFrame, indicator_names: dict[str, str]) -> pd.DataFrame:
    """The published columns plus the indicator's name, ready to save as CSV."""
    frame = values.copy()
    frame.insert(
        frame.columns.get_loc("indicator_id") + 1,
        "indicator_name",
        frame["indicator_id"].map(indicator_names),
    )
    order = frame["area_type"].map(AREA_ORDER).fillna(3)
    return frame.assign(_o=order).sort_values(["_o", "area_name", "period"]).drop(columns="_o")
