-- Grain: one row per LSOA 2021 (England). Census 2021 usual residents (TS021).
select
    lsoa21cd as lsoa21_code,
    usual_residents_ts021 as population
from raw_ons_census2021_lsoa21
