-- Grain: one row per area, period and indicator for cohesion data published only above LSOA
-- level (LA-level surveys, England, Trafford's election turnout). Unioned into int_area_sums.
-- area_type is 'lad' or 'england', plus Trafford ward-model neighbourhood rows for ward-level
-- election turnout.
with wellbeing as (
    select case when w.area_code = 'E92000001' then 'england' else 'lad' end as area_type,
        w.area_code, w.area_name,
        case when w.area_code = 'E92000001' then null else w.area_code end as lad_code,
        w.period, w.period_start, m.indicator_id, m.numerator, 1.0 as denominator
    from stg_cohesion_wellbeing as w
    cross join lateral (
        values
            ('wellbeing_life_satisfaction', w.life_satisfaction_mean),
            ('wellbeing_anxiety', w.anxiety_mean),
            ('wellbeing_worthwhile', w.worthwhile_mean)
    ) as m (indicator_id, numerator)
    where m.numerator is not null
),
turnout as (
    select 'lad' as area_type, 'E08000009' as area_code, 'Trafford' as area_name,
        cast(null as varchar) as model_id, 'E08000009' as lad_code, period, min(election_date) as period_start,
        'local_election_turnout_pct' as indicator_id,
        sum(votes_cast) as numerator, sum(electorate) as denominator
    from stg_cohesion_election_turnout
    group by period
    union all
    -- Ward rows only where the ward is a neighbourhood of Trafford's ward model (2023 wards).
    select 'neighbourhood', t.ward_code, any_value(n.neighbourhood_name), n.model_id,
        'E08000009', t.period, any_value(t.election_date), 'local_election_turnout_pct',
        sum(t.votes_cast), sum(t.electorate)
    from stg_cohesion_election_turnout as t
    join (
        select distinct model_id, neighbourhood_code, neighbourhood_name
        from int_neighbourhood_models
        where model_id = 'E08000009_wards24'
    ) as n on n.neighbourhood_code = t.ward_code
    group by t.ward_code, n.model_id, t.period
),
final as (
    select area_type, area_code, area_name, null as model_id, lad_code, period, period_start,
        indicator_id, numerator, denominator
    from (
        select * from wellbeing
    )
    union all
    select * from turnout
)
select
    cast(area_type as varchar) as area_type,
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    cast(model_id as varchar) as model_id,
    cast(lad_code as varchar) as lad_code,
    cast(period as varchar) as period,
    cast(period_start as date) as period_start,
    cast(indicator_id as varchar) as indicator_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from final
