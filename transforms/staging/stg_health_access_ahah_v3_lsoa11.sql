-- Grain: one row per LSOA 2011 (England). CDRC AHAH v3 (2022): index, GB percentile (100 = least
-- healthy) and mean drive time to the nearest GP, pharmacy, dentist and hospital from the
-- LSOA's postcodes.
select
    lsoa11cd as lsoa11_code,
    ahah_v3_index as ahah_index,
    ahah_v3_percentile as ahah_percentile,
    gp_access as gp_drive_min,
    pharmacy_access as pharmacy_drive_min,
    dentist_access as dentist_drive_min,
    hospital_access as hospital_drive_min
from raw_cdrc_ahah_v3_lsoa11
