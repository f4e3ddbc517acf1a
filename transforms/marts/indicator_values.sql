-- Published. Grain: one row per area, period and indicator.
-- Key: (area_type, area_code, model_id, indicator_id, period).
-- The arithmetic (values from summed numerators and denominators, Wilson and Byar's intervals)
-- lives in the macro indicator_values_from_sums (values_macros.sql), which the app also uses
-- for a council's own neighbourhoods.
select *
from indicator_values_from_sums('int_area_sums')
order by area_type, lad_code, model_id, area_code, indicator_id, period
