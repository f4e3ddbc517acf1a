-- Published. Grain: one row per GP practice in NHS England's December 2025 list. Key:
-- practice_code. The LSOA 2011 of the practice's postcode (ONS lookup, May 2022); null where the
-- postcode is newer than the lookup. Places partner data given by practice.
select upper(trim(practice_code)) as practice_code, lsoa11_code
from stg_service_use_gp_practice_locations
order by practice_code
