-- Grain: one row per LSOA 2021 (England). CDRC AHAH v4 (2024): index and GB percentile
-- (100 = least healthy).
select
    lsoa21cd as lsoa21_code,
    ahah_v4_index as ahah_index,
    ahah_v4_percentile as ahah_percentile
from raw_cdrc_ahah_v4_lsoa21
