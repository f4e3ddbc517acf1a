-- Grain: one row per month and sub-ICB location: practices in the appointments data and the
-- patients registered at them (the denominator of appointments per 1,000 patients).
select
    strftime(month, '%Y-%m') as period,
    month as period_start,
    sub_icb_location_code as sicbl_ods_code,
    included_practices,
    open_practices,
    patients_registered_at_included_practices as patients_included,
    patients_registered_at_open_practices as patients_open
from raw_nhse_gp_appointments_coverage
