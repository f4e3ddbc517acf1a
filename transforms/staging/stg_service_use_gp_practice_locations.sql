-- Grain: one row per GP practice (Dec 2025 list): the LSOA 2011 of its postcode (ONS May 2022
-- postcode lookup). Practices whose postcode has no LSOA are kept with a null code.
select
    practice_code,
    postcode,
    lsoa11cd as lsoa11_code,
    lad_code_pcd2022 as lad22_code
from raw_nhse_gp_practice_locations
