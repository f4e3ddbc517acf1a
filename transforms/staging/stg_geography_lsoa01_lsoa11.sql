-- Grain: one row per LSOA 2001 -> LSOA 2011 link (England). chgind: U, S, M or X.
select lsoa01cd as lsoa01_code, lsoa11cd as lsoa11_code, chgind as change_type
from raw_ons_lsoa01_lsoa11
