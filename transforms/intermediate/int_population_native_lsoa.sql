-- Grain: one row per IoD wave and native LSOA: the population used to weight that wave.
-- 2019: official IoD2019 mid-2015 denominators; 2025: Census 2021 usual residents;
-- 2010 and 2015: ONS mid-2017 estimates (the official mid-2008 and mid-2012 ones are not bundled).
select '2010' as period, 'lsoa11' as geography, lsoa11_code as lsoa_code, population
from stg_population_lsoa11 where period = '2017'
union all
select '2015', 'lsoa11', lsoa11_code, population
from stg_population_lsoa11 where period = '2017'
union all
select '2019', 'lsoa11', lsoa11_code, population from stg_deprivation_iod2019_lsoa11
union all
select '2025', 'lsoa21', lsoa21_code, population from stg_population_lsoa21
