-- Grain: one row per area, period and indicator: summed numerators and denominators for LSOAs,
-- neighbourhoods, LAs and England. LAs and England are summed on each wave's native LSOAs (so
-- IoD2019 reproduces the official LA summaries) by the wave's own LA codes; LA 2024 codes the
-- wave does not have are summed from LSOA 2021 inputs. The wave's own row wins a shared code.
with lsoa as (
    select 'lsoa' as area_type, i.lsoa21_code as area_code, g.lsoa21_name as area_name,
        cast(null as varchar) as model_id, g.lad_code, i.period, i.period_start, i.indicator_id,
        i.numerator, i.denominator
    from int_lsoa21_indicator_inputs as i
    join int_geography_lsoa21 as g using (lsoa21_code)
    union all
    select 'lsoa', v.lsoa21_code, g.lsoa21_name, null, g.lad_code, v.period, v.period_start,
        v.indicator_id, v.value, null
    from int_lsoa21_lsoa_only_values as v
    join int_geography_lsoa21 as g using (lsoa21_code)
),
lad_native as (
    select native_lad_code as area_code, any_value(native_lad_name) as area_name, period,
        any_value(period_start) as period_start, indicator_id,
        sum(numerator) as numerator, sum(denominator) as denominator, 1 as preference
    from int_native_indicator_inputs
    where native_lad_code is not null
    group by native_lad_code, period, indicator_id
),
lad_2024 as (
    -- LA 2024 rows come from the LSOA 2021 inputs, so they add up exactly to the borough's
    -- LSOAs and neighbourhoods when a 2011 LSOA straddles a changed boundary.
    select g.lad_code, any_value(g.lad_name), i.period, any_value(i.period_start),
        i.indicator_id, sum(i.numerator), sum(i.denominator), 2
    from int_lsoa21_indicator_inputs as i
    join int_geography_lsoa21 as g using (lsoa21_code)
    group by g.lad_code, i.period, i.indicator_id
),
lad as (
    select 'lad' as area_type, area_code, area_name, cast(null as varchar) as model_id,
        area_code as lad_code, period, period_start, indicator_id, numerator, denominator
    from (select * from lad_native union all select * from lad_2024)
    qualify row_number() over (
        partition by area_code, period, indicator_id order by preference
    ) = 1
),
england as (
    select 'england', 'E92000001', 'England', cast(null as varchar), cast(null as varchar),
        period, any_value(period_start), indicator_id, sum(numerator), sum(denominator)
    from int_native_indicator_inputs
    -- no England sum for indicators covering only part of England (e.g. one police force)
    where indicator_id in (
        select indicator_id from seed_indicator_catalogue
        where list_contains(string_split(area_types, ','), 'england')
    )
    group by period, indicator_id
)
select * from lsoa
union all select * from int_neighbourhood_sums
union all select * from lad
union all select * from england
union all select * from int_transport_area_rows
union all select * from int_service_use_area_rows
union all select * from int_cohesion_area_rows
