-- Grain: one row per model, neighbourhood, period and indicator: summed LSOA 2021 inputs.
-- Also used for a user's own model: the build renders {{ neighbourhood_models }} as the shipped
-- models, the app as the user's model.
select
    'neighbourhood' as area_type,
    nm.neighbourhood_code as area_code,
    any_value(nm.neighbourhood_name) as area_name,
    nm.model_id,
    any_value(nm.lad_code) as lad_code,
    i.period,
    any_value(i.period_start) as period_start,
    i.indicator_id,
    sum(i.numerator) as numerator,
    sum(i.denominator) as denominator
from int_lsoa21_indicator_inputs as i
join {{ neighbourhood_models }} as nm using (lsoa21_code)
group by nm.model_id, nm.neighbourhood_code, i.period, i.indicator_id
