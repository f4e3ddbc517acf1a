"""Contracts of the published tables: keys, allowed values, codes, coverage, totals."""

from __future__ import annotations

from transforms.catalogue import AGGREGATIONS, CI_METHODS, POLARITIES


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v + "'" for v in values) + ")"


CONTRACTS: tuple[tuple[str, str], ...] = (
    (
        "indicator_catalogue: indicator_id is unique",
        "select indicator_id from indicator_catalogue group by all having count(*) > 1",
    ),
    (
        "indicator_catalogue: polarity, aggregation and ci_method take allowed values",
        f"select indicator_id from indicator_catalogue where polarity not in {_in(POLARITIES)} "
        f"or aggregation not in {_in(AGGREGATIONS)} or ci_method not in {_in(CI_METHODS)}",
    ),
    (
        "neighbourhood_models: (model_id, lsoa21_code) is unique",
        "select model_id, lsoa21_code from neighbourhood_models group by all having count(*) > 1",
    ),
    (
        "neighbourhood_models: every LSOA of the borough is in exactly one neighbourhood",
        """
        with models as (select distinct model_id, lad_code from neighbourhood_models)
        select m.model_id, g.lsoa21_code
        from models as m join int_geography_lsoa21 as g using (lad_code)
        left join neighbourhood_models as n
            on n.model_id = m.model_id and n.lsoa21_code = g.lsoa21_code
        where n.lsoa21_code is null
        """,
    ),
    (
        "neighbourhood_models: LSOAs belong to the model's borough; names are not empty",
        """
        select n.model_id, n.lsoa21_code from neighbourhood_models as n
        left join int_geography_lsoa21 as g using (lsoa21_code)
        where g.lad_code is distinct from n.lad_code or trim(n.neighbourhood_name) = ''
            or n.neighbourhood_name is null
        """,
    ),
    (
        "int_geography_lsoa21: every LSOA 2021 has an MSOA, a ward, an LA and a region",
        "select lsoa21_code from int_geography_lsoa21 where msoa21_code is null "
        "or ward_code is null or lad_code is null or region_code is null",
    ),
    (
        "indicator_values: key (area_type, area_code, model_id, indicator_id, period) is unique",
        # grouped by a hash first (cheap), then exactly among the rows sharing a hash
        "select area_type, area_code, model_id, indicator_id, period from indicator_values "
        "where hash(area_type, area_code, model_id, indicator_id, period) in ("
        "select hash(area_type, area_code, model_id, indicator_id, period) "
        "from indicator_values group by 1 having count(*) > 1) "
        "group by all having count(*) > 1",
    ),
    (
        "indicator_values: area_type is allowed, codes are well-formed, model_id only on "
        "neighbourhoods",
        """
        select area_type, area_code, model_id from indicator_values
        where area_type not in ('lsoa', 'neighbourhood', 'lad', 'england')
            or (area_type = 'lsoa' and not regexp_full_match(area_code, 'E01\\d{6}'))
            or (area_type = 'lad' and not regexp_full_match(area_code, 'E0[6-9]\\d{6}'))
            or ((area_type = 'neighbourhood') != (model_id is not null))
        """,
    ),
    (
        "indicator_values: every indicator is in the catalogue and every value is present",
        """
        select v.indicator_id, v.area_code, v.period from indicator_values as v
        left join indicator_catalogue as c using (indicator_id)
        where c.indicator_id is null or v.value is null or isnan(v.value)
            or v.period_start is null
        """,
    ),
    (
        "indicator_values: percentages lie in [0, 100] and CI bounds bracket the value",
        """
        select v.indicator_id, v.area_code, v.period, v.value from indicator_values as v
        join indicator_catalogue as c using (indicator_id)
        where (c.unit = '%' and (v.value < 0 or v.value > 100.0000001))
            or v.lower_ci95 > v.value + 1e-9 or v.upper_ci95 < v.value - 1e-9
            or v.lower_ci998 > v.lower_ci95 + 1e-9 or v.upper_ci998 < v.upper_ci95 - 1e-9
        """,
    ),
    (
        "harmonisation: moving 2011-based counts onto LSOA 2021 keeps England's totals",
        """
        with native as (
            select period, indicator_id, sum(numerator) as n, sum(denominator) as d
            from int_native_indicator_inputs
            where indicator_id in ('population', 'imd_score', 'imd_pop_most_deprived_10_pct')
            group by all
        ), moved as (
            select period, indicator_id, sum(numerator) as n, sum(denominator) as d
            from int_lsoa21_indicator_inputs
            where indicator_id in ('population', 'imd_score', 'imd_pop_most_deprived_10_pct')
            group by all
        )
        select * from native join moved using (period, indicator_id)
        where abs(native.n - moved.n) > 1e-6 * native.n
            or abs(coalesce(native.d, 0) - coalesce(moved.d, 0)) > 1e-6 * coalesce(native.d, 1)
        """,
    ),
    (
        "neighbourhoods: each model's neighbourhood populations add up to its borough's",
        """
        with nb as (
            select model_id, lad_code, period, sum(numerator) as population
            from indicator_values
            where area_type = 'neighbourhood' and indicator_id = 'population'
            group by all
        ), borough as (
            select lad_code, period, sum(numerator) as population
            from indicator_values where area_type = 'lsoa' and indicator_id = 'population'
            group by all
        )
        select nb.*, borough.population from nb join borough using (lad_code, period)
        where abs(nb.population - borough.population) > 1e-6 * borough.population
        """,
    ),
    (
        "LAs: each borough's population adds up to the sum of its LSOAs",
        """
        with lsoa as (
            select lad_code, period, sum(numerator) as population
            from indicator_values where area_type = 'lsoa' and indicator_id = 'population'
            group by all
        )
        select l.lad_code, l.period, l.population, v.numerator
        from lsoa as l
        left join indicator_values as v
            on v.area_type = 'lad' and v.area_code = l.lad_code and v.period = l.period
            and v.indicator_id = 'population'
        where v.numerator is null or abs(v.numerator - l.population) > 1e-6 * l.population
        """,
    ),
    (
        "indicator_values: values only for the area types the catalogue declares (sub-ICB, ICB "
        "and LA values never appear as neighbourhood or LSOA values)",
        """
        select v.indicator_id, v.area_type from indicator_values as v
        join indicator_catalogue as c using (indicator_id)
        where not list_contains(string_split(c.area_types, ','), v.area_type)
        group by all
        """,
    ),
)
