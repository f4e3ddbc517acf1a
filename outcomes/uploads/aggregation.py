"""A dataset's stored rows to indicator values for its LSOAs, every neighbourhood model of the
borough and the borough itself, all after disclosure control (`disclosure`: cell key
perturbation and small-count suppression).

Counts are summed, never rates averaged. A row's count is a number of events (appointments,
respondents); events are placed whole in leaves (LSOAs 2021, or the neighbourhoods of the one
model a survey by neighbourhood names): a 2011 LSOA, postcode or practice whose LSOA is split
between 2021 LSOAs gives each its share of whole events (largest remainder, by the lookup's
`share`). Every published area adds up its leaves, and its cell key adds up the keys of its
events and of every leaf it covers (`disclosure.RecordKeys`), so the same events in the same
areas always get the same published value, whichever model, page or re-aggregation asks.
Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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
EVENT_COLUMNS = ["period", "measure", "leaf", "count", "key"]


@dataclass(frozen=True)
class _Protection:
    """What disclosure control needs: the threshold, the p-table's maximum perturbation and
    the dataset's keys."""

    limit: int
    max_perturbation: int
    keys: disclosure.RecordKeys


def materialise(
    con: duckdb.DuckDBPyConnection,
    meta: dict,
    rows: pd.DataFrame,
    areas: pd.DataFrame,
    limit: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Catalogue rows and protected indicator values of one dataset (nothing written):
    counts below `limit` suppressed, every count perturbed as `disclosure.policy` says."""
    polarity = meta.get("polarity") or "no_judgement"
    made = specs(meta["kind"], sorted(rows["measure"].unique()), polarity)
    ids = indicator_ids(meta["dataset_id"], made)
    where = _Geography.load(con, meta, areas)
    spread = disclosure.policy().max_perturbation
    keys = disclosure.RecordKeys(disclosure.installation_secret(con), meta["dataset_id"])
    protection = _Protection(limit, spread, keys)
    frames = []
    for family in sorted({s.family for s in made}):
        members = [s for s in made if s.family == family]
        frames.append(_family_values(rows, members, ids, where, protection))
    values = pd.concat(frames, ignore_index=True)
    catalogue = catalogue_rows(
        meta,
        made,
        ids,
        lad_name=where.lad_name,
        model_name=where.model_name,
        limit=limit,
        max_perturbation=spread,
        lsoa11_converted=meta["area_column"] == "lsoa_code"
        and bool((areas["area_code"] != areas["lsoa21_code"]).any()),
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

    @cached_property
    def universe(self) -> list[str]:
        """Every leaf of the borough (or of the survey's model), with data or not: the blocks
        whose keys enter the cell keys."""
        return sorted(
            set(self.leaf_names) | set(self.models["leaf"]) | set(self.links["leaf"].dropna())
        )

    @cached_property
    def neighbourhoods(self) -> list[tuple[str, str, str, list[int]]]:
        """Every model's neighbourhoods, by model and code: (model_id, code, name, the
        positions of its leaves in the universe)."""
        index = {leaf: i for i, leaf in enumerate(self.universe)}
        found: dict[tuple[str, str], tuple[str, list[int]]] = {}
        ordered = self.models.sort_values(["model_id", "neighbourhood_code"], kind="stable")
        for r in ordered.itertuples(index=False):
            key = (r.model_id, r.neighbourhood_code)
            found.setdefault(key, (r.neighbourhood_name, []))[1].append(index[r.leaf])
        return [(model, code, name, leaves) for (model, code), (name, leaves) in found.items()]


def _family_values(
    rows: pd.DataFrame,
    family: list[Spec],
    ids: dict[str, str],
    where: _Geography,
    protection: _Protection,
) -> pd.DataFrame:
    """Values of one family of indicators (e.g. missed and attended over booked, which share
    the booked count), every period."""
    counts, streams = _counts(rows, family)
    events = _leaf_events(counts, where.links, protection.keys)
    starts = rows.groupby("period")["period_start"].min()
    out = []
    for period, at_period in events.groupby("period", sort=True):
        at = {"period": period, "period_start": starts[period]}
        table = _area_table(where, sorted(set(at_period["leaf"])))
        published = {
            measure: _published(at_period, measure, stream, table, protection)
            for measure, stream in streams.items()
        }
        out += [_indicator_rows(table, at, spec, ids, published, protection) for spec in family]
    if not out:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    result = pd.concat(out, ignore_index=True)[VALUE_COLUMNS]
    result["period_start"] = pd.to_datetime(result["period_start"]).dt.date
    return result


def _counts(rows: pd.DataFrame, family: list[Spec]) -> tuple[pd.DataFrame, dict]:
    """The family's counts, one row per source area, period and measure (area_code, period,
    measure, count, stream), and for each measure the input stream its events come from:
    (measure, 'count'), or for a survey (question, 'respondents' or 'agreeing')."""
    if family[0].numerator == "agreeing":  # survey question
        question = family[0].key
        part = rows[rows["measure"] == question]
        measures = ["respondents", "agreeing"]
        long = part[["area_code", "period", *measures]].melt(
            ["area_code", "period"], measures, "measure", "count"
        )
        streams = {m: (question, m) for m in measures}
    else:
        measures = sorted({s.numerator for s in family} | {s.denominator for s in family} - {None})
        long = rows.loc[rows["measure"].isin(measures), ["area_code", "period", "measure", "count"]]
        streams = {m: (m, "count") for m in measures}
    long = long[long["count"].notna()]
    long = long.assign(stream=long["measure"].map(streams))
    return long.reset_index(drop=True), streams


def apportion(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole events for each share (largest remainder; ties to the first): they add up to the
    total times the sum of the shares, rounded (all of them when the shares add up to 1)."""
    shares = np.asarray(shares, dtype=float)
    target = min(int(total), int(np.floor(total * shares.sum() + 0.5)))
    exact = total * shares
    whole = np.floor(exact).astype(np.int64)
    left = target - int(whole.sum())
    if left > 0:
        order = np.lexsort((np.arange(len(shares)), -(exact - whole)))
        whole[order[:left]] += 1
    return whole


def _leaf_events(
    counts: pd.DataFrame, links: pd.DataFrame, keys: disclosure.RecordKeys
) -> pd.DataFrame:
    """Each leaf's events by period and measure: their number and the sum of their keys
    (modulo 256). A source area in one leaf puts all its events there; one split between
    leaves gives each its share of whole events, in the leaves' code order."""
    placed = {
        area: (group["leaf"].tolist(), group["share"].to_numpy(float))
        for area, group in links.dropna(subset=["leaf"])
        .groupby(["area_code", "leaf"], as_index=False)["share"]
        .sum()
        .groupby("area_code", sort=False)
    }
    records = []
    for r in counts.itertuples(index=False):
        if r.area_code not in placed:
            continue
        leaves, shares = placed[r.area_code]
        row = (r.area_code, r.period, *r.stream)
        total = int(r.count)
        if len(leaves) == 1 and shares[0] == 1.0:
            records.append((r.period, r.measure, leaves[0], total, keys.running(row, total)))
            continue
        bounds = np.concatenate([[0], np.cumsum(apportion(total, shares))])
        for leaf, start, stop in zip(leaves, bounds[:-1], bounds[1:], strict=True):
            key = keys.events(row, int(start), int(stop))
            records.append((r.period, r.measure, leaf, int(stop - start), key))
    events = pd.DataFrame(records, columns=EVENT_COLUMNS)
    summed = events.groupby(["period", "measure", "leaf"], as_index=False)[["count", "key"]].sum()
    summed["key"] = summed["key"] % disclosure.KEY_SPACE
    return summed


@dataclass
class _AreaTable:
    rows: pd.DataFrame  # area_type, area_code, area_name, model_id, lad_code
    membership: np.ndarray  # rows x every leaf of the universe
    leaves: list[str]  # the universe, in the membership's column order


@dataclass(frozen=True)
class _Counts:
    """One measure on every published area: true counts and their perturbed values."""

    true: np.ndarray
    published: np.ndarray


def _published(
    events: pd.DataFrame,
    measure: str,
    stream: tuple[str, str],
    table: _AreaTable,
    protection: _Protection,
) -> _Counts:
    """One period's counts of one measure on every published area, true and perturbed: an
    area's cell key is the sum of its leaves' event keys and block keys, modulo 256."""
    mine = events[events["measure"] == measure].set_index("leaf")
    counts = mine["count"].reindex(table.leaves, fill_value=0).to_numpy(np.int64)
    event_keys = mine["key"].reindex(table.leaves, fill_value=0).to_numpy(np.int64)
    period = str(events["period"].iloc[0])
    blocks = np.array([protection.keys.block(stream, period, leaf) for leaf in table.leaves])
    leaf_keys = (event_keys + blocks) % disclosure.KEY_SPACE
    member = table.membership.astype(np.int64)
    true = member @ counts
    cell_keys = (member @ leaf_keys) % disclosure.KEY_SPACE
    return _Counts(true, disclosure.perturb(true, cell_keys, protection.max_perturbation))


def _indicator_rows(
    table: _AreaTable,
    at: dict,
    spec: Spec,
    ids: dict[str, str],
    published: dict[str, _Counts],
    protection: _Protection,
) -> pd.DataFrame:
    """One indicator's rows for one period: values from perturbed counts, suppressed where
    a true or perturbed count (or the rest of the denominator) is below the threshold."""
    numerator = published[spec.numerator]
    checked = [numerator.true, numerator.published]
    denominator = None
    if spec.denominator:
        whole = published[spec.denominator]
        checked += [whole.true - numerator.true, whole.published - numerator.published]
        denominator = whole.published.astype(float)
    hidden = disclosure.withheld(protection.limit, *checked)
    frame = table.rows.assign(indicator_id=ids[spec.key], **at)
    frame = _with_values(frame, numerator.published.astype(float), denominator)
    frame["suppressed"] = hidden
    for column in disclosure.NULLED:
        frame.loc[hidden, column] = np.nan
    return frame


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
    # Perturbed counts of a suppressed row may cross; its limits are nulled anyway.
    safe_num = np.minimum(numerator, denominator)
    for level, confidence in (("95", 0.95), ("998", 0.998)):
        lower, upper = stats.wilson_ci(safe_num, denominator, confidence)
        frame[f"lower_ci{level}"] = np.asarray(lower) * 100
        frame[f"upper_ci{level}"] = np.asarray(upper) * 100
    return frame


def _area_table(where: _Geography, data_leaves: list[str]) -> _AreaTable:
    """The published rows of one period: leaves with data (if published), every model's
    neighbourhoods that contain any of them, and the borough; each row's membership covers
    all its leaves (with data or not), so its cell key covers them all."""
    universe = where.universe
    index = {leaf: i for i, leaf in enumerate(universe)}
    records, members = [], []
    if where.publish_leaves and not where.by_neighbourhood:
        for leaf in data_leaves:
            records.append(("lsoa", leaf, where.leaf_names.get(leaf, leaf), None))
            members.append([index[leaf]])
    with_data = {index[leaf] for leaf in data_leaves}
    for model_id, code, name, leaves in where.neighbourhoods:
        if not with_data.isdisjoint(leaves):
            records.append(("neighbourhood", code, name, model_id))
            members.append(leaves)
    records.append(("lad", where.lad_code, where.lad_name, None))
    members.append(list(range(len(universe))))
    membership = np.zeros((len(records), len(universe)), dtype=bool)
    for r, cols in enumerate(members):
        membership[r, cols] = True
    frame = pd.DataFrame(records, columns=["area_type", "area_code", "area_name", "model_id"])
    frame["lad_code"] = where.lad_code
    return _AreaTable(frame, membership, universe)
