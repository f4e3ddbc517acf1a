-- Grain: one row per LSOA 2011 (England). IoD2015: overall IMD only (domains not bundled).
select
    lsoa11cd as lsoa11_code,
    lsoa11nm as lsoa11_name,
    lad13cd as lad_code,
    lad13nm as lad_name,
    imd_score,
    imd_rank,
    imd_decile
from raw_dclg_iod2015_lsoa11
