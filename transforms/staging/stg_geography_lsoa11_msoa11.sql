-- Grain: one row per LSOA 2011 (England): its MSOA 2011 (ONS OA -> LSOA -> MSOA lookup).
select lsoa11cd as lsoa11_code, msoa11cd as msoa11_code, msoa11nm as msoa11_name
from raw_ons_lsoa11_msoa11
