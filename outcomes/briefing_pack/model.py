"""A model's data for its packs, read from the database once (`load_model`), and the choices a
pack is made for (`PackOptions`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from outcomes import change, geo, headlines, labels, queries
from outcomes.uploads import datasets, storage

DEFAULT_INDICATOR = "income_deprived_pct"
PACK_SCALE = 2  # PNGs in packs: 2,000 px wide, ~280 dpi across an A4 page
Progress = Callable[[float, str], None]


class PackError(ValueError):
    """A pack cannot be made for this borough, model or neighbourhood."""


@dataclass(frozen=True)
class PackOptions:
    """The choices a pack is made for (the Briefing page's sidebar, or the CLI's flags)."""

    baseline: str = "2019"
    comparator: str = "lad"  # lad | england | rest
    ci_level: str = "95"
    indicator_id: str = DEFAULT_INDICATOR  # the indicator of the ranking, spread and map
    charts: bool = True
    scale: float = PACK_SCALE
    produced: date = field(default_factory=date.today)

    @property
    def year(self) -> int:
        """The baseline year ('2019', or a period such as '2019/20' read as its year)."""
        return change.period_year(self.baseline) or change.DEFAULT_YEAR


@dataclass
class ModelData:
    """Everything a model's packs need, read from the database once."""

    lad_code: str
    lad_name: str
    model_id: str
    model_name: str
    neighbourhoods: pd.DataFrame  # neighbourhood_code, neighbourhood_name, lsoas
    catalogue: pd.DataFrame
    values: pd.DataFrame  # area_values of the headline, chart and profile indicators
    rest_sums: dict[str, pd.DataFrame]
    spread: pd.DataFrame
    lsoa_values: pd.DataFrame  # the chart indicator's LSOA values (may be empty)
    lsoa_shapes: dict
    outlines: dict  # neighbourhood outlines, feature id = neighbourhood name
    headline_ids: tuple[str, ...] = ()  # the borough's headline set (`outcomes.headlines`)
    chart_indicator: str = DEFAULT_INDICATOR  # the indicator of the ranking, spread and map
    chart_note: str = ""  # why the chart indicator is not the one asked for, if it is not

    def name_of(self, code: str) -> str:
        rows = self.neighbourhoods[self.neighbourhoods.neighbourhood_code == code]
        if rows.empty:
            raise PackError(f"{code} is not a neighbourhood of {self.model_name}")
        return str(rows.neighbourhood_name.iloc[0])

    def comparator_label(self, comparator: str) -> str:
        """The comparator in words: 'Trafford', 'England', 'the rest of Trafford'."""
        return labels.comparator_name(comparator, self.lad_name) or labels.ENGLAND

    def profile_ids(self, indicator_id: str | None = None) -> tuple[str, ...]:
        """The pack's indicators: the headline ones and the chart indicator."""
        return profile_ids(
            indicator_id or self.chart_indicator,
            set(self.catalogue.indicator_id),
            self.headline_ids,
        )


def profile_ids(
    indicator_id: str, known: set[str], headline_ids: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The headline indicators and the chart indicator, in order, that exist."""
    ids = [i for i in headline_ids if i in known]
    if indicator_id not in ids:
        ids.append(indicator_id)
    return tuple(ids)


def borough_headline_ids(con, lad_code: str, catalogue: pd.DataFrame) -> tuple[str, ...]:
    """The borough's headline set as the Briefing shows it: its saved outcomes framework, or
    the shipped defaults with its uploaded partner indicators."""
    partner: list[str] = []
    for dataset_id in datasets.list_datasets(con, lad_code).dataset_id:
        partner += datasets.dataset_indicators(con, dataset_id).indicator_id.astype(str).tolist()
    return headlines.headline_ids(storage.store_for(con), lad_code, catalogue, partner)


def varies(values: pd.DataFrame, indicator_id: str) -> bool:
    """Whether the indicator's neighbourhood values differ in its latest period (a chart of
    identical values, all zeros say, shows nothing)."""
    rows = values[
        (values.indicator_id == indicator_id)
        & (values.area_type == "neighbourhood")
        & values.value.notna()
    ]
    if rows.empty:
        return False
    latest = rows[rows.period_start == rows.period_start.max()].value.round(6)
    return latest.nunique() > 1


def chart_indicator(
    values: pd.DataFrame, catalogue: pd.DataFrame, asked: str, candidates: tuple[str, ...]
) -> tuple[str, str]:
    """(indicator, note): the one asked for when its neighbourhoods differ, else the first
    headline indicator with a series whose neighbourhoods differ, saying why."""
    if varies(values, asked):
        return asked, ""
    names = dict(zip(catalogue.indicator_id, catalogue.name, strict=True))
    hoods = values[(values.area_type == "neighbourhood") & values.value.notna()]
    counts = hoods.groupby("indicator_id").period.nunique()
    covered = hoods.groupby("indicator_id").area_code.nunique()
    facts = catalogue.set_index("indicator_id")

    def order(i: str) -> tuple[bool, ...]:
        """Judged rates and shares first (not totals), series before single periods,
        comparable series first."""
        row = facts.loc[i] if i in facts.index else None
        if row is None:
            return (True, True, True, True, True)
        comparable = row.comparable_over_time
        return (
            row.aggregation == "sum",
            row.polarity == "no_judgement",
            covered.get(i, 0) < covered.max(),  # some neighbourhoods without figures
            counts.get(i, 0) < 2,
            comparable is not None and not pd.isna(comparable) and not bool(comparable),
        )

    ranked = sorted(candidates, key=order)
    for other in ranked:
        if other != asked and varies(values, other) and names.get(other):
            return other, (
                f"{names.get(asked, asked)} is the same in every neighbourhood of this model "
                f"in its latest period, so the ranking, spread and map show "
                f"{names[other]} instead."
            )
    return asked, f"{names.get(asked, asked)} is the same in every neighbourhood of this model."


def _borough_and_model(con, lad_code: str, model_id: str) -> tuple[str, str]:
    """The borough's and the model's names; PackError when either is unknown."""
    lads = queries.boroughs(con)
    lad = lads[lads.lad_code == lad_code]
    if lad.empty:
        raise PackError(f"unknown borough (LA 2024 code) {lad_code}")
    models = queries.models(con, lad_code)
    model = models[models.model_id == model_id]
    if model.empty:
        known = ", ".join(models.model_id)
        raise PackError(f"{model_id} is not a neighbourhood model of {lad_code}; try: {known}")
    return str(lad.lad_name.iloc[0]), str(model.model_name.iloc[0])


def load_model(
    con,
    lad_code: str,
    model_id: str,
    indicator_id: str = DEFAULT_INDICATOR,
    headline_ids: tuple[str, ...] | None = None,
) -> ModelData:
    """Read a model's data for its packs (about a second); PackError for an unknown borough,
    model or indicator. `headline_ids` default to the borough's headline set; the chart
    indicator is replaced (and the pack says why) when its neighbourhoods do not differ."""
    lad_name, model_name = _borough_and_model(con, lad_code, model_id)
    cat = queries.catalogue(con)
    area_cat = cat[cat.aggregation != "lsoa_only"]
    if indicator_id not in set(area_cat.indicator_id):
        raise PackError(f"{indicator_id} is not an indicator with neighbourhood values")
    if headline_ids is None:
        headline_ids = borough_headline_ids(con, lad_code, cat)
    ids = profile_ids(indicator_id, set(area_cat.indicator_id), tuple(headline_ids))
    values = queries.area_values(con, lad_code, model_id, ids)
    chosen, note = chart_indicator(values, cat, indicator_id, tuple(headline_ids))
    membership = queries.model_membership(con, model_id)
    return ModelData(
        lad_code=lad_code,
        lad_name=lad_name,
        model_id=model_id,
        model_name=model_name,
        neighbourhoods=queries.neighbourhoods(con, model_id),
        catalogue=cat,
        values=values,
        rest_sums={i: queries.rest_of_borough(con, lad_code, model_id, i) for i in ids},
        spread=queries.neighbourhood_spread(con, model_id, ids),
        lsoa_values=queries.lsoa_values(con, lad_code, chosen, model_id),
        lsoa_shapes=geo.lsoa_geojson(lad_code),
        outlines=geo.neighbourhood_geojson(
            lad_code,
            dict(zip(membership.lsoa21_code, membership.neighbourhood_name, strict=True)),
        ),
        headline_ids=tuple(i for i in headline_ids if i in set(area_cat.indicator_id)),
        chart_indicator=chosen,
        chart_note=note,
    )
