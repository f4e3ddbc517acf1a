-- Grain: one row per MSOA 2021 (England), from the boundary file's properties.
select msoa21cd as msoa21_code, msoa21nm as msoa21_name
from raw_ons_msoa21_names
where msoa21cd like 'E%'
