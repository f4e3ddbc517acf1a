"""Tables for display: wide views for reading."""

from __future__ import annotations

import pandas as pd

from outcomes import labels

AREA_ORDER = {"neighbourhood": 0, "lad": 1, "england": 2}


def wide_by_period(values: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """One row per area (neighbourhoods, then borough and England), one column per period."""
    frame = values.assign(
        _order=values["area_type"].map(AREA_ORDER),
        Area=values["area_name"],
        Type=values["area_type"].map(labels.AREA_TYPES),
    )
    wide = frame.pivot_table(
        index=["_order", "Area", "Type"], columns="period", values="value", aggfunc="first"
    ).round(decimals)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index().sort_values(["_order", "Area"]).drop(columns="_order")
