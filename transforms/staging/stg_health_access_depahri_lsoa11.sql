-- Grain: one row per LSOA 2011 (England). British Red Cross DEPAHRI: overall score and its
-- physical access to healthcare component (both 0-10, higher = more risk).
select
    lsoa11_code,
    depahri_score_national as depahri_score,
    health_access_comp_national as health_access_score
from raw_brc_depahri_lsoa11
