"""Cohesion contracts: police.uk crime covers every LSOA of a covered LA."""

from __future__ import annotations

CONTRACTS: tuple[tuple[str, str], ...] = (
    (
        "police.uk crime: every LSOA of a covered LA has a value in each of its force's months",
        """
        with lad_months as (
            select lad_code, indicator_id, period, count(*) as lsoas from indicator_values
            where area_type = 'lsoa' and indicator_id in ('crime_per_1000', 'asb_per_1000')
            group by all
        ), borough as (
            select lad_code, count(*) as lsoas from int_geography_lsoa21 group by lad_code
        )
        select m.* from lad_months as m join borough as b using (lad_code)
        where m.lsoas <> b.lsoas
        """,
    ),
)
