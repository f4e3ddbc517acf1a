-- Grain: one row per postcode (upper case, spaces removed) in the bundled extract of the ONS
-- postcode lookup (May 2022; Kirklees, Trafford, Wigan and Test Valley): its LSOA 2011.
select replace(upper(postcode), ' ', '') as postcode, any_value(lsoa11cd) as lsoa11_code
from raw_ons_postcode_lsoa11
group by 1
