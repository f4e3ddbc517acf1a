-- Grain: one row per period, native LSOA and indicator: the numerator and denominator that the
-- indicator sums when LSOAs are aggregated (for a population-weighted mean, value x population
-- over population). Native = the LSOA geography the data was published on. Each domain's
-- inputs come from its own int_<domain>_lsoa_inputs model.
with other_domains as (
    select period, period_start, geography, lsoa_code, null as native_lad_code,
        null as native_lad_name, indicator_id, numerator, denominator
    from int_health_access_lsoa_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_health_access_gp_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_transport_lsoa_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_service_use_lsoa_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_cohesion_lsoa_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_health_access_gp_payment_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_deprivation_housing_inputs
    union all
    select period, period_start, geography, lsoa_code, null, null, indicator_id, numerator,
        denominator
    from int_population_health_inputs
),
final as (
    select u.*, coalesce(l11.lad_code, g.lad_code) as lad24_code,
        coalesce(l11.lad_name, g.lad_name) as lad24_name
    from (
        select * from int_deprivation_lsoa_inputs
        union all select * from int_deprivation_income_age_inputs
        union all select * from int_population_lsoa_inputs
        union all select * from other_domains
    ) as u
    left join int_geography_lsoa11_lad24 as l11
        on u.geography = 'lsoa11' and l11.lsoa11_code = u.lsoa_code
    left join int_geography_lsoa21 as g on u.geography = 'lsoa21' and g.lsoa21_code = u.lsoa_code
)
select * from final
