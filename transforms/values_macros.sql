-- Macros the published values use; created after macros.sql (Wilson and Byar bounds) and
-- after the catalogue seed. They are stored in the published database, so the app computes a
-- council's own neighbourhoods with exactly the arithmetic of the build.

-- ci_bound: one bound of the catalogue's CI method, on the indicator's scale.
create or replace macro ci_bound(method, side, num, den, multiplier, z) as
    case
        when method = 'wilson' and side = 'lower' then wilson_lower(num, den, z) * multiplier
        when method = 'wilson' and side = 'upper' then wilson_upper(num, den, z) * multiplier
        when method = 'byar' and side = 'lower' then byars_lower(num, z) / den * multiplier
        when method = 'byar' and side = 'upper' then byars_upper(num, z) / den * multiplier
        else cast(null as double)
    end;

-- neighbourhood_sums(inputs, membership): one row per model, neighbourhood, period and
-- indicator: the summed LSOA 2021 inputs of each neighbourhood. `inputs` names a table shaped
-- like lsoa_indicator_inputs; `membership` one shaped like neighbourhood_models.
create or replace macro neighbourhood_sums(inputs, membership) as table
    -- Summed first, named after: the millions of LSOA rows carry no names through the sum.
    with sums as (
        select
            nm.model_id,
            nm.neighbourhood_code,
            i.period,
            any_value(i.period_start) as period_start,
            i.indicator_id,
            sum(i.numerator) as numerator,
            sum(i.denominator) as denominator
        from query_table(inputs) as i
        join query_table(membership) as nm using (lsoa21_code)
        group by nm.model_id, nm.neighbourhood_code, i.period, i.indicator_id
    ),
    names as (
        select model_id, neighbourhood_code, any_value(neighbourhood_name) as area_name,
            any_value(lad_code) as lad_code
        from query_table(membership)
        group by model_id, neighbourhood_code
    )
    select
        'neighbourhood' as area_type,
        s.neighbourhood_code as area_code,
        n.area_name,
        s.model_id,
        n.lad_code,
        s.period,
        s.period_start,
        s.indicator_id,
        s.numerator,
        s.denominator
    from sums as s
    join names as n using (model_id, neighbourhood_code);

-- indicator_values_from_sums(sums): published indicator_values rows from summed numerators and
-- denominators (`sums` names a table shaped like int_area_sums). Values come from summed
-- counts, never an average of percentages; population-weighted means publish no numerator or
-- denominator. CIs follow the catalogue's ci_method and are null for complete counts.
create or replace macro indicator_values_from_sums(sums) as table
    -- One pass over the sums: an indicator without a CI method gets null bounds from
    -- ci_bound, whose CASE evaluates the interval macros only for the rows of its method.
    select
        s.area_type,
        s.area_code,
        s.area_name,
        s.model_id,
        s.lad_code,
        s.indicator_id,
        s.period,
        s.period_start,
        case
            when c.aggregation in ('sum', 'lsoa_only') then s.numerator
            else s.numerator / nullif(s.denominator, 0) * c.multiplier
        end as value,
        case when c.aggregation in ('ratio', 'lsoa_share', 'sum')
            then s.numerator end as numerator,
        case when c.aggregation in ('ratio', 'lsoa_share')
            then s.denominator end as denominator,
        ci_bound(c.ci_method, 'lower', s.numerator, s.denominator, c.multiplier,
            1.959963984540054) as lower_ci95,
        ci_bound(c.ci_method, 'upper', s.numerator, s.denominator, c.multiplier,
            1.959963984540054) as upper_ci95,
        ci_bound(c.ci_method, 'lower', s.numerator, s.denominator, c.multiplier,
            3.090232306167813) as lower_ci998,
        ci_bound(c.ci_method, 'upper', s.numerator, s.denominator, c.multiplier,
            3.090232306167813) as upper_ci998
    from query_table(sums) as s
    join indicator_catalogue as c using (indicator_id);

-- neighbourhood_indicator_values(membership): published indicator_values rows for the
-- neighbourhoods of `membership` (a table shaped like neighbourhood_models, e.g. a council's
-- uploaded model), from the published LSOA inputs: what the build publishes for its models.
create or replace macro neighbourhood_indicator_values(membership) as table
    with membership_sums as (
        select * from neighbourhood_sums('lsoa_indicator_inputs', membership)
    )
    select * from indicator_values_from_sums('membership_sums');
