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
final as (
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
        ci_bound(s.ci_method, 'lower', s.numerator, s.denominator, s.multiplier, 1.959963984540054)
            as lower_ci95,
        ci_bound(s.ci_method, 'upper', s.numerator, s.denominator, s.multiplier, 1.959963984540054)
            as upper_ci95,
        ci_bound(s.ci_method, 'lower', s.numerator, s.denominator, s.multiplier, 3.090232306167813)
            as lower_ci998,
        ci_bound(s.ci_method, 'upper', s.numerator, s.denominator, s.multiplier, 3.090232306167813)
            as upper_ci998
    from sums as s
)
select * from final
order by area_type, lad_code, model_id, area_code, indicator_id, period
