"""The raw layer: every bundled file the build reads, with the columns and types it must have.

Declaring the files here (rather than letting DuckDB guess) lets the build fail early with a
message that names the file, the line and the column when a file is missing or malformed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOMAINS = ("income", "employment", "education", "health", "crime", "barriers", "living_env")

LSOA_CODE = r"^E01\d{6}$"
LAD_CODE = r"^E0[6-9]\d{6}$"


@dataclass(frozen=True)
class RawFile:
    """One bundled file: where it lives under data/, the table it becomes, and its columns."""

    table: str
    path: str
    columns: dict[str, str]
    key: tuple[str, ...] = ()
    code_patterns: dict[str, str] = field(default_factory=dict)
    filter_sql: str = ""  # rows kept, e.g. not Welsh (malformed codes are kept, and fail)
    kind: str = "csv"  # csv | geojson_properties


def _domains(*suffixes: str, types: dict[str, str] | None = None) -> dict[str, str]:
    types = types or {"score": "DOUBLE", "rank": "INTEGER", "decile": "INTEGER"}
    return {f"{d}_{s}": types[s] for d in DOMAINS for s in suffixes}


RAW_FILES: tuple[RawFile, ...] = (
    RawFile(
        table="raw_dclg_iod2010_lsoa01",
        path="raw/deprivation/iod2010_lsoa01_england.csv.gz",
        columns={
            "lsoa01cd": "VARCHAR",
            "imd_score": "DOUBLE",
            "imd_rank": "INTEGER",
            "imd_decile": "INTEGER",
            **_domains("score", "rank", "decile"),
        },
        key=("lsoa01cd",),
        code_patterns={"lsoa01cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_dclg_iod2015_lsoa11",
        path="raw/deprivation/iod2015_lsoa11_england.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "lsoa11nm": "VARCHAR",
            "lad13cd": "VARCHAR",
            "lad13nm": "VARCHAR",
            "imd_score": "DOUBLE",
            "imd_rank": "INTEGER",
            "imd_decile": "INTEGER",
        },
        key=("lsoa11cd",),
        code_patterns={"lsoa11cd": LSOA_CODE, "lad13cd": LAD_CODE},
    ),
    RawFile(
        table="raw_mhclg_iod2019_lsoa11",
        path="raw/deprivation/iod2019_lsoa11_england.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "lsoa11nm": "VARCHAR",
            "lad19cd": "VARCHAR",
            "lad19nm": "VARCHAR",
            "imd_score_derived": "DOUBLE",
            "imd_rank": "INTEGER",
            "imd_decile": "INTEGER",
            **_domains("rank", "decile"),
            "income_score_rate_derived": "DOUBLE",
            "pop_total_mid2015": "INTEGER",
        },
        key=("lsoa11cd",),
        code_patterns={"lsoa11cd": LSOA_CODE, "lad19cd": LAD_CODE},
    ),
    RawFile(
        table="raw_mhclg_iod2025_lsoa21",
        path="raw/deprivation/iod2025_lsoa21_england.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "lsoa21nm": "VARCHAR",
            "lad24cd": "VARCHAR",
            "lad24nm": "VARCHAR",
            "imd_score": "DOUBLE",
            "imd_rank": "INTEGER",
            "imd_decile": "INTEGER",
            **_domains("score", "rank", "decile"),
        },
        key=("lsoa21cd",),
        code_patterns={"lsoa21cd": LSOA_CODE, "lad24cd": LAD_CODE},
    ),
    RawFile(
        table="raw_mhclg_iod2019_lad_summaries",
        path="raw/deprivation/iod2019_lad19_summaries.csv.gz",
        columns={
            "Local Authority District code (2019)": "VARCHAR",
            "Local Authority District name (2019)": "VARCHAR",
            "IMD - Average score": "DOUBLE",
            "IMD - Proportion of LSOAs in most deprived 10% nationally": "DOUBLE",
        },
        key=("Local Authority District code (2019)",),
        code_patterns={"Local Authority District code (2019)": LAD_CODE},
    ),
    RawFile(
        table="raw_mhclg_iod2025_lad_summaries",
        path="raw/deprivation/iod2025_lad24_summaries.csv.gz",
        columns={
            "lad24cd": "VARCHAR",
            "lad24nm": "VARCHAR",
            "imd_average_score": "DOUBLE",
            "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally": "DOUBLE",
        },
        key=("lad24cd",),
        code_patterns={"lad24cd": LAD_CODE},
    ),
    RawFile(
        table="raw_ons_sape_lsoa11",
        path="raw/deprivation/population_sape_lsoa11_bands_mid2017_2019_2020.csv.gz",
        columns={"mid_year": "INTEGER", "lsoa11cd": "VARCHAR", "total": "INTEGER"},
        key=("mid_year", "lsoa11cd"),
        filter_sql="lsoa11cd NOT LIKE 'W%'",
        code_patterns={"lsoa11cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_census2021_lsoa21",
        path="raw/deprivation/census2021_lsoa21_baseline.csv.gz",
        columns={"lsoa21cd": "VARCHAR", "usual_residents_ts021": "INTEGER"},
        key=("lsoa21cd",),
        filter_sql="lsoa21cd NOT LIKE 'W%'",
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_lsoa01_lsoa11",
        path="raw/geography/lookups/lsoa01_lsoa11_ew.csv.gz",
        columns={"lsoa01cd": "VARCHAR", "lsoa11cd": "VARCHAR", "chgind": "VARCHAR"},
        key=("lsoa01cd", "lsoa11cd"),
        filter_sql="lsoa11cd NOT LIKE 'W%'",
        code_patterns={"lsoa01cd": LSOA_CODE, "lsoa11cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_lsoa11_lsoa21",
        path="raw/geography/lookups/lsoa11_lsoa21_lad22_ew.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "lsoa21cd": "VARCHAR",
            "chgind": "VARCHAR",
            "lad22cd": "VARCHAR",
        },
        key=("lsoa11cd", "lsoa21cd"),
        filter_sql="lsoa21cd NOT LIKE 'W%'",
        code_patterns={"lsoa11cd": LSOA_CODE, "lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_lsoa21_ward24_lad24",
        path="raw/geography/lookups/lsoa21_ward24_lad24_ew.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "lsoa21nm": "VARCHAR",
            "wd24cd": "VARCHAR",
            "wd24nm": "VARCHAR",
            "lad24cd": "VARCHAR",
            "lad24nm": "VARCHAR",
        },
        key=("lsoa21cd",),
        filter_sql="lsoa21cd NOT LIKE 'W%'",
        code_patterns={"lsoa21cd": LSOA_CODE, "lad24cd": LAD_CODE, "wd24cd": r"^E05\d{6}$"},
    ),
    RawFile(
        table="raw_ons_lsoa21_sicbl24",
        path="raw/geography/lookups/lsoa21_sicbl24_icb24_england.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "sicbl24cd": "VARCHAR",
            "sicbl24cdh": "VARCHAR",
            "sicbl24nm": "VARCHAR",
            "icb24cd": "VARCHAR",
            "icb24nm": "VARCHAR",
        },
        key=("lsoa21cd",),
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_lad24_region24",
        path="raw/geography/lookups/lad24_region24_england.csv.gz",
        columns={
            "lad24cd": "VARCHAR",
            "lad24nm": "VARCHAR",
            "rgn24cd": "VARCHAR",
            "rgn24nm": "VARCHAR",
        },
        key=("lad24cd",),
        code_patterns={"lad24cd": LAD_CODE},
    ),
    RawFile(
        table="raw_ons_msoa21_names",
        path="raw/geography/boundaries/msoa21_england.geojson.gz",
        columns={"msoa21cd": "VARCHAR", "msoa21nm": "VARCHAR"},
        key=("msoa21cd",),
        code_patterns={"msoa21cd": r"^E02\d{6}$"},
        kind="geojson_properties",
    ),
    RawFile(
        table="raw_trafford_localities",
        path="raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv",
        columns={
            "lsoa21cd": "VARCHAR",
            "locality_2023": "VARCHAR",
            "locality_2017_2023": "VARCHAR",
        },
        key=("lsoa21cd",),
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
)
