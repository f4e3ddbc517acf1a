-- Grain: one row per mid-year and LSOA 2011 (England). ONS small-area population estimates.
select
    cast(mid_year as varchar) as period,
    lsoa11cd as lsoa11_code,
    total as population
from raw_ons_sape_lsoa11
