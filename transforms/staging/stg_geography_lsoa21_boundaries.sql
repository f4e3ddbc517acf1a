-- Grain: one row per LSOA 2021 in England: its LA 2024 and its boundary (GeoJSON geometry text).
select lsoa21cd as lsoa21_code, lad24cd as lad_code, geometry
from raw_ons_lsoa21_boundaries
