"""A dataset's stored rows to indicator values for its LSOAs, every neighbourhood model of the
borough and the borough itself, all after small-number suppression (`disclosure`).

Counts are summed, never rates averaged: source areas are placed in leaves (LSOAs 2021, or the
neighbourhoods of the one model a survey by neighbourhood names), shared by the lookup's
`share`, and every published area adds up its leaves. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from outcomes import stats
from outcomes.uploads import disclosure, geography
from outcomes.uploads.catalogue import Spec, catalogue_rows, indicator_ids, specs

VALUE_COLUMNS = [
    "area_type", "area_code", "area_name", "model_id", "lad_code", "indicator_id", "period",
    "period_start", *disclosure.NULLED, "suppressed",
]  # fmt: skip


def materialise(
    con: duckdb.DuckDBPyConnection,
    meta: dict,
    rows: pd.DataFrame,
    areas: pd.DataFrame,
    limit: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Catalogue rows and suppressed indicator values of one dataset (nothing written)."""
    polarity = meta.get("polarity") or "no_judgement"
    made = specs(meta["kind"], sorted(rows["measure"].unique()), polarity)
    ids = indicator_ids(meta["dataset_id"], made)
    where = _Geography.load(con, meta, areas)
    frames = []
    for family in sorted({s.family for s in made}):
        members = [s for s in made if s.family == family]
        frames.append(_family_values(rows, members, ids, where, limit))
    values = pd.concat(frames, ignore_index=True)
    catalogue = catalogue_rows(
        meta, made, ids, lad_name=where.lad_name, model_name=where.model_name, limit=limit
    )
    # An indicator with no rows (e.g. its neighbourhood model was deleted) is left out of the
    # catalogue: pages list only indicators that have periods.
    catalogue = catalogue[catalogue["indicator_id"].isin(set(values["indicator_id"]))]
    return catalogue.reset_index(drop=True), values


@dataclass
class _Geography:
    """Where a dataset's areas sit: leaves (LSOAs 2021, or neighbourhoods for a survey by
    neighbourhood), the neighbourhoods of every model made of them, and the borough."""

    lad_code: str
    lad_name: str
    by_neighbourhood: bool
    publish_leaves: bool
    leaf_names: dict[str, str]
    models: pd.DataFrame  # model_id, model_name, neighbourhood_code, neighbourhood_name, leaf
    links: pd.DataFrame  # area_code, unit_code, leaf, share
    model_name: str = ""

    @classmethod
    def load(cls, con, meta: dict, areas: pd.DataFrame) -> _Geography:
        lad_code = meta["lad_code"]
        lad_name = geography.lad_name(con, lad_code)
        if meta["area_column"] == "neighbourhood":
            return cls._of_model(con, meta, areas, lad_name)
        return cls(
            lad_code=lad_code,
            lad_name=lad_name,
            by_neighbourhood=False,
            publish_leaves=meta["area_column"] != "practice_code",
            leaf_names=geography.borough_lsoas(con, lad_code),
            models=geography.borough_models(con, lad_code),
            links=areas.rename(columns={"lsoa21_code": "leaf"})[
                ["area_code", "unit_code", "leaf", "share"]
            ],
        )

    @classmethod
    def _of_model(cls, con, meta: dict, areas: pd.DataFrame, lad_name: str) -> _Geography:
        """A survey by neighbourhood: the leaves are the neighbourhoods of its model."""
        model = pd.DataFrame()
        if meta["model_id"]:
            model = geography.model_neighbourhoods(con, meta["model_id"])
        if model.empty:
            model = pd.DataFrame(columns=["neighbourhood_code", "neighbourhood_name", "model_name"])
        model["leaf"] = model["neighbourhood_name"].map(geography.name_key)
        model = model.drop_duplicates("leaf")
        links = areas.assign(leaf=areas["area_code"])[["area_code", "unit_code", "leaf", "share"]]
        return cls(
            lad_code=meta["lad_code"],
            lad_name=lad_name,
            by_neighbourhood=True,
            publish_leaves=True,
            leaf_names=dict(zip(model["leaf"], model["neighbourhood_name"], strict=True)),
            models=model.assign(model_id=meta["model_id"])[
                ["model_id", "model_name", "neighbourhood_code", "neighbourhood_name", "leaf"]
            ],
            links=links[links["leaf"].isin(set(model["leaf"]))],
            model_name=model["model_name"].iloc[0] if len(model) else "",
        )


def _family_values(
    rows: pd.DataFrame,
    family: list[Spec],
    ids: dict[str, str],
    where: _Geography,
    limit: int,
) -> pd.DataFrame:
    """Values of one family of indicators (e.g. missed and attended over booked), with one
    suppression pattern for the family, every period."""
    wide, measures = _wide(rows, family)
    starts = rows.groupby("period")["period_start"].min()
    # Source areas -> leaves (LSOA 2021 or neighbourhood), counts shared by `share`.
    linked = wide.reset_index().merge(where.links, on="area_code", how="inner")
    for m in measures:
        linked[m] = linked[m] * linked["share"]
    out = []
    for period, at_period in linked.groupby("period", sort=True):
        at = {"period": period, "period_start": starts[period]}
        out += _period_values(at_period, at, family, measures, ids, where, limit)
    if not out:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    result = pd.concat(out, ignore_index=True)[VALUE_COLUMNS]
    result["period_start"] = pd.to_datetime(result["period_start"]).dt.date
    return result


def _wide(rows: pd.DataFrame, family: list[Spec]) -> tuple[pd.DataFrame, list[str]]:
    """The family's counts by (area_code, period), one column per measure it uses."""
    if family[0].numerator == "agreeing":  # survey question
        part = rows[rows["measure"] == family[0].key]
        measures = ["respondents", "agreeing"]
        return part.set_index(["area_code", "period"])[measures].astype(float), measures
    measures = sorted({s.numerator for s in family} | {s.denominator for s in family} - {None})
    part = rows[rows["measure"].isin(measures)]
    wide = part.pivot_table(
        index=["area_code", "period"], columns="measure", values="count", aggfunc="sum"
    ).astype(float)
    return wide.reindex(columns=measures), measures


def _period_values(
    linked: pd.DataFrame,
    at: dict,
    family: list[Spec],
    measures: list[str],
    ids: dict[str, str],
    where: _Geography,
    limit: int,
) -> list[pd.DataFrame]:
    """One period's values of each indicator of the family, suppressed together: primary and
    secondary suppression over every published area, then the exact audit."""
    leaf_values = linked.groupby("leaf")[measures].sum()
    units = linked.pivot_table(
        index="leaf", columns="unit_code", values="share", aggfunc="max", fill_value=0.0
    ).reindex(leaf_values.index)
    table = _area_table(where, list(leaf_values.index))
    membership = table.membership
    counts = membership.astype(float) @ leaf_values.to_numpy()
    kinds = _kinds(family, measures, counts)
    kind_leaves = _kinds(family, measures, leaf_values.to_numpy())
    groups = disclosure.hierarchy_groups(membership, kind_leaves, table.leaf_rows, table.partitions)
    hidden = disclosure.suppress(
        kinds, groups, limit, vectors=membership.astype(float) @ units.to_numpy()
    )
    out = []
    for spec in family:
        numerator = counts[:, measures.index(spec.numerator)]
        denominator = counts[:, measures.index(spec.denominator)] if spec.denominator else None
        frame = table.rows.assign(indicator_id=ids[spec.key], **at)
        frame = _with_values(frame, numerator, denominator)
        frame["suppressed"] = hidden
        for column in disclosure.NULLED:
            frame.loc[hidden, column] = np.nan
        out.append(frame)
    return out


def _kinds(family: list[Spec], measures: list[str], counts: np.ndarray) -> np.ndarray:
    """The counts suppression looks at: each numerator, and for a proportion its complement."""
    columns = []
    for spec in family:
        numerator = counts[:, measures.index(spec.numerator)]
        columns.append(numerator)
        if spec.denominator:
            columns.append(counts[:, measures.index(spec.denominator)] - numerator)
    return np.column_stack(columns)


def _with_values(frame: pd.DataFrame, numerator: np.ndarray, denominator) -> pd.DataFrame:
    """Value, counts and Wilson limits (a proportion, %), or the count itself."""
    frame = frame.copy()
    if denominator is None:
        frame["value"] = numerator
        frame["numerator"] = numerator
        frame["denominator"] = np.nan
        for column in disclosure.NULLED[3:]:
            frame[column] = np.nan
        return frame
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["value"] = np.where(denominator > 0, numerator / denominator * 100, np.nan)
    frame["numerator"] = numerator
    frame["denominator"] = denominator
    safe_num = np.minimum(numerator, denominator)  # shares can leave 1e-15 rounding over
    for level, confidence in (("95", 0.95), ("998", 0.998)):
        lower, upper = stats.wilson_ci(safe_num, denominator, confidence)
        frame[f"lower_ci{level}"] = np.asarray(lower) * 100
        frame[f"upper_ci{level}"] = np.asarray(upper) * 100
    return frame


@dataclass
class _AreaTable:
    rows: pd.DataFrame  # area_type, area_code, area_name, model_id, lad_code
    membership: np.ndarray  # rows x leaves
    leaf_rows: np.ndarray
    partitions: np.ndarray


def _area_table(where: _Geography, leaves: list[str]) -> _AreaTable:
    """The published rows made from the leaves that have data: leaves (if published), every
    model's neighbourhoods that contain any of them, and the borough."""
    index = {leaf: i for i, leaf in enumerate(leaves)}
    records, members, leaf_rows, partitions = [], [], [], []
    if where.publish_leaves and not where.by_neighbourhood:
        for leaf in leaves:
            records.append(("lsoa", leaf, where.leaf_names.get(leaf, leaf), None))
            members.append([index[leaf]])
            leaf_rows.append(True)
            partitions.append(-1)
    models = where.models[where.models["leaf"].isin(index)]
    for number, (model_id, model) in enumerate(models.groupby("model_id", sort=True)):
        for code, hood in model.groupby("neighbourhood_code", sort=True):
            records.append(("neighbourhood", code, hood["neighbourhood_name"].iloc[0], model_id))
            members.append([index[leaf] for leaf in hood["leaf"]])
            leaf_rows.append(where.by_neighbourhood)
            partitions.append(-1 if where.by_neighbourhood else number)
    records.append(("lad", where.lad_code, where.lad_name, None))
    members.append(list(range(len(leaves))))
    leaf_rows.append(False)
    partitions.append(-1)
    membership = np.zeros((len(records), len(leaves)), dtype=bool)
    for r, cols in enumerate(members):
        membership[r, cols] = True
    frame = pd.DataFrame(records, columns=["area_type", "area_code", "area_name", "model_id"])
    frame["lad_code"] = where.lad_code
    return _AreaTable(frame, membership, np.array(leaf_rows), np.array(partitions))
