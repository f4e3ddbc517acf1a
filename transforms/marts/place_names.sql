-- Published. Grain: one row per named place and LSOA 2021 it covers. Key: (kind, code,
-- lsoa21_code). Places a user can search for, each with the LSOAs 2021 that make it up:
--   kind 'msoa': the House of Commons Library's name of an MSOA 2011 (code: the MSOA 2011
--     code), on the LSOAs 2021 of its LSOAs 2011 (LSOA 2011 -> 2021 lookup);
--   kind 'ward': a ward 2024 (best-fit LSOAs, as in lsoa_geography);
--   kind 'local_authority': an LA 2024.
-- lad_code is the LSOA's LA 2024, so a place split by an LA boundary has rows in each.
with msoa as (
    select distinct n.msoa11_hcl_name as name, 'msoa' as kind, n.msoa11_code as code,
        g.lad_code, g.lsoa21_code
    from stg_geography_msoa11_names as n
    join stg_geography_lsoa11_msoa11 as m using (msoa11_code)
    join stg_geography_lsoa11_lsoa21 as l using (lsoa11_code)
    join int_geography_lsoa21 as g using (lsoa21_code)
),
ward as (
    select ward_name, 'ward', ward_code, lad_code, lsoa21_code from int_geography_lsoa21
),
borough as (
    select lad_name, 'local_authority', lad_code, lad_code, lsoa21_code from int_geography_lsoa21
)
select name, kind, code, lad_code, lsoa21_code
from (select * from msoa union all select * from ward union all select * from borough)
order by kind, code, lsoa21_code
