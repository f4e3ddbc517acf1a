-- Grain: one row per month, LSOA 2011 and police.uk crime type: street-level records
-- (Hampshire Constabulary Jan-Nov 2022; West Yorkshire Police July 2016, 2017, 2018), with the
-- police force area the file came from.
select 'Hampshire' as force, month as period, lsoa11cd as lsoa11_code, lad22cd as lad22_code,
    crime_type, n_crimes
from raw_policeuk_crime_hampshire
union all
select 'West Yorkshire', month, lsoa11cd, lad22cd, crime_type, n_crimes
from raw_policeuk_crime_west_yorkshire
