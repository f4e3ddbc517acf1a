-- Grain: one row per LSOA 2021 (England). IoD2025; the income score is a rate (0-1).
select
    lsoa21cd as lsoa21_code,
    lsoa21nm as lsoa21_name,
    lad24cd as lad_code,
    lad24nm as lad_name,
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
from raw_mhclg_iod2025_lsoa21
