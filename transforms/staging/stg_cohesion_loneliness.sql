-- Grain: one row per LSOA 2021: modelled percentage of adults lonely often/always or some of the
-- time (DCMS Community Life Survey 2020/21, small-area model).
select
    lsoa21_code,
    pct_lonely_often_some_of_time as lonely_pct,
    decile as lonely_decile
from raw_dcms_loneliness_lsoa21
