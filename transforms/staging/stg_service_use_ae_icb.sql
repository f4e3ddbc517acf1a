-- Grain: one row per month and ICB (2022 codes): type 1-3 A&E attendances and those over four
-- hours from arrival to admission, transfer or discharge (NHS England A&E monthly statistics).
select
    strftime(month, '%Y-%m') as period,
    month as period_start,
    icb22_code as icb_code,
    total_attendances as attendances,
    attendances_over_4hours
from raw_nhse_ae_attendances_icb
