-- Grain: one row per financial year and GP practice paid by the NHS in England (NHS Payments to
-- General Practice): its postcode (upper case, no spaces) and registered patients (the last
-- known quarterly figure of the year).
select
    replace(fin_year, '-', '/') as period,
    make_date(cast(left(fin_year, 4) as integer), 4, 1) as period_start,
    practice_code,
    replace(upper(practice_postcode), ' ', '') as postcode,
    registered_patients_last_known as registered_patients
from raw_nhs_payments_to_gp
