-- Grain: one row per LSOA 2021 (England): usual residents by general health (Census 2021 TS037)
-- and by disability under the Equality Act (TS038). The two tables' resident totals can differ
-- by a person or two (each table is perturbed for disclosure control separately).
select
    h."geography code" as lsoa21_code,
    h."General health: Total: All usual residents" as residents_health,
    h."General health: Very good health" + h."General health: Good health" as good_health,
    h."General health: Bad health" + h."General health: Very bad health" as bad_health,
    d."Disability: Total: All usual residents" as residents_disability,
    d."Disability: Disabled under the Equality Act" as disabled,
    d."Disability: Disabled under the Equality Act: Day-to-day activities limited a lot"
        as limited_a_lot
from raw_ons_census2021_general_health_lsoa21 as h
join raw_ons_census2021_disability_lsoa21 as d using ("geography code")
