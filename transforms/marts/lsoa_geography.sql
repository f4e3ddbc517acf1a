-- Published. Grain: one row per LSOA 2021 in England. Key: lsoa21_code.
-- The geography the app places areas in: MSOA, best-fit ward 2024, LA 2024, region, sub-ICB
-- location and ICB (2024).
select lsoa21_code, lsoa21_name, msoa21_code, msoa21_name, ward_code, ward_name, lad_code,
    lad_name, region_code, region_name, sicbl_code, sicbl_ods_code, sicbl_name, icb_code, icb_name
from int_geography_lsoa21
order by lsoa21_code
