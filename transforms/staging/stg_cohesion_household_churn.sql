-- Grain: one row per LSOA 2011 (England): CDRC residential mobility index, the share of
-- households that changed between 2018 and 2023 (0-1).
select
    area_code as lsoa11_code,
    churn_2018_to_2023 as churn_share
from raw_cdrc_household_churn_lsoa11
