-- Grain: one row per period, native LSOA and indicator (access domains): numerators and
-- denominators summed when LSOAs are aggregated, unioned into int_native_indicator_inputs.
-- Columns: period, period_start, geography ('lsoa11' | 'lsoa21'), lsoa_code, indicator_id,
-- numerator, denominator.
select period, period_start, geography, lsoa_code, indicator_id, numerator, denominator
from int_access_health_inputs
union all
select period, period_start, geography, lsoa_code, indicator_id, numerator, denominator
from int_access_gp_inputs
union all
select period, period_start, geography, lsoa_code, indicator_id, numerator, denominator
from int_access_transport_inputs
