-- Grain: one row per wave and LA. Official IoD LA summaries (File 10), kept to check the build.
select
    '2019' as period,
    "Local Authority District code (2019)" as lad_code,
    "IMD - Average score" as imd_score,
    100 * "IMD - Proportion of LSOAs in most deprived 10% nationally" as imd_lsoas_most_deprived_10_pct,
    100 * "IDACI - Average score" as income_deprived_children_pct,
    100 * "IDAOPI - Average score" as income_deprived_older_pct
from raw_mhclg_iod2019_lad_summaries
union all
select
    '2025',
    lad24cd,
    imd_average_score,
    100 * imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally,
    null,
    null
from raw_mhclg_iod2025_lad_summaries
