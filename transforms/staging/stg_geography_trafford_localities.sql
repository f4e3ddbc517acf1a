-- Grain: one row per Trafford LSOA 2021: its council locality (2023 wards; 2017-2023 wards).
select
    lsoa21cd as lsoa21_code,
    locality_2023,
    locality_2017_2023
from raw_trafford_localities
