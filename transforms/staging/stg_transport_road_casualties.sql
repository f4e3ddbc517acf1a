-- Grain: one row per casualty in a reported injury road collision in Greater Manchester (STATS19,
-- 2019 to June 2024). lsoa21_code: the LSOA 2021 of the collision point, for Trafford and Wigan
-- only (where 20 m boundaries are bundled); null elsewhere.
select
    casualty_row,
    collision_ref,
    year,
    casualty_severity,
    lad24cd as lad_code,
    lad_name,
    lsoa21cd as lsoa21_code,
    lsoa21_match
from raw_dft_stats19_casualties_gm
