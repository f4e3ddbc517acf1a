-- Grain: one row per LSOA 2001 (England). IoD2010 renamed; the income score is a rate (0-1).
select
    lsoa01cd as lsoa01_code,
    imd_score,
    imd_rank,
    imd_decile,
    income_score as income_rate,
    income_decile,
    employment_decile,
    education_decile,
    health_decile,
    crime_decile,
    barriers_decile,
    living_env_decile
from raw_dclg_iod2010_lsoa01
