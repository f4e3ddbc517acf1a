-- Published. Grain: one row per area, period and indicator.
-- Key: (area_type, area_code, model_id, indicator_id, period).
-- Values come from summed numerators and denominators (never an average of percentages);
-- population-weighted means publish no numerator or denominator. Confidence intervals follow
-- the catalogue's ci_method (Wilson for proportions, Byar's/exact Poisson for rates) and are
-- null where the value is a complete count rather than an estimate.
with sums as (
    select s.*, c.aggregation, c.multiplier, c.ci_method
    from {{ area_sums }} as s
    join seed_indicator_catalogue as c using (indicator_id)
),
values_only as (
    select
        s.area_type,
        s.area_code,
        s.area_name,
        s.model_id,
        s.lad_code,
        s.indicator_id,
        s.period,
        s.period_start,
        case
            when s.aggregation in ('sum', 'lsoa_only') then s.numerator
            else s.numerator / nullif(s.denominator, 0) * s.multiplier
        end as value,
        case when s.aggregation in ('ratio', 'lsoa_share', 'sum')
            then s.numerator end as numerator,
        case when s.aggregation in ('ratio', 'lsoa_share')
            then s.denominator end as denominator,
        s.numerator as num_,
        s.denominator as den_,
        s.multiplier as multiplier_,
        s.ci_method
    from sums as s
),
without_ci as (
    select * exclude (ci_method),
        cast(null as double) as lower_ci95, cast(null as double) as upper_ci95,
        cast(null as double) as lower_ci998, cast(null as double) as upper_ci998
    from values_only where ci_method = 'none'
),
with_ci as (
    -- Only rows whose indicator has a CI method pay for the interval macros.
    select v.* exclude (ci_method, multiplier_),
        ci_bound(v.ci_method, 'lower', v.num_, v.den_, v.multiplier_, 1.959963984540054)
            as lower_ci95,
        ci_bound(v.ci_method, 'upper', v.num_, v.den_, v.multiplier_, 1.959963984540054)
            as upper_ci95,
        ci_bound(v.ci_method, 'lower', v.num_, v.den_, v.multiplier_, 3.090232306167813)
            as lower_ci998,
        ci_bound(v.ci_method, 'upper', v.num_, v.den_, v.multiplier_, 3.090232306167813)
            as upper_ci998
    from values_only as v where v.ci_method <> 'none'
),
final as (
    select * exclude (num_, den_, multiplier_) from without_ci
    union all by name
    select * exclude (num_, den_) from with_ci
)
select area_type, area_code, area_name, model_id, lad_code, indicator_id, period, period_start,
    value, numerator, denominator, lower_ci95, upper_ci95, lower_ci998, upper_ci998
from final
order by area_type, lad_code, model_id, area_code, indicator_id, period
