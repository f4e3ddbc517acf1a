-- Grain: one row per LSOA 2021 (England): households by tenure, Census 2021 table TS054.
select
    lsoa21cd as lsoa21_code,
    households_total as households,
    owned as owned_households,
    shared_ownership as shared_ownership_households,
    social_rented as social_rented_households,
    private_rented as private_rented_households,
    rent_free as rent_free_households
from raw_ons_census2021_tenure_lsoa21
