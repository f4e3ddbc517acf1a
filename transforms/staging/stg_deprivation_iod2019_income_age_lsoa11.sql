-- Grain: one row per LSOA 2011 (England). IoD2019 supplementary income indices: children aged
-- 0-15 in income-deprived families (IDACI) and people aged 60+ who are income deprived (IDAOPI),
-- File 8 numerators (rounded to 5; blank when fewer than 10) over File 6 mid-2015 denominators.
select
    i.lsoa11cd as lsoa11_code,
    i.income_deprivation_affecting_children_index_idaci_numerator as idaci_numerator,
    i.income_deprivation_affecting_older_people_index_idaopi_numerator as idaopi_numerator,
    m.pop_0_15_mid2015 as children_0_15,
    m.pop_60plus_mid2015 as people_60_plus
from raw_mhclg_iod2019_indicators_lsoa11 as i
join raw_mhclg_iod2019_lsoa11 as m using (lsoa11cd)
