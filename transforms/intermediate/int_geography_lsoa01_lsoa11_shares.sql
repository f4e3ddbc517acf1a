-- Grain: one row per LSOA 2001 -> LSOA 2011 link. `share` is the child's share of the parent's
-- mid-2017 population among the parent's children. No LSOA 2001 population is bundled, so merged
-- 2001 LSOAs are averaged with equal weights (documented in the catalogue).
with links as (
    select l.lsoa01_code, l.lsoa11_code, l.change_type, p.population as child_population
    from stg_geography_lsoa01_lsoa11 as l
    join stg_population_lsoa11 as p on p.lsoa11_code = l.lsoa11_code and p.period = '2017'
),
final as (
    select
        lsoa01_code,
        lsoa11_code,
        change_type,
        child_population / sum(child_population) over (partition by lsoa01_code) as share
    from links
)
select * from final
