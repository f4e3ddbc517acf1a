"""Data contracts for the service use and cohesion indicators (run with the others)."""

from __future__ import annotations

CONTRACTS: tuple[tuple[str, str], ...] = (
    (
        "service use and cohesion: values only for the area types the catalogue declares "
        "(sub-ICB, ICB and LA values never appear as neighbourhood or LSOA values)",
        """
        select v.indicator_id, v.area_type from indicator_values as v
        join indicator_catalogue as c using (indicator_id)
        where c.domain in ('Service use', 'Cohesion')
            and not list_contains(string_split(c.area_types, ','), v.area_type)
        group by all
        """,
    ),
    (
        "sub-ICB and ICB values reach only LAs wholly inside one sub-ICB or ICB",
        """
        select v.indicator_id, v.area_code, v.period from indicator_values as v
        left join int_service_lad_health_areas as h on h.lad_code = v.area_code
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
            from stg_service_gp_appointments group by period
        )
        select * from subicb full join england using (period)
        where england.numerator is distinct from subicb.missed
            or england.denominator is distinct from subicb.known
        """,
    ),
    (
        "police.uk crime: every LSOA of a covered LA has a value in each of its force's months",
        """
        with lad_months as (
            select lad_code, indicator_id, period, count(*) as lsoas from indicator_values
            where area_type = 'lsoa' and indicator_id in ('crime_per_1000', 'asb_per_1000')
            group by all
        ), borough as (
            select lad_code, count(*) as lsoas from int_lsoa21_geography group by lad_code
        )
        select m.* from lad_months as m join borough as b using (lad_code)
        where m.lsoas <> b.lsoas
        """,
    ),
)
