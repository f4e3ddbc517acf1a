-- Grain: one row per IoD wave, native LSOA and measure. Long form of every IoD measure used,
-- with most-deprived flags (1/0) computed on the wave's own deciles. IoD2010 (LSOA 2001) is moved
-- onto LSOA 2011 here: split LSOAs inherit, merged LSOAs average; ranks and deciles come from the
-- parent with the largest share (no 2001 population is bundled, so merged 2001 LSOAs tie and
-- the lowest code wins, deterministically).
with iod2010 as (
    unpivot (
        select
            lsoa01_code,
            imd_score, cast(imd_rank as double) as imd_rank, cast(imd_decile as double) as imd_decile,
            cast(imd_decile = 1 as double) as imd_md10,
            cast(imd_decile <= 2 as double) as imd_md20,
            income_rate,
            cast(income_decile = 1 as double) as income_md10,
            cast(employment_decile = 1 as double) as employment_md10,
            cast(education_decile = 1 as double) as education_md10,
            cast(health_decile = 1 as double) as health_md10,
            cast(crime_decile = 1 as double) as crime_md10,
            cast(barriers_decile = 1 as double) as barriers_md10,
            cast(living_env_decile = 1 as double) as living_env_md10
        from stg_deprivation_iod2010_lsoa01
    ) on columns(* exclude (lsoa01_code)) into name measure value value
),
iod2010_on_lsoa11 as (
    select
        '2010' as period,
        'lsoa11' as geography,
        s.lsoa11_code as lsoa_code,
        cast(null as varchar) as native_lad_code,
        cast(null as varchar) as native_lad_name,
        m.measure,
        case
            when m.measure in ('imd_rank', 'imd_decile')
                then first(m.value order by s.share desc, m.lsoa01_code)
            else sum(m.value * s.share) / sum(s.share)
        end as value
    from iod2010 as m
    join int_geography_lsoa01_lsoa11_shares as s using (lsoa01_code)
    group by s.lsoa11_code, m.measure
),
iod2015 as (
    select '2015' as period, 'lsoa11' as geography, lsoa11_code as lsoa_code,
        lad_code as native_lad_code, lad_name as native_lad_name, measure, value
    from (
        unpivot (
            select lsoa11_code, lad_code, lad_name,
                imd_score, cast(imd_rank as double) as imd_rank,
                cast(imd_decile as double) as imd_decile,
                cast(imd_decile = 1 as double) as imd_md10,
                cast(imd_decile <= 2 as double) as imd_md20
            from stg_deprivation_iod2015_lsoa11
        ) on columns(* exclude (lsoa11_code, lad_code, lad_name)) into name measure value value
    )
),
iod2019 as (
    select '2019' as period, 'lsoa11' as geography, lsoa11_code as lsoa_code,
        lad_code as native_lad_code, lad_name as native_lad_name, measure, value
    from (
        unpivot (
            select lsoa11_code, lad_code, lad_name,
                imd_score, cast(imd_rank as double) as imd_rank,
                cast(imd_decile as double) as imd_decile,
                cast(imd_decile = 1 as double) as imd_md10,
                cast(imd_decile <= 2 as double) as imd_md20,
                income_rate,
                cast(income_decile = 1 as double) as income_md10,
                cast(employment_decile = 1 as double) as employment_md10,
                cast(education_decile = 1 as double) as education_md10,
                cast(health_decile = 1 as double) as health_md10,
                cast(crime_decile = 1 as double) as crime_md10,
                cast(barriers_decile = 1 as double) as barriers_md10,
                cast(living_env_decile = 1 as double) as living_env_md10
            from stg_deprivation_iod2019_lsoa11
        ) on columns(* exclude (lsoa11_code, lad_code, lad_name)) into name measure value value
    )
),
iod2025 as (
    select '2025' as period, 'lsoa21' as geography, lsoa21_code as lsoa_code,
        lad_code as native_lad_code, lad_name as native_lad_name, measure, value
    from (
        unpivot (
            select lsoa21_code, lad_code, lad_name,
                imd_score, cast(imd_rank as double) as imd_rank,
                cast(imd_decile as double) as imd_decile,
                cast(imd_decile = 1 as double) as imd_md10,
                cast(imd_decile <= 2 as double) as imd_md20,
                income_rate,
                cast(income_decile = 1 as double) as income_md10,
                cast(employment_decile = 1 as double) as employment_md10,
                cast(education_decile = 1 as double) as education_md10,
                cast(health_decile = 1 as double) as health_md10,
                cast(crime_decile = 1 as double) as crime_md10,
                cast(barriers_decile = 1 as double) as barriers_md10,
                cast(living_env_decile = 1 as double) as living_env_md10
            from stg_deprivation_iod2025_lsoa21
        ) on columns(* exclude (lsoa21_code, lad_code, lad_name)) into name measure value value
    )
)
select * from iod2010_on_lsoa11
union all select * from iod2015
union all select * from iod2019
union all select * from iod2025
