-- Grain: one row per IoD wave, LSOA 2021 and LSOA-only indicator (rank, decile). A 2021 LSOA
-- made from several 2011 LSOAs takes the value of the parent contributing most population.
with measures as (
    select m.period, m.geography, m.lsoa_code, m.measure as indicator_id, m.value
    from int_deprivation_lsoa_measures as m
    where m.measure in ('imd_rank', 'imd_decile') and m.value is not null
)
select m.period, make_date(cast(m.period as integer), 1, 1) as period_start, s.lsoa21_code,
    m.indicator_id,
    first(m.value order by s.share * p.population desc, m.lsoa_code) as value
from measures as m
join int_geography_lsoa11_lsoa21_shares as s on s.lsoa11_code = m.lsoa_code
join int_population_native_lsoa as p
    on p.period = m.period and p.geography = m.geography and p.lsoa_code = m.lsoa_code
where m.geography = 'lsoa11'
group by all
union all
select period, make_date(cast(period as integer), 1, 1), lsoa_code, indicator_id, value
from measures
where geography = 'lsoa21'
