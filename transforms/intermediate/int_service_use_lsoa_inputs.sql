-- Grain: one row per period, native LSOA and indicator (service use): numerators and
-- denominators summed when LSOAs are aggregated, unioned into int_native_indicator_inputs.
-- Columns: period, period_start, geography ('lsoa11' | 'lsoa21'), lsoa_code, indicator_id,
-- numerator, denominator. Modelled scores are weighted by population (numerator = value x
-- population); counts and rates carry their own numerators and denominators.
with pop11 as (
    select * from int_population_lsoa11_mid_years
),
-- GP practices attributed to the LSOA 2011 of their postcode.
online_consultations as (
    select o.period, o.period_start, 'lsoa11' as geography, l.lsoa11_code as lsoa_code,
        'gp_online_consultations_per_1000' as indicator_id,
        sum(o.submissions) as numerator, sum(o.patients_registered) as denominator
    from stg_service_use_online_consultations as o
    join stg_service_use_gp_practice_locations as l using (practice_code)
    where l.lsoa11_code is not null and o.patients_registered > 0
    group by o.period, o.period_start, l.lsoa11_code
),
-- Three-year admissions over person-years (mid-2017 and mid-2019 estimates, 2018 between).
stroke as (
    select '2017-2019' as period, date '2017-01-01' as period_start, 'lsoa11' as geography,
        s.lsoa11_code as lsoa_code, 'stroke_admissions_per_1000' as indicator_id,
        s.admissions_2017_2019 as numerator,
        1.5 * (p.pop_2017 + p.pop_2019) as denominator
    from stg_service_use_stroke_admissions as s
    join pop11 as p using (lsoa11_code)
),
final as (
    select * from online_consultations
    union all select * from stroke
)
select
    cast(period as varchar) as period,
    cast(period_start as date) as period_start,
    cast(geography as varchar) as geography,
    cast(lsoa_code as varchar) as lsoa_code,
    cast(indicator_id as varchar) as indicator_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from final
