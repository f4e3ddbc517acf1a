-- Grain: one row per active bus stop in Trafford (TfGM extract, 11 November 2022), with the
-- LSOA 2021 it stands in.
select
    atco_code,
    lad24cd as lad_code,
    lsoa21cd as lsoa21_code
from raw_tfgm_bus_stops_trafford
