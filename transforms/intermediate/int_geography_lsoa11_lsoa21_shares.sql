-- Grain: one row per LSOA 2011 -> LSOA 2021 link. `share` is the child's share of the parent's
-- Census 2021 population among the parent's children (1 for unchanged and merged LSOAs), used
-- to apportion counts and to weight values when moving 2011-based data onto 2021 geography.
with links as (
    select l.lsoa11_code, l.lsoa21_code, l.change_type, p.population as child_population
    from stg_geography_lsoa11_lsoa21 as l
    join stg_population_lsoa21 as p using (lsoa21_code)
),
final as (
    select
        lsoa11_code,
        lsoa21_code,
        change_type,
        child_population / sum(child_population) over (partition by lsoa11_code) as share
    from links
)
select * from final
