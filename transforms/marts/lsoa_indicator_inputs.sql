-- Published. Grain: one row per period, LSOA 2021 and indicator. Key: (period, lsoa21_code,
-- indicator_id). The summed numerator and denominator each indicator contributes from the LSOA
-- (moved onto LSOA 2021): summing them over any group of LSOAs and applying
-- indicator_values_from_sums gives that group's published values, as the app does for a
-- council's own neighbourhoods (neighbourhood_indicator_values).
select period, period_start, lsoa21_code, indicator_id, numerator, denominator
from int_lsoa21_indicator_inputs
order by indicator_id, period, lsoa21_code
