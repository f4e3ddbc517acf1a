-- Grain: one row per period, native LSOA and indicator (cohesion): numerators and
-- denominators summed when LSOAs are aggregated, unioned into int_native_indicator_inputs.
-- Columns: period, period_start, geography ('lsoa11' | 'lsoa21'), lsoa_code, indicator_id,
-- numerator, denominator. Modelled scores are weighted by population (numerator = value x
-- population); counts and rates carry their own numerators and denominators.
with pop21 as (
    select lsoa21_code, population from stg_population_lsoa21
),
pop11 as (
    select * from int_population_lsoa11_mid_years
),
loneliness as (
    select '2020/21' as period, date '2020-04-01' as period_start, 'lsoa21' as geography,
        l.lsoa21_code as lsoa_code, 'loneliness_pct' as indicator_id,
        l.lonely_pct * p.population as numerator, p.population as denominator
    from stg_cohesion_loneliness as l
    join pop21 as p using (lsoa21_code)
),
cni as (
    select '2023' as period, date '2023-01-01' as period_start, 'lsoa21' as geography,
        c.lsoa21_code as lsoa_code, m.indicator_id, m.numerator, p.population as denominator
    from stg_cohesion_cni2023 as c
    join pop21 as p using (lsoa21_code)
    cross join lateral (
        values
            ('cni_score', c.cni_score * p.population),
            ('cni_civic_assets_score', c.civic_assets_score * p.population),
            ('cni_connectedness_score', c.connectedness_score * p.population),
            ('cni_engaged_community_score', c.engaged_community_score * p.population),
            ('cni_left_behind_pop_pct', case when c.left_behind then p.population else 0 end)
    ) as m (indicator_id, numerator)
),
churn as (
    select '2023' as period, date '2023-01-01' as period_start, 'lsoa11' as geography,
        c.lsoa11_code as lsoa_code, 'household_churn_pct' as indicator_id,
        c.churn_share * p.pop_2020 as numerator, p.pop_2020 as denominator
    from stg_cohesion_household_churn as c
    join pop11 as p using (lsoa11_code)
),
tenure as (
    select '2021' as period, date '2021-03-21' as period_start, 'lsoa21' as geography,
        t.lsoa21_code as lsoa_code, m.indicator_id, m.numerator, t.households as denominator
    from stg_cohesion_tenure as t
    cross join lateral (
        values
            ('tenure_owned_pct', t.owned_households),
            ('tenure_social_rented_pct', t.social_rented_households),
            ('tenure_private_rented_pct', t.private_rented_households)
    ) as m (indicator_id, numerator)
    where t.households > 0
),
-- Census 2011 (LSOA 2011, moved onto LSOA 2021 like every 2011-based count) and Census 2021.
flats as (
    select period, period_start, geography, lsoa_code, 'households_in_flats_pct' as indicator_id,
        households_in_flats as numerator, households as denominator
    from stg_cohesion_accommodation_type
    where households > 0
),
-- police.uk: every LSOA of the LAs wholly inside each force area, every month the force's file
-- has (an LSOA with no record that month counts 0); records in LSOAs of other LAs are dropped.
force_lads (force, lad_code) as (
    values
        ('Hampshire', 'E06000044'), ('Hampshire', 'E06000045'), ('Hampshire', 'E06000046'),
        ('Hampshire', 'E07000084'), ('Hampshire', 'E07000085'), ('Hampshire', 'E07000086'),
        ('Hampshire', 'E07000087'), ('Hampshire', 'E07000088'), ('Hampshire', 'E07000089'),
        ('Hampshire', 'E07000090'), ('Hampshire', 'E07000091'), ('Hampshire', 'E07000092'),
        ('Hampshire', 'E07000093'), ('Hampshire', 'E07000094'),
        ('West Yorkshire', 'E08000032'), ('West Yorkshire', 'E08000033'),
        ('West Yorkshire', 'E08000034'), ('West Yorkshire', 'E08000035'),
        ('West Yorkshire', 'E08000036')
),
crime_grid as (
    select m.force, m.period, l.lsoa11_code,
        -- the nearest bundled mid-year estimate (2017, 2019, 2020; the earlier on a tie)
        case
            when cast(left(m.period, 4) as integer) <= 2018 then p.pop_2017
            when cast(left(m.period, 4) as integer) = 2019 then p.pop_2019
            else p.pop_2020
        end as population
    from (select distinct force, period from stg_cohesion_crime) as m
    join force_lads as f using (force)
    join int_geography_lsoa11_lad24 as l on l.lad_code = f.lad_code
    join pop11 as p using (lsoa11_code)
),
crime_counts as (
    select force, period, lsoa11_code,
        sum(n_crimes) filter (where crime_type <> 'Anti-social behaviour') as crimes,
        sum(n_crimes) filter (where crime_type = 'Anti-social behaviour') as asb
    from stg_cohesion_crime
    group by force, period, lsoa11_code
),
crime as (
    select g.period, cast(g.period || '-01' as date) as period_start, 'lsoa11' as geography,
        g.lsoa11_code as lsoa_code, m.indicator_id, m.numerator, g.population as denominator
    from crime_grid as g
    left join crime_counts as c using (force, period, lsoa11_code)
    cross join lateral (
        values
            ('crime_per_1000', coalesce(c.crimes, 0)),
            ('asb_per_1000', coalesce(c.asb, 0))
    ) as m (indicator_id, numerator)
),
final as (
    select * from loneliness
    union all select * from cni
    union all select * from churn
    union all select * from tenure
    union all select * from crime
    union all select * from flats
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
