-- Grain: one row per LA 2024: the sub-ICB location and the ICB (2024) that hold all of its
-- LSOAs, or null where the LA is split between several; how many LAs share each; and the
-- Census 2021 population of the ICB. Sub-ICB and ICB data reach an LA only through this table,
-- and only where the LA lies wholly inside one area (an LA never gets a share of a sub-ICB).
with lsoas as (
    select g.lad_code, g.lad_name, g.sicbl_code, g.sicbl_ods_code, g.sicbl_name, g.icb_code,
        p.population
    from int_geography_lsoa21 as g
    left join stg_population_lsoa21 as p using (lsoa21_code)
),
lad as (
    select lad_code, any_value(lad_name) as lad_name,
        case when count(distinct sicbl_code) = 1 then any_value(sicbl_code) end as sicbl_code,
        case when count(distinct sicbl_code) = 1 then any_value(sicbl_ods_code) end
            as sicbl_ods_code,
        case when count(distinct sicbl_code) = 1 then any_value(sicbl_name) end as sicbl_name,
        case when count(distinct icb_code) = 1 then any_value(icb_code) end as icb_code
    from lsoas
    where sicbl_code is not null
    group by lad_code
),
sicbl_lads as (
    select sicbl_code, count(distinct lad_code) as lads from lsoas group by sicbl_code
),
icb as (
    select icb_code, count(distinct lad_code) as lads, sum(population) as population
    from lsoas group by icb_code
),
final as (
    select l.*, s.lads as sicbl_lad_count, i.lads as icb_lad_count,
        i.population as icb_population
    from lad as l
    left join sicbl_lads as s using (sicbl_code)
    left join icb as i using (icb_code)
)
select * from final
