-- Grain: one row per period, native LSOA and indicator for transport: public transport trips per
-- hour (population-weighted), households without a car, road casualties and bus stops (counts
-- over residents).
-- Frequency weights: ONS mid-2017 estimates for 2004-2017, mid-2019 for 2018-2019, mid-2020 for
-- 2020-2023 (no earlier LSOA estimates are bundled). LSOA-years the source marks "Missing data"
-- (its own regional gaps) get no bus value; rail and tram/metro are published for
-- 2018-2023 only (one rail feed, ATOC; 2014-2017 have no rail).
with frequency as (
    select w.period, w.period_start, 'lsoa11' as geography, w.lsoa11_code as lsoa_code,
        m.indicator_id, m.value * w.population as numerator,
        cast(w.population as double) as denominator
    from int_transport_pt_frequency_weighted as w
    cross join lateral (
        values
            ('pt_bus_trips_per_hour', case when coalesce(w.source_flag, '') not like 'Missing data%'
                then w.bus_trips_per_hour end),
            ('pt_rail_trips_per_hour', case when w.year >= 2018 then w.rail_trips_per_hour end),
            ('pt_tram_metro_trips_per_hour',
                case when w.year >= 2018 then w.tram_metro_trips_per_hour end)
    ) as m (indicator_id, value)
    where m.value is not null
),
no_car as (
    select '2021' as period, date '2021-03-21' as period_start, 'lsoa21' as geography,
        lsoa21_code as lsoa_code, 'households_no_car_pct' as indicator_id,
        cast(households_no_car as double) as numerator, cast(households as double) as denominator
    from stg_transport_car_availability_lsoa21
),
-- Every LSOA of Trafford and Wigan in every full year, with zero where no casualty was recorded.
casualty_lsoas as (
    select g.lsoa21_code, y.year, p.population
    from int_geography_lsoa21 as g
    join stg_population_lsoa21 as p using (lsoa21_code)
    cross join (select distinct year from stg_transport_road_casualties where year <= 2023) as y
    where g.lad_code in (
        select distinct lad_code from stg_transport_road_casualties where lsoa21_code is not null
    )
),
casualties as (
    select cast(l.year as varchar) as period, make_date(l.year, 1, 1) as period_start,
        'lsoa21' as geography, l.lsoa21_code as lsoa_code,
        'road_casualties_per_1000' as indicator_id,
        cast(count(c.casualty_row) as double) as numerator,
        cast(any_value(l.population) as double) as denominator
    from casualty_lsoas as l
    left join stg_transport_road_casualties as c
        on c.lsoa21_code = l.lsoa21_code and c.year = l.year
    group by l.lsoa21_code, l.year
),
bus_stops as (
    select '2022' as period, date '2022-01-01' as period_start, 'lsoa21' as geography,
        g.lsoa21_code as lsoa_code, 'bus_stops_per_1000' as indicator_id,
        cast(count(s.atco_code) as double) as numerator,
        cast(any_value(p.population) as double) as denominator
    from int_geography_lsoa21 as g
    join stg_population_lsoa21 as p using (lsoa21_code)
    left join stg_transport_bus_stops as s using (lsoa21_code)
    where g.lad_code in (select distinct lad_code from stg_transport_bus_stops)
    group by g.lsoa21_code
),
final as (
    select * from frequency
    union all select * from no_car
    union all select * from casualties
    union all select * from bus_stops
)
select * from final
