-- Grain: one row per area, period and indicator for service use data published only above
-- LSOA level (sub-ICB locations and ICBs mapped to their LA, England). Unioned into
-- int_area_sums. area_type is 'lad' or 'england'.
-- Sub-ICB and ICB values reach an LA only where the LA lies wholly inside that area
-- (int_service_use_lad_health_areas); every LA of a shared area gets the same value.
with appointments as (
    select period, period_start, sicbl_ods_code,
        sum(appointments) filter (where appt_status = 'DNA') as missed,
        sum(appointments) filter (where appt_status in ('Attended', 'DNA')) as known_status,
        sum(appointments) as appointments
    from stg_service_use_gp_appointments
    group by period, period_start, sicbl_ods_code
),
appointments_ccg as (
    select period, period_start, ccg_code,
        sum(appointments) filter (where appt_status = 'DNA') as missed,
        sum(appointments) filter (where appt_status in ('Attended', 'DNA')) as known_status
    from stg_service_use_gp_appointments_ccg
    group by period, period_start, ccg_code
),
lad as (
    select * from int_service_use_lad_health_areas
),
dna as (
    select 'lad' as area_type, l.lad_code as area_code, l.lad_name as area_name,
        l.lad_code, a.period, a.period_start, 'gp_missed_appointments_pct' as indicator_id,
        a.missed as numerator, a.known_status as denominator
    from appointments as a
    join lad as l on l.sicbl_ods_code = a.sicbl_ods_code
    union all
    -- 2019-2021: only where the LA's 2024 sub-ICB kept its CCG's ONS code (same area).
    select 'lad', l.lad_code, l.lad_name, l.lad_code, a.period, a.period_start,
        'gp_missed_appointments_pct', a.missed, a.known_status
    from appointments_ccg as a
    join lad as l on l.sicbl_code = a.ccg_code
    union all
    select 'england', 'E92000001', 'England', null, period, any_value(period_start),
        'gp_missed_appointments_pct', sum(missed), sum(known_status)
    from appointments
    group by period
),
per_patient as (
    select a.period, a.period_start, a.sicbl_ods_code, a.appointments,
        c.patients_included
    from appointments as a
    join stg_service_use_gp_coverage as c using (period, sicbl_ods_code)
),
appointment_rate as (
    select 'lad' as area_type, l.lad_code as area_code, l.lad_name as area_name, l.lad_code,
        p.period, p.period_start, 'gp_appointments_per_1000_patients' as indicator_id,
        p.appointments as numerator, p.patients_included as denominator
    from per_patient as p
    join lad as l on l.sicbl_ods_code = p.sicbl_ods_code
    union all
    select 'england', 'E92000001', 'England', null, period, any_value(period_start),
        'gp_appointments_per_1000_patients', sum(appointments), sum(patients_included)
    from per_patient
    group by period
),
england_population as (
    select sum(population) as population from stg_population_lsoa21
),
ae as (
    select 'lad' as area_type, l.lad_code as area_code, l.lad_name as area_name, l.lad_code,
        a.period, a.period_start, m.indicator_id, m.numerator, m.denominator
    from stg_service_use_ae_icb as a
    join lad as l on l.icb_code = a.icb_code
    cross join lateral (
        values
            ('ae_attendances_per_1000', a.attendances, l.icb_population),
            ('ae_over_4_hours_pct', a.attendances_over_4hours, a.attendances)
    ) as m (indicator_id, numerator, denominator)
    union all
    select 'england', 'E92000001', 'England', null, a.period, a.period_start, m.indicator_id,
        m.numerator, m.denominator
    from (
        select period, any_value(period_start) as period_start,
            sum(attendances) as attendances, sum(attendances_over_4hours) as over_4h
        from stg_service_use_ae_icb group by period
    ) as a
    cross join england_population as e
    cross join lateral (
        values
            ('ae_attendances_per_1000', a.attendances, e.population),
            ('ae_over_4_hours_pct', a.over_4h, a.attendances)
    ) as m (indicator_id, numerator, denominator)
),
final as (
    select area_type, area_code, area_name, null as model_id, lad_code, period, period_start,
        indicator_id, numerator, denominator
    from (
        select * from dna
        union all select * from appointment_rate
        union all select * from ae
    )
)
select
    cast(area_type as varchar) as area_type,
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    cast(model_id as varchar) as model_id,
    cast(lad_code as varchar) as lad_code,
    cast(period as varchar) as period,
    cast(period_start as date) as period_start,
    cast(indicator_id as varchar) as indicator_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from final
