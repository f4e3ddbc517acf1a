-- Grain: one row per area (LA or England) and financial year: ONS APS personal well-being mean
-- scores (0-10). fy_end_year 2012 = April 2011 - March 2012.
select
    area_code,
    area_name,
    (fy_end_year - 1) || '/' || right(cast(fy_end_year as varchar), 2) as period,
    make_date(fy_end_year - 1, 4, 1) as period_start,
    life_satisfaction_mean,
    anxiety_mean,
    worthwhile_mean
from raw_ons_wellbeing_la
