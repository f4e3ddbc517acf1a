-- Grain: one row per LSOA 2011 (England). IoD2019 with its official mid-2015 denominators.
select
    lsoa11cd as lsoa11_code,
    lsoa11nm as lsoa11_name,
    lad19cd as lad_code,
    lad19nm as lad_name,
    imd_score_derived as imd_score,
    imd_rank,
    imd_decile,
    income_score_rate_derived as income_rate,
    income_decile,
    employment_decile,
    education_decile,
    health_decile,
    crime_decile,
    barriers_decile,
    living_env_decile,
    pop_total_mid2015 as population
from raw_mhclg_iod2019_lsoa11
