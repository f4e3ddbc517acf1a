-- Grain: one row per IoD wave, native LSOA and indicator: children aged 0-15 in income-deprived
-- families (IDACI) and people aged 60+ who are income deprived (IDAOPI), with the wave's LA so
-- boroughs are summed on the wave's own LSOAs (as the other IoD indicators are).
-- Numerators are File 8's, rounded to 5 and blank when fewer than 10: a blank counts 0, so a
-- rate is a slight underestimate (IoD2019 LA rates are within 0.02 of File 10's averages).
-- Two LSOAs have more older people income deprived than File 6's residents aged 60+ (Rushmoor
-- 008B, Oldham 022C, IDAOPI ranks 1 and 2): a rate's numerator is capped at its denominator.
-- Rates: IoD2019 only, over File 6 (mid-2015) denominators. IoD2025's own denominators
-- (mid-2022) are not bundled, and the bundled mid-2020 estimates give rates above 100% in
-- places, so IoD2025 is published as the number of children only.
with wave2019 as (
    select '2019' as period, date '2019-01-01' as period_start, 'lsoa11' as geography,
        i.lsoa11_code as lsoa_code, w.lad_code as native_lad_code, w.lad_name as native_lad_name,
        m.indicator_id, m.numerator, m.denominator
    from stg_deprivation_iod2019_income_age_lsoa11 as i
    join stg_deprivation_iod2019_lsoa11 as w using (lsoa11_code)
    cross join lateral (
        values
            ('income_deprived_children_pct',
                least(coalesce(i.idaci_numerator, 0), i.children_0_15), i.children_0_15),
            ('income_deprived_older_pct',
                least(coalesce(i.idaopi_numerator, 0), i.people_60_plus), i.people_60_plus),
            ('income_deprived_children', coalesce(i.idaci_numerator, 0), null)
    ) as m (indicator_id, numerator, denominator)
    where i.children_0_15 > 0 and i.people_60_plus > 0
),
wave2025 as (
    select '2025' as period, date '2025-01-01' as period_start, 'lsoa21' as geography,
        i.lsoa21_code as lsoa_code, w.lad_code as native_lad_code, w.lad_name as native_lad_name,
        'income_deprived_children' as indicator_id,
        coalesce(i.idaci_numerator, 0) as numerator, null as denominator
    from stg_deprivation_iod2025_income_age_lsoa21 as i
    join stg_deprivation_iod2025_lsoa21 as w using (lsoa21_code)
),
final as (
    select * from wave2019
    union all
    select * from wave2025
)
select
    period, period_start, geography, lsoa_code, native_lad_code, native_lad_name, indicator_id,
    cast(numerator as double) as numerator, cast(denominator as double) as denominator
from final
