-- Grain: one row per LSOA 2011 (England). IoD2019 File 8 geographical barriers indicators: mean
-- road distance in km to the nearest GP surgery, general store or supermarket, primary school
-- and post office.
select
    lsoa11cd as lsoa11_code,
    road_distance_to_a_gp_surgery_indicator_km as gp_road_km,
    road_distance_to_general_store_or_supermarket_indicator_km as supermarket_road_km,
    road_distance_to_a_primary_school_indicator_km as primary_school_road_km,
    road_distance_to_a_post_office_indicator_km as post_office_road_km
from raw_mhclg_iod2019_indicators_lsoa11
