-- Grain: one row per MSOA 2011 (England): the House of Commons Library's MSOA name (e.g.
-- E02001275 "Partington" for ONS's "Trafford 017").
select msoa11cd as msoa11_code, trim(msoa11hclnm) as msoa11_hcl_name
from raw_hcl_msoa11_names
