-- Grain: one row per period, LSOA 2021 and indicator: numerators and denominators moved onto
-- LSOA 2021 geography. Each 2011 parent is apportioned to its 2021 children by Census 2021
-- population share, so split LSOAs inherit the parent's value, merged LSOAs get the
-- population-weighted mean, and counts are conserved. For LSOA-share indicators each 2021 LSOA
-- counts once (denominator 1).
with moved as (
    select n.period, n.period_start, s.lsoa21_code, n.indicator_id,
        sum(n.numerator * s.share) as numerator,
        sum(n.denominator * s.share) as denominator
    from int_native_indicator_inputs as n
    join int_geography_lsoa11_lsoa21_shares as s on s.lsoa11_code = n.lsoa_code
    where n.geography = 'lsoa11'
    group by all
    union all
    select period, period_start, lsoa_code, indicator_id, numerator, denominator
    from int_native_indicator_inputs
    where geography = 'lsoa21'
),
final as (
    select m.period, m.period_start, m.lsoa21_code, m.indicator_id,
        case when c.aggregation = 'lsoa_share' then m.numerator / m.denominator
            else m.numerator end as numerator,
        case when c.aggregation = 'lsoa_share' then 1.0 else m.denominator end as denominator
    from moved as m
    join seed_indicator_catalogue as c using (indicator_id)
)
select * from final
