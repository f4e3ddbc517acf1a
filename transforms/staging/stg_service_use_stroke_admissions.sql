-- Grain: one row per LSOA 2011 (England): mean annual stroke admissions 2017-2019 and the
-- three-year total (the mean is of whole yearly counts, so three times it is a whole number).
select
    lsoa11cd as lsoa11_code,
    stroke_admissions_mean_per_year_2017_2019 as admissions_mean_per_year,
    round(3 * stroke_admissions_mean_per_year_2017_2019) as admissions_2017_2019
from raw_exeter_stroke_admissions_lsoa11
