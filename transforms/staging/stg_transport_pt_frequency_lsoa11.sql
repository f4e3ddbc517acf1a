-- Grain: one row per LSOA 2011 (England) and year. ITS Leeds scheduled public transport trips
-- serving the LSOA (500 m buffer for small LSOAs), Tuesday-Thursday 07:00-18:59, converted to
-- trips per hour; source_flag marks LSOA-years the source or its QA distrusts.
select
    lsoa11cd as lsoa11_code,
    year,
    cast(year as varchar) as period,
    make_date(year, 1, 1) as period_start,
    in_source = 1 as in_source,
    bus_tph_midwk_day as bus_trips_per_hour,
    rail_dep_midwk_day / 12 as rail_trips_per_hour,
    tram_metro_dep_midwk_day / 12 as tram_metro_trips_per_hour,
    source_flag
from raw_itsleeds_pt_frequency_lsoa11
