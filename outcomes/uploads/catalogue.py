"""A dataset's indicators: which it makes, their ids, and their catalogue rows.

Service events make a rate for each `<x>_missed` / `<x>_attended` with `<x>_booked` and a count
for any other measure; a survey makes the proportion agreeing for each question. Indicators of
one family (the parts of one `_booked`, or one question) share their denominator, perturbed
once (`disclosure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from outcomes.text import slug
from outcomes.uploads import formats
from outcomes.uploads.disclosure import USER_PREFIX
from outcomes.uploads.display import display_text
from outcomes.uploads.geography import POSTCODE_COVERAGE

_NONE = "no_judgement"


@dataclass(frozen=True)
class Spec:
    """One indicator of a dataset. Indicators of one family share their denominator."""

    key: str  # measure or question it reports
    family: str
    numerator: str  # a measure, or 'agreeing'
    denominator: str | None  # a measure, or 'respondents'; None for a count
    label: str
    polarity: str


def specs(kind: str, measures: list[str], polarity: str = "no_judgement") -> list[Spec]:
    """The indicators a dataset of `kind` with these measures (or questions) makes."""
    if kind == formats.SURVEY:
        return [
            Spec(q, q, "agreeing", "respondents", f"{q} (% agreeing)", polarity) for q in measures
        ]
    booked = formats.DENOMINATOR
    present = set(measures)
    rated = {m for m in measures if (p := formats.part(m)) and f"{p[0]}_{booked}" in present}
    denominators = {f"{formats.part(m)[0]}_{booked}" for m in rated}
    out = []
    for m in sorted(rated):
        base, suffix = formats.part(m)
        label = f"{base.replace('_', ' ').capitalize()} {suffix} (% of {booked})"
        out.append(Spec(m, f"{base}_{booked}", m, f"{base}_{booked}", label,
                        formats.PARTS[suffix]))  # fmt: skip
    for m in measures:
        if m not in denominators and m not in rated:
            label = f"{m.replace('_', ' ').capitalize()} (count)"
            out.append(Spec(m, m, m, None, label, "no_judgement"))
    return sorted(out, key=lambda s: s.key)


def indicator_ids(dataset_id: str, specs: list[Spec]) -> dict[str, str]:
    """Each indicator's id: 'user_' + the dataset + its measure, made unique."""
    base = f"{USER_PREFIX}{slug(dataset_id, limit=60, default='x')}"
    ids, taken = {}, set()
    for spec in specs:
        stem = f"{base}__{slug(spec.key, limit=40, default='x')}"
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = f"{stem}_{n}"
        taken.add(candidate)
        ids[spec.key] = candidate
    return ids


def catalogue_rows(
    meta: dict,
    specs: list[Spec],
    ids: dict[str, str],
    *,
    lad_name: str,
    model_name: str,
    limit: int,
    max_perturbation: int,
    lsoa11_converted: bool = False,
) -> pd.DataFrame:
    """The catalogue rows of a dataset's indicators (domain 'Your data'): names, definitions
    and caveats say where the data came from and how it was placed and protected
    (`lsoa11_converted`: the file gave LSOA 2011 codes, converted to 2021)."""
    organisation = meta.get("organisation") or ""
    by = display_text(organisation) if organisation else "your organisation"
    name = display_text(meta["dataset_name"])
    area_column = meta["area_column"]
    placement = _placement(area_column, model_name, lsoa11_converted)
    common = (
        f"Uploaded on {pd.Timestamp(meta['uploaded_at']).strftime('%d %B %Y')} from the file "
        f"'{display_text(meta['source_file'] or '?')}' by {by}. "
        f"{placement}Every count is perturbed by at most {max_perturbation} up or down (cell "
        "key perturbation: the same events always get the same adjustment) and counts below "
        f"{limit} are suppressed (shown blank and flagged); "
        "rates and intervals come from the perturbed counts, and totals need not equal the sum "
        "of their parts. Neighbourhood and borough values add up the areas in the file: areas "
        "left out count as no data, not as zero. No England comparator: this is one "
        "organisation's data for one borough."
    )
    area_types = (
        "neighbourhood,lad"
        if area_column in ("neighbourhood", "practice_code")
        else "lsoa,neighbourhood,lad"
    )
    epoch = int(pd.Timestamp(meta["uploaded_at"]).timestamp())
    records = []
    for order, spec in enumerate(specs):
        proportion = spec.denominator is not None
        definition, caveat = _definition(spec)
        records.append(
            {
                "indicator_id": ids[spec.key],
                "name": f"{display_text(spec.label)} – {name}",
                "domain": formats.DOMAIN,
                "definition": definition,
                "unit": "%" if proportion else "count",
                "polarity": spec.polarity if spec.polarity in formats.POLARITIES else _NONE,
                "aggregation": "ratio" if proportion else "sum",
                "source": f"Uploaded by {by}",
                "publisher": by,
                "licence": f"Held by {by}: share only as your data-sharing agreements allow",
                "caveats": common + caveat,
                "multiplier": 100.0 if proportion else 1.0,
                "ci_method": "wilson" if proportion else "none",
                "geography": _geography_words(area_column, model_name),
                "sort_order": 10**13 + epoch * 1000 + order,
                "area_types": area_types,
                "coverage": f"{lad_name} only (your data)",
            }
        )
    return pd.DataFrame(records)


def _placement(area_column: str, model_name: str, lsoa11_converted: bool = False) -> str:
    """How the file's areas were placed in LSOAs and neighbourhoods (a caveat)."""
    return {
        "lsoa_code": (
            "LSOA 2021 (the file's LSOA 2011 codes converted: a split LSOA's events are shared "
            "whole between its 2021 LSOAs by Census 2021 population). "
            if lsoa11_converted
            else "LSOA 2021 codes, as uploaded. "
        ),
        "postcode": (
            "Postcodes placed in LSOAs with the ONS postcode lookup (May 2022), bundled for "
            f"{POSTCODE_COVERAGE} only; 2011 LSOAs converted to 2021 by population share. "
        ),
        "practice_code": (
            "Practices attributed to neighbourhoods by their location (NHS England practice "
            "list, December 2025; ONS postcode lookup); registered patients live elsewhere "
            "too, so no LSOA values are shown. "
        ),
        "neighbourhood": (
            f"Given for the neighbourhoods of the model '{display_text(model_name)}' only: no "
            "LSOA values, and no values for other models. "
        ),
    }[area_column]


def _geography_words(area_column: str, model_name: str) -> str:
    return {
        "lsoa_code": "LSOA 2021 (from the uploaded LSOA codes)",
        "postcode": "postcode, placed in LSOAs 2021",
        "practice_code": "GP practice, placed in the LSOA of its postcode",
        "neighbourhood": f"neighbourhoods of '{display_text(model_name)}'",
    }[area_column]


def _definition(spec: Spec) -> tuple[str, str]:
    """An indicator's definition, and the caveat on its kind of figure."""
    if spec.numerator == "agreeing":
        return (
            f"Respondents agreeing with '{display_text(spec.key)}' as a percentage of "
            "respondents (unweighted).",
            " A survey proportion with Wilson intervals that assume a simple random "
            "sample; weighting is not applied.",
        )
    if spec.denominator is not None:
        return (
            f"{spec.numerator} as a percentage of {spec.denominator}, from the counts uploaded.",
            " Wilson score intervals for the proportion.",
        )
    return (
        f"Number of {spec.key.replace('_', ' ')} (sum of the uploaded counts).",
        " A count: it depends on the size of the area.",
    )
