-- Grain: one row per financial year, LSOA 2011 and indicator: registered patients and fully
-- qualified GP FTE of the practices located in the LSOA (December 2025 practice list, postcode
-- -> LSOA May 2022). Practice-years with no FTE recorded (missing or 0) are left out of both
-- sides; practices closed before December 2025 have no location and are left out.
with located as (
    select w.period, w.period_start, p.lsoa11_code, w.registered_patients, w.gp_fq_fte
    from stg_health_access_gp_workforce as w
    join stg_health_access_gp_practices as p using (practice_code)
    where w.gp_fq_fte > 0 and w.registered_patients is not null
),
final as (
    select period, period_start, 'lsoa11' as geography, lsoa11_code as lsoa_code,
        'gp_patients_per_fte_gp' as indicator_id,
        sum(registered_patients) as numerator, sum(gp_fq_fte) as denominator
    from located
    group by period, period_start, lsoa11_code
)
select * from final
