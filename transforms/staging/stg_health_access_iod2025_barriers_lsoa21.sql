-- Grain: one row per LSOA 2021 (England). IoD2025 File 8: the connectivity score (the
-- geographical barriers indicator, higher = better connected) and the patient-to-GP ratio.
select
    lsoa21cd as lsoa21_code,
    connectivity_score,
    patient_to_gp_ratio
from raw_mhclg_iod2025_indicators_lsoa21
