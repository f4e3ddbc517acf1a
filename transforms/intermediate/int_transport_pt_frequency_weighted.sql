-- Grain: one row per LSOA 2011 and year: public transport frequencies with the population that
-- weights them (ONS mid-2017 estimates for 2004-2017, mid-2019 for 2018-2019, mid-2020 for
-- 2020-2023: no earlier LSOA estimates are bundled) and the LA 2024 holding the LSOA.
select f.*, p.population, l.lad_code, l.lad_name
from stg_transport_pt_frequency_lsoa11 as f
join stg_population_lsoa11 as p
    on p.lsoa11_code = f.lsoa11_code
    and p.period = case when f.year <= 2017 then '2017' when f.year <= 2019 then '2019'
        else '2020' end
join int_geography_lsoa11_lad24 as l on l.lsoa11_code = f.lsoa11_code
