-- Grain: one row per LSOA 2021: OCSI Community Needs Index 2023 and its three domain scores
-- (higher = greater need) and the 'left behind' flag.
select
    lsoa21cd as lsoa21_code,
    cni_score,
    civic_assets_score,
    connectedness_score,
    active_engaged_community_score as engaged_community_score,
    cast(left_behind_area as boolean) as left_behind
from raw_ocsi_cni2023_lsoa21
