"""The indicator catalogue: what each published indicator means, how it is built and its caveats.

Kept in code (not a spreadsheet) so every indicator the build publishes is documented, and a test
can check that the catalogue and the values table agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from transforms.sources import DOMAINS

OGL = "Open Government Licence v3.0"
IOD_SOURCE = "English Indices of Deprivation 2010, 2015, 2019 and 2025"
IOD_PUBLISHER = "MHCLG (DCLG for 2010 and 2015)"
IOD_RELATIVE = (
    "IoD scores and ranks are relative within a wave: a change in score between waves does not "
    "measure a change in absolute deprivation. Compare waves through ranks, deciles and shares. "
)
HARMONISED = (
    "Earlier waves are shown on LSOA 2021 geography through the ONS LSOA 2001->2011->2021 "
    "lookups: unchanged LSOAs map 1:1, split LSOAs inherit their parent's value, merged LSOAs "
    "take the population-weighted mean (counts are summed). "
)
WEIGHTS = (
    "Population weights: IoD2019 uses its official mid-2015 denominators (reproducing the "
    "official LA summaries); IoD2025 uses Census 2021 usual residents; IoD2010 and IoD2015 use "
    "ONS mid-2017 small-area estimates, because the official mid-2008 and mid-2012 denominators "
    "are not bundled, so their LA averages may differ slightly from the official summaries. "
)
DOMAIN_NAMES = {
    "income": "Income",
    "employment": "Employment",
    "education": "Education, skills and training",
    "health": "Health deprivation and disability",
    "crime": "Crime",
    "barriers": "Barriers to housing and services",
    "living_env": "Living environment",
}

# How LSOA values become area values (the `aggregation` column):
#   weighted_mean: sum(value * population) / sum(population)
#   ratio:         sum(numerator) / sum(denominator) * multiplier
#   lsoa_share:    share of LSOAs meeting a condition (each LSOA counts once)
#   sum:           sum of counts
#   lsoa_only:     an LSOA attribute (rank, decile) with no area equivalent
AGGREGATIONS = ("weighted_mean", "ratio", "lsoa_share", "sum", "lsoa_only")
POLARITIES = ("higher_is_better", "higher_is_worse", "no_judgement")
CI_METHODS = ("none", "wilson", "byar")


@dataclass(frozen=True)
class Indicator:
    """One row of `indicator_catalogue`."""

    indicator_id: str
    name: str
    domain: str
    definition: str
    unit: str
    polarity: str
    aggregation: str
    source: str
    publisher: str
    licence: str
    caveats: str
    multiplier: float = 1.0
    ci_method: str = "none"
    geography: str = "LSOA"
    sort_order: int = 0
    # Area types that have values (an indicator published only for sub-ICB locations has no
    # LSOA or neighbourhood rows, and pages must not present it as neighbourhood variation).
    area_types: str = "lsoa,neighbourhood,lad,england"
    coverage: str = "England"  # e.g. "Greater Manchester only"; shown beside the indicator
    # False where values of different periods must not be read as change (IoD scores are
    # relative within a wave; a definition changed): change is then shown but not judged.
    comparable_over_time: bool = True


def _iod(
    indicator_id: str,
    name: str,
    definition: str,
    unit: str,
    aggregation: str,
    caveats: str,
    multiplier: float = 1.0,
    polarity: str = "higher_is_worse",
    comparable_over_time: bool = True,
) -> Indicator:
    return Indicator(
        comparable_over_time=comparable_over_time,
        indicator_id=indicator_id,
        name=name,
        domain="Deprivation",
        definition=definition,
        unit=unit,
        polarity=polarity,
        aggregation=aggregation,
        source=IOD_SOURCE,
        publisher=IOD_PUBLISHER,
        licence=OGL,
        caveats=caveats,
        multiplier=multiplier,
        geography="LSOA 2001 (2010), LSOA 2011 (2015, 2019), LSOA 2021 (2025)",
    )


NO_CI = "A complete count of all LSOAs, not a sample: no confidence interval applies. "


def _catalogue() -> list[Indicator]:
    rows = [
        _iod(
            "imd_score",
            "IMD average score",
            "Population-weighted average of the Index of Multiple Deprivation score of the "
            "area's LSOAs (higher = more deprived), as in the official LA summaries.",
            "score",
            "weighted_mean",
            IOD_RELATIVE + HARMONISED + WEIGHTS + NO_CI,
            comparable_over_time=False,
        ),
        _iod(
            "imd_pop_most_deprived_10_pct",
            "Population in England's most deprived 10%",
            "Percentage of residents living in LSOAs in England's most deprived decile on the IMD.",
            "%",
            "ratio",
            HARMONISED + WEIGHTS + NO_CI,
            multiplier=100.0,
        ),
        _iod(
            "imd_pop_most_deprived_20_pct",
            "Population in England's most deprived 20%",
            "Percentage of residents living in LSOAs in England's most deprived quintile on the "
            "IMD.",
            "%",
            "ratio",
            HARMONISED + WEIGHTS + NO_CI,
            multiplier=100.0,
        ),
        _iod(
            "imd_lsoas_most_deprived_10_pct",
            "LSOAs in England's most deprived 10%",
            "Percentage of the area's LSOAs that are in England's most deprived decile on the "
            "IMD (the official 'proportion of LSOAs in most deprived 10% nationally').",
            "%",
            "lsoa_share",
            "Areas are counted on LSOA 2021 geography for neighbourhoods and on the wave's own "
            "LSOAs for boroughs and England. " + HARMONISED + NO_CI,
            multiplier=100.0,
        ),
        _iod(
            "imd_lsoas_most_deprived_20_pct",
            "LSOAs in England's most deprived 20%",
            "Percentage of the area's LSOAs that are in England's most deprived quintile on the "
            "IMD.",
            "%",
            "lsoa_share",
            "Areas are counted on LSOA 2021 geography for neighbourhoods and on the wave's own "
            "LSOAs for boroughs and England. " + HARMONISED + NO_CI,
            multiplier=100.0,
        ),
        _iod(
            "income_deprived_pct",
            "Income deprivation rate",
            "Percentage of residents who are income deprived (IoD income domain score, a rate), "
            "population-weighted.",
            "%",
            "weighted_mean",
            "The income domain's definition changed for IoD2025 (it counts more benefits, "
            "including Universal Credit), so rates are much higher than in IoD2019 everywhere "
            "(England 23.2% against 12.8%): compare waves through ranks and shares, not rates. "
            "IoD2019 rates are derived from File 8 numerators (rounded to 5, suppressed when "
            "small) over File 6 denominators; 31 LSOAs with suppressed numerators are left out. "
            "Not published for IoD2015 in the bundled data. " + HARMONISED + WEIGHTS + NO_CI,
            multiplier=100.0,
            comparable_over_time=False,
        ),
        _iod(
            "imd_rank",
            "IMD rank (LSOA)",
            "National rank of the LSOA on the IMD (1 = most deprived in England). LSOAs only.",
            "rank",
            "lsoa_only",
            "Ranks run to the number of LSOAs in the wave (32,482 in 2010; 32,844 in 2015 and "
            "2019; 33,755 in 2025). A merged 2021 LSOA takes the rank of its most populous "
            "parent. " + HARMONISED,
            polarity="higher_is_better",
        ),
        _iod(
            "imd_decile",
            "IMD decile (LSOA)",
            "National decile of the LSOA on the IMD (1 = England's most deprived 10%). LSOAs only.",
            "decile",
            "lsoa_only",
            "IoD2010 deciles were computed from published ranks. A merged 2021 LSOA takes the "
            "decile of its most populous parent. " + HARMONISED,
            polarity="higher_is_better",
        ),
    ]
    for domain in DOMAINS:
        label = DOMAIN_NAMES[domain]
        rows.append(
            _iod(
                f"{domain}_pop_most_deprived_10_pct",
                f"{label}: population in England's most deprived 10%",
                f"Percentage of residents living in LSOAs in England's most deprived decile on "
                f"the {label} domain of the IoD.",
                "%",
                "ratio",
                "Domain deciles are not in the bundled IoD2015 file, so this indicator has no "
                "2015 value. " + HARMONISED + WEIGHTS + NO_CI,
                multiplier=100.0,
            )
        )
    rows.append(
        Indicator(
            indicator_id="population",
            name="Population",
            domain="Population",
            definition="Usual resident population: ONS mid-year small-area estimates (2017, "
            "2019, 2020) and Census 2021 usual residents.",
            unit="people",
            polarity="no_judgement",
            aggregation="sum",
            source="ONS small area population estimates (mid-2017, mid-2019, mid-2020); Census "
            "2021 table TS021",
            publisher="Office for National Statistics",
            licence=OGL,
            caveats="Mid-year estimates are on LSOA 2011 geography and apportioned to LSOA 2021 "
            "by Census 2021 population shares; Census 2021 counts are perturbed for disclosure "
            "control (small differences between tables).",
            geography="LSOA 2011 (2017-2020), LSOA 2021 (2021)",
        )
    )
    return [Indicator(**{**asdict(row), "sort_order": order}) for order, row in enumerate(rows, 1)]


DEPRIVATION_INDICATORS: tuple[Indicator, ...] = tuple(_catalogue())
