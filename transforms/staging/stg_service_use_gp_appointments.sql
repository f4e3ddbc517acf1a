-- Grain: one row per month, sub-ICB location and appointment status (Attended, DNA, Unknown):
-- GP-practice appointments summed over health-care professional and mode (NHS England,
-- Appointments in General Practice, sub-ICB level, May 2023 - Nov 2025).
select
    strftime(month, '%Y-%m') as period,
    month as period_start,
    sub_icb_location_code as sicbl_ods_code,
    any_value(sub_icb_location_ons_code) as sicbl_code,
    appt_status,
    sum(count_of_appointments) as appointments
from raw_nhse_gp_appointments_subicb
group by month, sub_icb_location_code, appt_status
