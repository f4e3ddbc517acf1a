"""Similar neighbourhoods elsewhere in England: statistical nearest neighbours of a
neighbourhood among England's MSOAs (2021), as a comparator.

The method follows the ONS and CIPFA nearest-neighbour models: each area is described by a few
published variables, each standardised across all areas (z-scores: mean 0, SD 1 over England's
MSOAs), and the nearest are those at the smallest Euclidean distance, every variable weighted
equally. The candidates are the MSOAs of every borough's shipped MSOA model (MSOA-sized areas of
about 7,000-10,000 residents) outside the focus neighbourhood's own borough; the focus can be a
neighbourhood of any model (a council's own included), described by its own published values.

Variables (`VARIABLES`): income deprivation and the IMD average score (IoD2025), households
without a car or van, social and private renting (Census 2021), and the IoD2025 connectivity
score (remoteness). ONS's and CIPFA's models also use age structure and population density:
neither is in the published tables, so they are left out and the page says so. Reads only
`indicator_values`. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

NEIGHBOURS = 10
MSOA_MODEL_SUFFIX = "_msoa21"


@dataclass(frozen=True)
class Variable:
    indicator_id: str
    period: str
    words: str


VARIABLES = (
    Variable("income_deprived_pct", "2025", "income deprivation rate (IoD2025)"),
    Variable("imd_score", "2025", "IMD average score (IoD2025)"),
    Variable("households_no_car_pct", "2021", "households without a car or van (Census 2021)"),
    Variable("tenure_social_rented_pct", "2021", "households renting socially (Census 2021)"),
    Variable("tenure_private_rented_pct", "2021", "households renting privately (Census 2021)"),
    Variable("iod_connectivity_score", "2025", "connectivity score (IoD2025 remoteness)"),
)
MISSING_WORDS = "age structure and population density (not in the published tables)"


def _pairs() -> list[list[str]]:
    return [[v.indicator_id, v.period] for v in VARIABLES]


def msoa_features(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every MSOA of England's shipped MSOA models with the variables as columns (raw values):
    area_code, area_name, lad_code, then one column per indicator id. MSOAs lacking any
    variable are dropped."""
    long = con.execute(
        """
        SELECT v.area_code, v.area_name, v.lad_code, v.indicator_id, v.value
        FROM indicator_values AS v
        JOIN (SELECT unnest(?::VARCHAR[][]) AS pair) AS p
            ON v.indicator_id = p.pair[1] AND v.period = p.pair[2]
        WHERE v.area_type = 'neighbourhood' AND v.model_id = v.lad_code || ?
        """,
        [_pairs(), MSOA_MODEL_SUFFIX],
    ).df()
    wide = long.pivot_table(
        index=["area_code", "area_name", "lad_code"], columns="indicator_id", values="value"
    )
    wide = wide.reindex(columns=[v.indicator_id for v in VARIABLES]).dropna()
    return wide.reset_index().sort_values("area_code").reset_index(drop=True)


def focus_features(con: duckdb.DuckDBPyConnection, model_id: str, area_code: str) -> pd.Series:
    """The variables of one neighbourhood of any model (NaN where it has no value)."""
    rows = con.execute(
        """
        SELECT v.indicator_id, v.value
        FROM indicator_values AS v
        JOIN (SELECT unnest(?::VARCHAR[][]) AS pair) AS p
            ON v.indicator_id = p.pair[1] AND v.period = p.pair[2]
        WHERE v.area_type = 'neighbourhood' AND v.model_id = ? AND v.area_code = ?
        """,
        [_pairs(), model_id, area_code],
    ).fetchall()
    found = dict(rows)
    return pd.Series({v.indicator_id: found.get(v.indicator_id, np.nan) for v in VARIABLES})


def nearest(
    features: pd.DataFrame,
    focus: pd.Series,
    exclude_lad: str,
    exclude_code: str = "",
    k: int = NEIGHBOURS,
) -> pd.DataFrame:
    """The k MSOAs nearest the focus (Euclidean distance on z-scores over all of England's
    MSOAs), outside `exclude_lad` and other than `exclude_code`; ties broken by code so the
    answer is deterministic. Columns area_code, area_name, lad_code, distance, then the
    variables' raw values. Empty when the focus lacks a variable."""
    ids = [v.indicator_id for v in VARIABLES]
    if focus.reindex(ids).isna().any() or features.empty:
        return features.iloc[0:0].assign(distance=pd.Series(dtype=float))
    raw = features[ids].to_numpy(float)
    mean, sd = raw.mean(axis=0), raw.std(axis=0)
    sd[sd == 0] = 1.0
    z = (raw - mean) / sd
    target = (focus.reindex(ids).to_numpy(float) - mean) / sd
    distance = np.sqrt(((z - target) ** 2).sum(axis=1))
    out = features.assign(distance=distance)
    out = out[(out.lad_code != exclude_lad) & (out.area_code != exclude_code)]
    out = out.sort_values(["distance", "area_code"]).head(k)
    return out[["area_code", "area_name", "lad_code", "distance", *ids]].reset_index(drop=True)


def indicator_values_of(
    con: duckdb.DuckDBPyConnection, codes: list[str], indicator_id: str, period: str
) -> pd.DataFrame:
    """The similar MSOAs' values of one indicator and period: area_code, value, lower_ci95,
    upper_ci95 (their shipped MSOA model's rows)."""
    return con.execute(
        """
        SELECT area_code, value, lower_ci95, upper_ci95 FROM indicator_values
        WHERE area_type = 'neighbourhood' AND model_id = lad_code || ?
            AND area_code IN (SELECT unnest(?::VARCHAR[])) AND indicator_id = ? AND period = ?
        """,
        [MSOA_MODEL_SUFFIX, codes, indicator_id, period],
    ).df()


def summary(focus_value: float, values: pd.Series) -> dict[str, float]:
    """The focus's value against its similar neighbourhoods': their mean, lowest, highest,
    and how many have a value."""
    values = values.dropna()
    return {
        "focus": focus_value,
        "mean": float(values.mean()) if len(values) else float("nan"),
        "lowest": float(values.min()) if len(values) else float("nan"),
        "highest": float(values.max()) if len(values) else float("nan"),
        "count": float(len(values)),
    }
