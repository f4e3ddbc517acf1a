-- Grain: one row per month, CCG (April 2021 codes, predecessors recast) and appointment status:
-- the historic series, Mar 2019 - Aug 2021, for the 49 CCGs in the bundled partial file.
select
    strftime(month, '%Y-%m') as period,
    month as period_start,
    ccg_code as ccg_ods_code,
    any_value(ccg_ons_code) as ccg_code,
    appt_status,
    sum(count_of_appointments) as appointments
from raw_nhsd_gp_appointments_ccg
group by month, ccg_code, appt_status
