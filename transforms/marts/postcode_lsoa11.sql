-- Published. Grain: one row per postcode (upper case, no spaces) of the bundled ONS postcode
-- lookup (May 2022), which covers Kirklees, Trafford, Wigan and Test Valley only. Key: postcode.
-- Places partner data given by postcode.
select postcode, lsoa11_code
from stg_geography_postcode_lsoa11
order by postcode
