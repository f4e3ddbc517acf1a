-- Grain: one row per MSOA 2021 (England): a place name from the House of Commons Library's
-- MSOA 2011 names. The names predate MSOA 2021, so each MSOA 2021 is traced to the MSOA 2011
-- of each of its LSOAs (LSOA 2021 -> LSOA 2011 -> MSOA 2011):
--   * made of whole MSOAs 2011 (unchanged, or merged): their names joined by " & ", the one
--     with more LSOAs first;
--   * holding part of an MSOA 2011 that was split: the same names followed by the ONS name in
--     brackets, e.g. "Hulme (Manchester 060)", so the parts of a split MSOA stay distinct.
-- MSOAs 2021 that no name reaches keep their ONS name.
with parents as (
    select g.msoa21_code, m.msoa11_code, count(distinct g.lsoa21_code) as lsoas
    from int_geography_lsoa21 as g
    join stg_geography_lsoa11_lsoa21 as l using (lsoa21_code)
    join stg_geography_lsoa11_msoa11 as m using (lsoa11_code)
    group by all
),
spread as (
    select msoa11_code, count(*) as msoas21 from parents group by all
),
named as (
    select p.msoa21_code,
        string_agg(n.msoa11_hcl_name, ' & ' order by p.lsoas desc, n.msoa11_hcl_name) as hcl_name,
        bool_and(s.msoas21 = 1) as whole
    from parents as p
    join spread as s using (msoa11_code)
    join stg_geography_msoa11_names as n using (msoa11_code)
    group by all
),
msoas as (
    select msoa21_code, any_value(msoa21_name) as msoa21_name
    from int_geography_lsoa21
    group by all
)
select m.msoa21_code, m.msoa21_name,
    case
        when n.hcl_name is null then m.msoa21_name
        when n.whole then n.hcl_name
        else n.hcl_name || ' (' || m.msoa21_name || ')'
    end as msoa21_place_name,
    coalesce(n.whole, false) as from_whole_msoa11
from msoas as m
left join named as n using (msoa21_code)
