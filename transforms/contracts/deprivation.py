"""Deprivation contracts: IoD LA summaries reproduce the official File 10 (IDACI and IDAOPI
within 2 points: their File 8 numerators are rounded and small ones suppressed)."""

from __future__ import annotations

CONTRACTS: tuple[tuple[str, str], ...] = (
    (
        "IoD2019: LA average IMD scores reproduce the official File 10 to 0.001",
        """
        select o.lad_code, o.imd_score as official, v.value
        from stg_deprivation_iod_lad_official as o
        left join indicator_values as v
            on v.area_type = 'lad' and v.area_code = o.lad_code and v.period = o.period
            and v.indicator_id = 'imd_score'
        where o.period = '2019' and (v.value is null or abs(v.value - o.imd_score) > 0.001)
        """,
    ),
    (
        "IoD2019 and IoD2025: LA shares of LSOAs in the most deprived 10% match File 10",
        """
        select o.period, o.lad_code, o.imd_lsoas_most_deprived_10_pct as official, v.value
        from stg_deprivation_iod_lad_official as o
        left join indicator_values as v
            on v.area_type = 'lad' and v.area_code = o.lad_code and v.period = o.period
            and v.indicator_id = 'imd_lsoas_most_deprived_10_pct'
        where v.value is null or abs(v.value - o.imd_lsoas_most_deprived_10_pct) > 0.01
        """,
    ),
    (
        "IoD2019: LA IDACI and IDAOPI rates within 2 points of the official File 10 averages",
        """
        select o.lad_code, m.indicator_id, m.official, v.value
        from stg_deprivation_iod_lad_official as o
        cross join lateral (
            values
                ('income_deprived_children_pct', o.income_deprived_children_pct),
                ('income_deprived_older_pct', o.income_deprived_older_pct)
        ) as m (indicator_id, official)
        left join indicator_values as v
            on v.area_type = 'lad' and v.area_code = o.lad_code and v.period = o.period
            and v.indicator_id = m.indicator_id
        where o.period = '2019' and (v.value is null or abs(v.value - m.official) > 2)
        """,
    ),
)
