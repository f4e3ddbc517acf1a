-- Grain: one row per census, native LSOA and indicator: households with no central heating over
-- all households, Census 2011 (LSOA 2011, moved onto LSOA 2021 like every 2011-based count) and
-- Census 2021 (LSOA 2021).
select period, period_start, geography, lsoa_code,
    'no_central_heating_pct' as indicator_id,
    cast(households_no_central_heating as double) as numerator,
    cast(households as double) as denominator
from stg_deprivation_central_heating
where households > 0
