-- Grain: one row per month and GP practice: online consultation submissions and registered
-- patients (NHS England, Sep 2023 - Mar 2025).
select
    strftime(month, '%Y-%m') as period,
    month as period_start,
    gp_code as practice_code,
    oc_system_usage = 1 as oc_system_in_use,
    oc_total_submissions as submissions,
    patients_registered
from raw_nhse_online_consultations_practice
