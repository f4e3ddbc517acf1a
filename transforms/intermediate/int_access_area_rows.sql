-- Grain: one row per area, period and indicator for data published only above LSOA level
-- (access domains; e.g. sub-ICB locations mapped to their LA, LA-level surveys, England).
-- Unioned into int_area_sums. area_type is 'lad' or 'england'.
select
    cast(null as varchar) as area_type,
    cast(null as varchar) as area_code,
    cast(null as varchar) as area_name,
    cast(null as varchar) as model_id,
    cast(null as varchar) as lad_code,
    cast(null as varchar) as period,
    cast(null as date) as period_start,
    cast(null as varchar) as indicator_id,
    cast(null as double) as numerator,
    cast(null as double) as denominator
where false
