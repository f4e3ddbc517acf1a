-- Grain: one row per LSOA 2011: the LA (2024) holding most of its 2021 population.
select
    s.lsoa11_code,
    first(g.lad_code order by s.share desc, s.lsoa21_code) as lad_code,
    first(g.lad_name order by s.share desc, s.lsoa21_code) as lad_name
from int_geography_lsoa11_lsoa21_shares as s
join int_geography_lsoa21 as g using (lsoa21_code)
group by s.lsoa11_code
