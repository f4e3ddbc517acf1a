-- Published. Grain: one row per LSOA 2011 and LSOA 2021 it overlaps. Key: (lsoa11_code,
-- lsoa21_code). `share`: the part of the 2011 LSOA's counts that moves to the 2021 LSOA (Census
-- 2021 population share where an LSOA was split; 1 otherwise). Used to place uploads given on
-- 2011 codes.
select lsoa11_code, lsoa21_code, share
from int_geography_lsoa11_lsoa21_shares
order by lsoa11_code, lsoa21_code
