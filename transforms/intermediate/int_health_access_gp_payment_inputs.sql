-- Grain: one row per financial year, LSOA 2011 and indicator, for the LAs the bundled postcode
-- lookup covers (Kirklees, Trafford, Wigan, Test Valley): GP practices paid by the NHS that year
-- (with registered patients) whose postcode lies in the LSOA, and their registered patients
-- over residents. Every LSOA of those LAs has a row each year (0 where no practice is located).
-- Residents: the nearest bundled ONS mid-year estimate (2017 up to 2017/18, 2019 for 2018/19
-- and 2019/20, 2020 from 2020/21; no earlier or later LSOA estimates are bundled).
with located as (
    select g.period, g.period_start, pc.lsoa11_code, g.practice_code, g.registered_patients
    from stg_health_access_gp_payments as g
    join stg_geography_postcode_lsoa11 as pc using (postcode)
    where g.registered_patients > 0
),
covered_lads as (
    select distinct l.lad_code
    from stg_geography_postcode_lsoa11 as pc
    join int_geography_lsoa11_lad24 as l using (lsoa11_code)
),
grid as (
    select y.period, y.period_start, l.lsoa11_code,
        case
            when cast(left(y.period, 4) as integer) <= 2017 then p.pop_2017
            when cast(left(y.period, 4) as integer) <= 2019 then p.pop_2019
            else p.pop_2020
        end as residents
    from (select distinct period, period_start from stg_health_access_gp_payments) as y
    cross join int_geography_lsoa11_lad24 as l
    join int_population_lsoa11_mid_years as p using (lsoa11_code)
    where l.lad_code in (select lad_code from covered_lads)
),
per_lsoa as (
    select g.period, g.period_start, g.lsoa11_code, g.residents,
        count(x.practice_code) as practices,
        coalesce(sum(x.registered_patients), 0) as patients
    from grid as g
    left join located as x using (period, lsoa11_code)
    group by g.period, g.period_start, g.lsoa11_code, g.residents
)
select p.period, p.period_start, 'lsoa11' as geography, p.lsoa11_code as lsoa_code,
    m.indicator_id, cast(m.numerator as double) as numerator,
    cast(m.denominator as double) as denominator
from per_lsoa as p
cross join lateral (
    values
        ('gp_practices_located', p.practices, null),
        ('gp_registered_patients_per_1000', p.patients, p.residents)
) as m (indicator_id, numerator, denominator)
