-- Grain: one row per LSOA 2011 (England; the Isles of Scilly are not modelled). Modelled road
-- travel time in minutes to the nearest thrombolysis (IVT) and thrombectomy (MT) stroke unit.
select
    lsoa11cd as lsoa11_code,
    nearest_ivt_unit_minutes as ivt_unit_min,
    nearest_mt_unit_minutes as mt_unit_min
from raw_exeter_stroke_travel_lsoa11
