-- Grain: one row per LSOA 2011 -> LSOA 2021 link (England). chgind: U, S, M or X.
select lsoa11cd as lsoa11_code, lsoa21cd as lsoa21_code, chgind as change_type
from raw_ons_lsoa11_lsoa21
