-- Grain: one row per shipped neighbourhood model and LSOA 2021. Every English LA gets an
-- MSOA-based model and a ward-based model (best-fit LSOA -> ward 2024); Trafford also gets its
-- council's four localities (2023 wards and the 2017-2023 definition). MSOAs are named by the
-- House of Commons Library's names (int_geography_msoa21_names: "Partington", not "Trafford 017").
with msoa as (
    select g.lad_code || '_msoa21' as model_id,
        'MSOAs (2021)' as model_name, g.lad_code,
        g.msoa21_code as neighbourhood_code, n.msoa21_place_name as neighbourhood_name,
        g.lsoa21_code
    from int_geography_lsoa21 as g
    join int_geography_msoa21_names as n using (msoa21_code)
),
wards as (
    select lad_code || '_wards24', 'Wards (2024, best fit)', lad_code,
        ward_code, ward_name, lsoa21_code
    from int_geography_lsoa21
),
trafford as (
    select 'E08000009_localities2023', 'Trafford localities (2023)', g.lad_code,
        'trafford-' || lower(t.locality_2023), t.locality_2023, t.lsoa21_code
    from stg_geography_trafford_localities as t
    join int_geography_lsoa21 as g using (lsoa21_code)
    union all
    select 'E08000009_localities2017', 'Trafford localities (2017-2023)', g.lad_code,
        'trafford-2017-' || lower(t.locality_2017_2023), t.locality_2017_2023, t.lsoa21_code
    from stg_geography_trafford_localities as t
    join int_geography_lsoa21 as g using (lsoa21_code)
)
select * from msoa
union all select * from wards
union all select * from trafford
