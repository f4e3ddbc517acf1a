"""Transport contracts: road casualties placed and counted in full."""

from __future__ import annotations

CONTRACTS: tuple[tuple[str, str], ...] = (
    (
        "road casualties: a district has an LSOA for every casualty or for none, and each "
        "LSOA lies in the casualty's district",
        """
        select c.lad_code, count(*) as casualties, count(c.lsoa21_code) as located
        from stg_transport_road_casualties as c
        left join int_geography_lsoa21 as g using (lsoa21_code)
        group by c.lad_code
        having count(c.lsoa21_code) not in (0, count(*))
            or count(*) filter (where c.lsoa21_code is not null
                and g.lad_code is distinct from c.lad_code) > 0
        """,
    ),
    (
        "road casualties: each district's rate counts every STATS19 casualty of the year",
        """
        with source as (
            select lad_code, cast(year as varchar) as period, count(*) as casualties
            from stg_transport_road_casualties where year <= 2023 group by all
        )
        select s.*, v.numerator from source as s
        left join indicator_values as v
            on v.area_type = 'lad' and v.area_code = s.lad_code and v.period = s.period
            and v.indicator_id = 'road_casualties_per_1000'
        where v.numerator is distinct from s.casualties
        """,
    ),
    (
        "bus stops: every stop is in an LSOA of its own borough, and every stop is counted",
        """
        select s.atco_code from stg_transport_bus_stops as s
        left join int_geography_lsoa21 as g using (lsoa21_code)
        where g.lad_code is distinct from s.lad_code
        union all
        select 'total'
        where (
            select coalesce(sum(numerator), 0) from indicator_values
            where area_type = 'lad' and indicator_id = 'bus_stops_per_1000'
        ) <> (select count(*) from stg_transport_bus_stops)
        """,
    ),
)
