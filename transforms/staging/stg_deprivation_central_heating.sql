-- Grain: one row per census and LSOA (England): households with no central heating, Census
-- 2011 (QS415, LSOA 2011) and Census 2021 (TS046, LSOA 2021).
select
    '2011' as period,
    date '2011-03-27' as period_start,
    'lsoa11' as geography,
    lsoa11cd as lsoa_code,
    "All categories: Type of central heating in household" as households,
    "No central heating" as households_no_central_heating
from raw_ons_census2011_central_heating_lsoa11
union all
select
    '2021',
    date '2021-03-21',
    'lsoa21',
    "geography code",
    "Type of central heating in household: Total: All households",
    "Type of central heating in household: No central heating"
from raw_ons_census2021_central_heating_lsoa21
