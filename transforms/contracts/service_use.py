"""Service use contracts: health-area data reach only whole LAs; England sums its parts."""

from __future__ import annotations

CONTRACTS: tuple[tuple[str, str], ...] = (
    (
        "sub-ICB and ICB values reach only LAs wholly inside one sub-ICB or ICB",
        """
        select v.indicator_id, v.area_code, v.period from indicator_values as v
        left join int_service_use_lad_health_areas as h on h.lad_code = v.area_code
        where v.area_type = 'lad'
            and ((v.indicator_id in ('gp_missed_appointments_pct',
                    'gp_appointments_per_1000_patients') and h.sicbl_code is null)
                or (v.indicator_id in ('ae_attendances_per_1000', 'ae_over_4_hours_pct')
                    and h.icb_code is null))
        """,
    ),
    (
        "GP appointments: each month's England row sums every sub-ICB location's appointments",
        """
        with england as (
            select period, numerator, denominator from indicator_values
            where area_type = 'england' and indicator_id = 'gp_missed_appointments_pct'
        ), subicb as (
            select period, sum(appointments) filter (where appt_status = 'DNA') as missed,
                sum(appointments) filter (where appt_status <> 'Unknown') as known
            from stg_service_use_gp_appointments group by period
        )
        select * from subicb full join england using (period)
        where england.numerator is distinct from subicb.missed
            or england.denominator is distinct from subicb.known
        """,
    ),
)
