-- Grain: one row per LSOA 2021 (England). IoD2025 File 8 numerators of the supplementary income
-- indices: children aged 0-15 in income-deprived families (IDACI) and people aged 60+ who are
-- income deprived (IDAOPI); rounded to 5, blank when fewer than 10. IoD2025's own population
-- denominators are not bundled.
select
    lsoa21cd as lsoa21_code,
    income_deprivation_affecting_children_index_idaci_numerator as idaci_numerator,
    income_deprivation_affecting_older_people_index_idaopi_numerator as idaopi_numerator
from raw_mhclg_iod2025_indicators_lsoa21
