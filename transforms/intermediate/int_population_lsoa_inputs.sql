-- Grain: one row per period, native LSOA: the resident population (ONS small-area estimates on
-- LSOA 2011, Census 2021 on LSOA 2021), published as the indicator 'population' (a sum).
with population as (
    select period, make_date(cast(period as integer), 6, 30) as period_start, 'lsoa11' as geography,
        lsoa11_code as lsoa_code, null as native_lad_code, null as native_lad_name,
        'population' as indicator_id, population as numerator, null as denominator
    from stg_population_lsoa11
    union all
    select '2021', date '2021-03-21', 'lsoa21', lsoa21_code, null, null,
        'population', population, null
    from stg_population_lsoa21
)
select * from population
