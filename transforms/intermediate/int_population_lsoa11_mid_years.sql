-- Grain: one row per LSOA 2011: the ONS mid-year population estimates bundled for 2017, 2019
-- and 2020 side by side, the weights and denominators of the service use and cohesion inputs.
select lsoa11_code,
    max(population) filter (where period = '2017') as pop_2017,
    max(population) filter (where period = '2019') as pop_2019,
    max(population) filter (where period = '2020') as pop_2020
from stg_population_lsoa11
group by lsoa11_code
