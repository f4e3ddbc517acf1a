-- Grain: one row per period, native LSOA and indicator (deprivation): the numerator and
-- denominator each IoD indicator sums when LSOAs are aggregated (a population-weighted mean is
-- value x population over population; an LSOA share counts each LSOA once). Native = the
-- LSOA geography of the wave (2001, 2011 or 2021). The recipes name every indicator built here.
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
    from int_deprivation_lsoa_measures as m
    join recipes as r using (measure)
    join int_population_native_lsoa as p using (period, geography, lsoa_code)
    where m.value is not null
)
select * from iod
