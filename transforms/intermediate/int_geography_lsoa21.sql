-- Grain: one row per LSOA 2021 (England), with its MSOA 2021, best-fit ward 2024, LA 2024, region
-- and sub-ICB location. Contract: every LSOA finds its MSOA by name.
select g.*, m.msoa21_code
from stg_geography_lsoa21 as g
left join stg_geography_msoa21 as m on m.msoa21_name = g.msoa21_name
