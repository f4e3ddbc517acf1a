-- Grain: one row per LSOA 2021 and indicator: Census 2021 usual residents in bad or very bad
-- general health (TS037), disabled under the Equality Act, and disabled with day-to-day
-- activities limited a lot (TS038), over each table's own resident total.
select '2021' as period, date '2021-03-21' as period_start, 'lsoa21' as geography,
    h.lsoa21_code as lsoa_code, m.indicator_id,
    cast(m.numerator as double) as numerator, cast(m.denominator as double) as denominator
from stg_population_census2021_health_lsoa21 as h
cross join lateral (
    values
        ('bad_health_pct', h.bad_health, h.residents_health),
        ('disabled_pct', h.disabled, h.residents_disability),
        ('disabled_limited_a_lot_pct', h.limited_a_lot, h.residents_disability)
) as m (indicator_id, numerator, denominator)
where m.denominator > 0
