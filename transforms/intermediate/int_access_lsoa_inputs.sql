-- Grain: one row per period, native LSOA and indicator (access domains): numerators and
-- denominators summed when LSOAs are aggregated, unioned into int_native_indicator_inputs.
-- Columns: period, period_start, geography ('lsoa11' | 'lsoa21'), lsoa_code, indicator_id,
-- numerator, denominator.
select
    cast(null as varchar) as period,
    cast(null as date) as period_start,
    cast(null as varchar) as geography,
    cast(null as varchar) as lsoa_code,
    cast(null as varchar) as indicator_id,
    cast(null as double) as numerator,
    cast(null as double) as denominator
where false
