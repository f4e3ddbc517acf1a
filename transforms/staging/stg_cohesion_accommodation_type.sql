-- Grain: one row per census and LSOA (England): households living in a flat, maisonette or
-- apartment (purpose-built, converted or in a commercial building), Census 2011 (QS402, LSOA
-- 2011) and Census 2021 (TS044, LSOA 2021).
select
    '2011' as period,
    date '2011-03-27' as period_start,
    'lsoa11' as geography,
    lsoa11cd as lsoa_code,
    "All categories: Accommodation type" as households,
    "Unshared dwelling: Flat, maisonette or apartment: Total" as households_in_flats
from raw_ons_census2011_accommodation_type_lsoa11
union all
select
    '2021',
    date '2021-03-21',
    'lsoa21',
    "geography code",
    "Accommodation type: Total: All households",
    "Accommodation type: In a purpose-built block of flats or tenement"
    + "Accommodation type: Part of a converted or shared house, including bedsits"
    + "Accommodation type: Part of another converted building, for example, former school, church or warehouse"
    + "Accommodation type: In a commercial building, for example, in an office building, hotel or over a shop"
from raw_ons_census2021_accommodation_type_lsoa21
