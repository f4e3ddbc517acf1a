-- Grain: one row per period, native LSOA and indicator: the numerator and denominator that the
-- indicator sums when LSOAs are aggregated (for a population-weighted mean, value x population
-- over population). Native = the LSOA geography the data was published on.
with recipes (indicator_id, measure, kind) as (
    values
        ('imd_score', 'imd_score', 'pop_weighted'),
        ('imd_pop_most_deprived_10_pct', 'imd_md10', 'pop_weighted'),
        ('imd_pop_most_deprived_20_pct', 'imd_md20', 'pop_weighted'),
        ('imd_lsoas_most_deprived_10_pct', 'imd_md10', 'lsoa_count'),
        ('imd_lsoas_most_deprived_20_pct', 'imd_md20', 'lsoa_count'),
        ('income_deprived_pct', 'income_rate', 'pop_weighted'),
        ('income_pop_most_deprived_10_pct', 'income_md10', 'pop_weighted'),
        ('employment_pop_most_deprived_10_pct', 'employment_md10', 'pop_weighted'),
        ('education_pop_most_deprived_10_pct', 'education_md10', 'pop_weighted'),
        ('health_pop_most_deprived_10_pct', 'health_md10', 'pop_weighted'),
        ('crime_pop_most_deprived_10_pct', 'crime_md10', 'pop_weighted'),
        ('barriers_pop_most_deprived_10_pct', 'barriers_md10', 'pop_weighted'),
        ('living_env_pop_most_deprived_10_pct', 'living_env_md10', 'pop_weighted')
),
iod as (
    select
        m.period,
        make_date(cast(m.period as integer), 1, 1) as period_start,
        m.geography,
        m.lsoa_code,
        m.native_lad_code,
        m.native_lad_name,
        r.indicator_id,
        case r.kind when 'pop_weighted' then m.value * p.population else m.value end as numerator,
        case r.kind when 'pop_weighted' then p.population else 1 end as denominator
    from int_iod_lsoa_measures as m
    join recipes as r using (measure)
    join int_native_population as p using (period, geography, lsoa_code)
    where m.value is not null
),
population as (
    select period, make_date(cast(period as integer), 6, 30) as period_start, 'lsoa11' as geography,
        lsoa11_code as lsoa_code, null as native_lad_code, null as native_lad_name,
        'population' as indicator_id, population as numerator, null as denominator
    from stg_population_lsoa11
    union all
    select '2021', date '2021-03-21', 'lsoa21', lsoa21_code, null, null,
        'population', population, null
    from stg_population_lsoa21
),
other_domains as (
    select period, period_start, geography, lsoa_code, null as native_lad_code,
        null as native_lad_name, indicator_id, numerator, denominator
    from int_access_lsoa_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_service_lsoa_inputs
),
final as (
    select u.*, coalesce(l11.lad_code, g.lad_code) as lad24_code,
        coalesce(l11.lad_name, g.lad_name) as lad24_name
    from (
        select * from iod
        union all select * from population
        union all select * from other_domains
    ) as u
    left join int_lsoa11_lad24 as l11 on u.geography = 'lsoa11' and l11.lsoa11_code = u.lsoa_code
    left join int_lsoa21_geography as g on u.geography = 'lsoa21' and g.lsoa21_code = u.lsoa_code
)
select * from final
