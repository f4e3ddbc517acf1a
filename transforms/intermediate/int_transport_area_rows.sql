-- Grain: one row per area, period and indicator for data published only above LSOA level
-- (access domains). Unioned into int_area_sums. area_type is 'lad' or 'england'.
-- 1. Road casualties in the Greater Manchester districts without bundled 20 m LSOA boundaries
--    (all but Trafford and Wigan, whose LA rows are summed from their LSOAs): the STATS19
--    district count over the district's Census 2021 residents, full years only.
-- 2. The share of residents whose public transport frequency is flagged by the source: flags are
--    set per LA and year, so only LA (2024) and England rows carry information.
with district_pop as (
    select g.lad_code, any_value(g.lad_name) as lad_name, sum(p.population) as population
    from int_geography_lsoa21 as g
    join stg_population_lsoa21 as p using (lsoa21_code)
    group by g.lad_code
),
unlocated as (
    select lad_code, year, count(*) as casualties
    from stg_transport_road_casualties
    where year <= 2023
        and lad_code not in (
            select distinct lad_code from stg_transport_road_casualties
            where lsoa21_code is not null
        )
    group by lad_code, year
),
casualties as (
    select
        'lad' as area_type,
        u.lad_code as area_code,
        d.lad_name as area_name,
        cast(null as varchar) as model_id,
        u.lad_code,
        cast(u.year as varchar) as period,
        make_date(u.year, 1, 1) as period_start,
        'road_casualties_per_1000' as indicator_id,
        cast(u.casualties as double) as numerator,
        cast(d.population as double) as denominator
    from unlocated as u
    join district_pop as d using (lad_code)
),
flagged as (
    select lad_code, lad_name, period, period_start,
        cast(population * cast(source_flag is not null as integer) as double) as numerator,
        cast(population as double) as denominator
    from int_transport_pt_frequency_weighted
),
flagged_areas as (
    select 'lad' as area_type, lad_code as area_code, any_value(lad_name) as area_name,
        cast(null as varchar) as model_id, lad_code, period, any_value(period_start),
        'pt_frequency_flagged_pct', sum(numerator), sum(denominator)
    from flagged
    group by lad_code, period
    union all
    select 'england', 'E92000001', 'England', null, null, period, any_value(period_start),
        'pt_frequency_flagged_pct', sum(numerator), sum(denominator)
    from flagged
    group by period
),
final as (
    select * from casualties
    union all select * from flagged_areas
)
select * from final
