-- Grain: one row per Trafford borough election (scheduled, May) and ward: electorate and votes
-- cast. Where the row is flagged as inconsistent with the published turnout, votes are the
-- published turnout times the electorate. By-elections and general elections are left out.
select
    election_date,
    cast(year(election_date) as varchar) as period,
    area_code as ward_code,
    area_name as ward_name,
    area_vintage,
    electorate,
    case when flag like 'votes_cast inconsistent%'
        then round(turnout_pct_published / 100 * electorate) else votes_cast end as votes_cast
from raw_trafford_election_turnout
where election_type = 'DistrictAndBorough'
