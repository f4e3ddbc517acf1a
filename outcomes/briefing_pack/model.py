"""A model's data for its packs, read from the database once (`load_model`), and the choices a
pack is made for (`PackOptions`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from outcomes import briefing, geo, labels, queries

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
    indicator_id: str = DEFAULT_INDICATOR  # the indicator of the trend, ranking and map
    charts: bool = True
    scale: float = PACK_SCALE
    produced: date = field(default_factory=date.today)


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

    def name_of(self, code: str) -> str:
        rows = self.neighbourhoods[self.neighbourhoods.neighbourhood_code == code]
        if rows.empty:
            raise PackError(f"{code} is not a neighbourhood of {self.model_name}")
        return str(rows.neighbourhood_name.iloc[0])

    def comparator_label(self, comparator: str) -> str:
        """The comparator in words: 'Trafford', 'England', 'the rest of Trafford'."""
        return labels.comparator_name(comparator, self.lad_name) or labels.ENGLAND

    def profile_ids(self, indicator_id: str) -> tuple[str, ...]:
        """The pack's indicators: the headline ones and the chart indicator."""
        return profile_ids(indicator_id, set(self.catalogue.indicator_id))


def profile_ids(indicator_id: str, known: set[str]) -> tuple[str, ...]:
    """The headline indicators and the chart indicator, in order, that exist."""
    ids = [i for i in briefing.HEADLINE_INDICATORS if i in known]
    if indicator_id not in ids:
        ids.append(indicator_id)
    return tuple(ids)


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
    con, lad_code: str, model_id: str, indicator_id: str = DEFAULT_INDICATOR
) -> ModelData:
    """Read a model's data for its packs (about a second); PackError for an unknown borough,
    model or indicator."""
    lad_name, model_name = _borough_and_model(con, lad_code, model_id)
    cat = queries.catalogue(con)
    area_cat = cat[cat.aggregation != "lsoa_only"]
    if indicator_id not in set(area_cat.indicator_id):
        raise PackError(f"{indicator_id} is not an indicator with neighbourhood values")
    ids = profile_ids(indicator_id, set(area_cat.indicator_id))
    membership = queries.model_membership(con, model_id)
    return ModelData(
        lad_code=lad_code,
        lad_name=lad_name,
        model_id=model_id,
        model_name=model_name,
        neighbourhoods=queries.neighbourhoods(con, model_id),
        catalogue=cat,
        values=queries.area_values(con, lad_code, model_id, ids),
        rest_sums={i: queries.rest_of_borough(con, lad_code, model_id, i) for i in ids},
        spread=queries.neighbourhood_spread(con, model_id, ids),
        lsoa_values=queries.lsoa_values(con, lad_code, indicator_id, model_id),
        lsoa_shapes=geo.lsoa_geojson(lad_code),
        outlines=geo.neighbourhood_geojson(
            lad_code,
            dict(zip(membership.lsoa21_code, membership.neighbourhood_name, strict=True)),
        ),
    )
