-- Grain: one row per LSOA 2021 (England): best-fit ward 2024, LA 2024, region, sub-ICB, MSOA name.
-- An LSOA 2021 name is its MSOA 2021 name plus a letter (ONS naming rule), e.g. "Trafford 025A".
select
    l.lsoa21cd as lsoa21_code,
    l.lsoa21nm as lsoa21_name,
    left(l.lsoa21nm, length(l.lsoa21nm) - 1) as msoa21_name,
    l.wd24cd as ward_code,
    l.wd24nm as ward_name,
    l.lad24cd as lad_code,
    l.lad24nm as lad_name,
    r.rgn24cd as region_code,
    r.rgn24nm as region_name,
    s.sicbl24cd as sicbl_code,
    s.sicbl24cdh as sicbl_ods_code,
    s.sicbl24nm as sicbl_name,
    s.icb24cd as icb_code,
    s.icb24nm as icb_name
from raw_ons_lsoa21_ward24_lad24 as l
left join raw_ons_lad24_region24 as r on r.lad24cd = l.lad24cd
left join raw_ons_lsoa21_sicbl24 as s on s.lsoa21cd = l.lsoa21cd
