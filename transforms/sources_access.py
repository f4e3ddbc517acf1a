"""Raw files for health access and transport indicators (declared columns are the ones used)."""

from __future__ import annotations

from transforms.sources import LAD_CODE, LSOA_CODE, RawFile

PRACTICE_CODE = r"^[A-Z]\d{5}$"

RAW_FILES: tuple[RawFile, ...] = (
    RawFile(
        table="raw_cdrc_ahah_v3_lsoa11",
        path="raw/health/ahah_v3_lsoa11_england.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "ahah_v3_index": "DOUBLE",
            "ahah_v3_percentile": "INTEGER",
            "gp_access": "DOUBLE",
            "dentist_access": "DOUBLE",
            "pharmacy_access": "DOUBLE",
            "hospital_access": "DOUBLE",
        },
        key=("lsoa11cd",),
        code_patterns={"lsoa11cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_cdrc_ahah_v4_lsoa21",
        path="raw/health/ahah_v4_lsoa21_england.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "ahah_v4_index": "DOUBLE",
            "ahah_v4_percentile": "INTEGER",
        },
        key=("lsoa21cd",),
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_brc_depahri_lsoa11",
        path="raw/health/depahri_lsoa11_england.csv.gz",
        columns={
            "lsoa11_code": "VARCHAR",
            "health_access_comp_national": "DOUBLE",
            "depahri_score_national": "DOUBLE",
        },
        key=("lsoa11_code",),
        code_patterns={"lsoa11_code": LSOA_CODE},
    ),
    RawFile(
        table="raw_exeter_stroke_travel_lsoa11",
        path="raw/health/stroke_unit_road_travel_time_lsoa11_england.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "nearest_ivt_unit_minutes": "DOUBLE",
            "nearest_mt_unit_minutes": "DOUBLE",
        },
        key=("lsoa11cd",),
        code_patterns={"lsoa11cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_nhs_gp_practices",
        path="raw/health/gp_practices_england_dec2025.csv.gz",
        columns={"practice_code": "VARCHAR", "postcode": "VARCHAR", "lsoa11cd": "VARCHAR"},
        key=("practice_code",),
        # 16 practices have postcodes newer than the May 2022 lookup, so no LSOA: left out
        filter_sql="lsoa11cd IS NOT NULL",
        code_patterns={"practice_code": PRACTICE_CODE, "lsoa11cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_nhs_gp_workforce",
        path="raw/health/gp_practice_workforce_fte_fy2016_2024.csv.gz",
        columns={
            "practice_code": "VARCHAR",
            "fiscal_year_end": "INTEGER",
            "total_patients": "DOUBLE",
            "gp_fq_fte": "DOUBLE",
        },
        key=("practice_code", "fiscal_year_end"),
        code_patterns={"practice_code": PRACTICE_CODE},
    ),
    RawFile(
        table="raw_mhclg_iod2019_indicators_lsoa11",
        path="raw/deprivation/iod2019_lsoa11_indicators.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "road_distance_to_a_gp_surgery_indicator_km": "DOUBLE",
            "road_distance_to_general_store_or_supermarket_indicator_km": "DOUBLE",
            "road_distance_to_a_primary_school_indicator_km": "DOUBLE",
            "road_distance_to_a_post_office_indicator_km": "DOUBLE",
        },
        key=("lsoa11cd",),
        code_patterns={"lsoa11cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_mhclg_iod2025_indicators_lsoa21",
        path="raw/deprivation/iod2025_lsoa21_indicators.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "connectivity_score": "DOUBLE",
            "patient_to_gp_ratio": "DOUBLE",
        },
        key=("lsoa21cd",),
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_census2021_car_availability_lsoa21",
        path="raw/transport/census2021_ts045_car_availability_lsoa21_england.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "households_total": "INTEGER",
            "households_no_car": "INTEGER",
        },
        key=("lsoa21cd",),
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_itsleeds_pt_frequency_lsoa11",
        path="raw/transport/pt_service_frequency_lsoa11_england_2004_2023.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "year": "INTEGER",
            "in_source": "INTEGER",
            "bus_tph_midwk_day": "DOUBLE",
            "rail_dep_midwk_day": "DOUBLE",
            "tram_metro_dep_midwk_day": "DOUBLE",
            "source_flag": "VARCHAR",
        },
        key=("lsoa11cd", "year"),
        code_patterns={"lsoa11cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_dft_stats19_casualties_gm",
        path="raw/transport/road_casualties_stats19_gm_2019_2024h1_lsoa21.csv.gz",
        columns={
            "casualty_row": "INTEGER",
            "collision_ref": "VARCHAR",
            "year": "INTEGER",
            "casualty_severity": "VARCHAR",
            "lad_name": "VARCHAR",
            "lad24cd": "VARCHAR",
            "lsoa21cd": "VARCHAR",
            "lsoa21_match": "VARCHAR",
        },
        key=("casualty_row",),
        # lsoa21cd is blank outside Trafford and Wigan (checked by a contract)
        code_patterns={"lad24cd": LAD_CODE},
    ),
    RawFile(
        table="raw_tfgm_bus_stops_trafford",
        path="raw/transport/trafford_bus_stops_tfgm_2022_lsoa21.csv.gz",
        columns={
            "atco_code": "VARCHAR",
            "lad24cd": "VARCHAR",
            "lsoa21cd": "VARCHAR",
            "lsoa21_match": "VARCHAR",
        },
        key=("atco_code",),
        code_patterns={"lad24cd": LAD_CODE, "lsoa21cd": LSOA_CODE},
    ),
)
