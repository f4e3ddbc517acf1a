-- Grain: one row per GP practice open in December 2025 with a known location: the LSOA 2011 of
-- its postcode (ONS postcode lookup, May 2022).
select
    practice_code,
    postcode,
    lsoa11cd as lsoa11_code
from raw_nhs_gp_practices
