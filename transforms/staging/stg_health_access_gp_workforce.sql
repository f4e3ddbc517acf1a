-- Grain: one row per GP practice and financial year (April-March averages of monthly returns):
-- registered patients and fully qualified GP FTE (excluding trainees and locums).
select
    practice_code,
    fiscal_year_end,
    cast(fiscal_year_end - 1 as varchar) || '/' || right(cast(fiscal_year_end as varchar), 2)
        as period,
    make_date(fiscal_year_end - 1, 4, 1) as period_start,
    total_patients as registered_patients,
    gp_fq_fte
from raw_nhs_gp_workforce
