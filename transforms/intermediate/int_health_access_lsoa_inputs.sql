-- Grain: one row per period, native LSOA and indicator for the LSOA-level health access scores
-- (AHAH, DEPAHRI, IoD geographical barriers, stroke unit travel time): population-weighted, so
-- numerator = value x population and denominator = population. Weights: ONS mid-2020 estimates
-- for LSOA 2011 data published after 2020, the official IoD2019 mid-2015 denominators for
-- IoD2019, Census 2021 for LSOA 2021 data. The AHAH share counts the population of LSOAs in
-- Great Britain's least healthy 20% (percentile 81-100).
with pop11 as (
    select lsoa11_code, population from stg_population_lsoa11 where period = '2020'
),
pop21 as (
    select lsoa21_code, population from stg_population_lsoa21
),
ahah_v3 as (
    select '2022' as period, date '2022-01-01' as period_start, 'lsoa11' as geography,
        a.lsoa11_code as lsoa_code, m.indicator_id, m.value, p.population
    from stg_health_access_ahah_v3_lsoa11 as a
    join pop11 as p using (lsoa11_code)
    cross join lateral (
        values
            ('ahah_gp_drive_min', a.gp_drive_min),
            ('ahah_pharmacy_drive_min', a.pharmacy_drive_min),
            ('ahah_dentist_drive_min', a.dentist_drive_min),
            ('ahah_hospital_drive_min', a.hospital_drive_min),
            ('ahah_v3_index', a.ahah_index),
            ('ahah_pop_least_healthy_20_pct', cast(a.ahah_percentile > 80 as integer))
    ) as m (indicator_id, value)
),
ahah_v4 as (
    select '2024', date '2024-01-01', 'lsoa21', a.lsoa21_code, m.indicator_id, m.value,
        p.population
    from stg_health_access_ahah_v4_lsoa21 as a
    join pop21 as p using (lsoa21_code)
    cross join lateral (
        values
            ('ahah_v4_index', a.ahah_index),
            ('ahah_pop_least_healthy_20_pct', cast(a.ahah_percentile > 80 as integer))
    ) as m (indicator_id, value)
),
depahri as (
    select '2023', date '2023-01-01', 'lsoa11', d.lsoa11_code, m.indicator_id, m.value,
        p.population
    from stg_health_access_depahri_lsoa11 as d
    join pop11 as p using (lsoa11_code)
    cross join lateral (
        values
            ('depahri_score', d.depahri_score),
            ('depahri_health_access_score', d.health_access_score)
    ) as m (indicator_id, value)
),
iod2019 as (
    select '2019', date '2019-01-01', 'lsoa11', b.lsoa11_code, m.indicator_id, m.value,
        i.population
    from stg_health_access_iod2019_barriers_lsoa11 as b
    join stg_deprivation_iod2019_lsoa11 as i using (lsoa11_code)
    cross join lateral (
        values
            ('iod_gp_road_km', b.gp_road_km),
            ('iod_supermarket_road_km', b.supermarket_road_km),
            ('iod_primary_school_road_km', b.primary_school_road_km),
            ('iod_post_office_road_km', b.post_office_road_km)
    ) as m (indicator_id, value)
),
iod2025 as (
    select '2025', date '2025-01-01', 'lsoa21', b.lsoa21_code, m.indicator_id, m.value,
        p.population
    from stg_health_access_iod2025_barriers_lsoa21 as b
    join pop21 as p using (lsoa21_code)
    cross join lateral (
        values
            ('iod_connectivity_score', b.connectivity_score),
            ('iod_patients_per_gp', b.patient_to_gp_ratio)
    ) as m (indicator_id, value)
),
stroke as (
    select '2024', date '2024-01-01', 'lsoa11', s.lsoa11_code, m.indicator_id, m.value,
        p.population
    from stg_health_access_stroke_travel_lsoa11 as s
    join pop11 as p using (lsoa11_code)
    cross join lateral (
        values
            ('stroke_ivt_unit_travel_min', s.ivt_unit_min),
            ('stroke_mt_unit_travel_min', s.mt_unit_min)
    ) as m (indicator_id, value)
),
final as (
    select period, period_start, geography, lsoa_code, indicator_id,
        value * population as numerator, cast(population as double) as denominator
    from (
        select * from ahah_v3
        union all select * from ahah_v4
        union all select * from depahri
        union all select * from iod2019
        union all select * from iod2025
        union all select * from stroke
    )
    where value is not null
)
select * from final
