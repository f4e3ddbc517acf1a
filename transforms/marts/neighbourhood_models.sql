-- Published. Grain: one row per model and LSOA 2021. Key: (model_id, lsoa21_code).
-- Each LSOA of the model's borough is in exactly one neighbourhood.
select model_id, model_name, lad_code, neighbourhood_code, neighbourhood_name, lsoa21_code
from int_neighbourhood_models
order by model_id, neighbourhood_name, lsoa21_code
