-- Grain: one row per model, neighbourhood, period and indicator: summed LSOA 2021 inputs of the
-- shipped models. The macro neighbourhood_sums (values_macros.sql) does the summing, so a
-- council's uploaded model is summed by the same SQL (neighbourhood_indicator_values).
select * from neighbourhood_sums('int_lsoa21_indicator_inputs', 'int_neighbourhood_models')
