-- Published. Grain: one row per LSOA 2021 in England. Key: lsoa21_code. `geometry`: the ONS
-- super-generalised (BSC) boundary as GeoJSON text, for maps (Open Government Licence v3.0;
-- contains OS data © Crown copyright and database right 2021).
select lsoa21_code, lad_code, geometry
from stg_geography_lsoa21_boundaries
order by lsoa21_code
