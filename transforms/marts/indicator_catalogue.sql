-- Published. Grain: one row per indicator. Key: indicator_id.
select
    indicator_id, name, domain, definition, unit, polarity, aggregation,
    source, publisher, licence, caveats, multiplier, ci_method, geography, area_types, coverage,
    comparable_over_time, sort_order
from seed_indicator_catalogue
order by sort_order
