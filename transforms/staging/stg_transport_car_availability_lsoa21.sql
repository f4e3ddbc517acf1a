-- Grain: one row per LSOA 2021 (England). Census 2021 TS045: households, and households with no
-- car or van.
select
    lsoa21cd as lsoa21_code,
    households_total as households,
    households_no_car
from raw_ons_census2021_car_availability_lsoa21
