"""Raw files for service use and cohesion indicators (data/raw/service_use, data/raw/cohesion)."""

from __future__ import annotations

from transforms.sources import LAD_CODE, LSOA_CODE, RawFile

MONTH_DATE = r"^\d{4}-\d{2}-01$"
MONTH = r"^\d{4}-\d{2}$"
SICBL_ONS = r"^E38\d{6}$"
ICB_ONS = r"^E54\d{6}$"
PRACTICE = r"^[A-Z]\d{5}$"

RAW_FILES: tuple[RawFile, ...] = (
    # ------------------------------------------------------------------ service use
    RawFile(
        table="raw_nhse_gp_appointments_subicb",
        path="raw/service_use/gp_appointments_subicb_monthly_2023_2025.csv.gz",
        columns={
            "month": "DATE",
            "sub_icb_location_code": "VARCHAR",
            "sub_icb_location_ons_code": "VARCHAR",
            "sub_icb_location_name": "VARCHAR",
            "appt_status": "VARCHAR",
            "hcp_type": "VARCHAR",
            "appt_mode": "VARCHAR",
            "count_of_appointments": "INTEGER",
        },
        key=("month", "sub_icb_location_code", "appt_status", "hcp_type", "appt_mode"),
        code_patterns={"month": MONTH_DATE, "sub_icb_location_ons_code": SICBL_ONS},
    ),
    RawFile(
        table="raw_nhse_gp_appointments_coverage",
        path="raw/service_use/gp_appointments_coverage_subicb_monthly.csv.gz",
        columns={
            "sub_icb_location_code": "VARCHAR",
            "month": "DATE",
            "included_practices": "INTEGER",
            "open_practices": "INTEGER",
            "patients_registered_at_included_practices": "INTEGER",
            "patients_registered_at_open_practices": "INTEGER",
        },
        key=("sub_icb_location_code", "month"),
        code_patterns={"month": MONTH_DATE},
    ),
    RawFile(
        table="raw_nhsd_gp_appointments_ccg",
        path="raw/service_use/gp_appointments_ccg_monthly_2019_2021_partial.csv.gz",
        columns={
            "month": "DATE",
            "ccg_code": "VARCHAR",
            "ccg_ons_code": "VARCHAR",
            "appt_status": "VARCHAR",
            "hcp_type": "VARCHAR",
            "appt_mode": "VARCHAR",
            "count_of_appointments": "INTEGER",
        },
        key=("month", "ccg_code", "appt_status", "hcp_type", "appt_mode"),
        code_patterns={"month": MONTH_DATE, "ccg_ons_code": SICBL_ONS},
    ),
    RawFile(
        table="raw_nhse_online_consultations_practice",
        path="raw/service_use/gp_online_consultation_submissions_practice_monthly_2023_2025.csv.gz",
        columns={
            "month": "DATE",
            "gp_code": "VARCHAR",
            "oc_system_usage": "INTEGER",
            "oc_total_submissions": "INTEGER",
            "patients_registered": "INTEGER",
        },
        key=("month", "gp_code"),
        code_patterns={"month": MONTH_DATE, "gp_code": PRACTICE},
    ),
    RawFile(
        table="raw_nhse_gp_practice_locations",
        path="raw/service_use/gp_practice_locations_dec2025.csv.gz",
        columns={
            "practice_code": "VARCHAR",
            "postcode": "VARCHAR",
            "lsoa11cd": "VARCHAR",
            "lad_code_pcd2022": "VARCHAR",
        },
        key=("practice_code",),
        code_patterns={"practice_code": PRACTICE},
    ),
    RawFile(
        table="raw_nhse_ae_attendances_icb",
        path="raw/service_use/ae_attendances_icb_monthly_2022_2025.csv.gz",
        columns={
            "month": "DATE",
            "icb22_code": "VARCHAR",
            "total_attendances": "DOUBLE",
            "attendances_over_4hours": "DOUBLE",
        },
        key=("month", "icb22_code"),
        code_patterns={"month": MONTH_DATE, "icb22_code": ICB_ONS},
    ),
    RawFile(
        table="raw_exeter_stroke_admissions_lsoa11",
        path="raw/service_use/stroke_admissions_lsoa11_2017_2019.csv.gz",
        columns={
            "lsoa11cd": "VARCHAR",
            "lsoa11nm": "VARCHAR",
            "stroke_admissions_mean_per_year_2017_2019": "DOUBLE",
        },
        key=("lsoa11cd",),
        filter_sql="lsoa11cd NOT LIKE 'W%'",
        code_patterns={"lsoa11cd": LSOA_CODE},
    ),
    # ------------------------------------------------------------------ cohesion
    RawFile(
        table="raw_dcms_loneliness_lsoa21",
        path="raw/cohesion/loneliness_cls_2020_21_lsoa21.csv.gz",
        columns={
            "lsoa21_code": "VARCHAR",
            "pct_lonely_often_some_of_time": "DOUBLE",
            "decile": "INTEGER",
        },
        key=("lsoa21_code",),
        code_patterns={"lsoa21_code": LSOA_CODE},
    ),
    RawFile(
        table="raw_ocsi_cni2023_lsoa21",
        path="raw/cohesion/community_needs_index_2023_lsoa21.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "cni_score": "DOUBLE",
            "civic_assets_score": "DOUBLE",
            "connectedness_score": "DOUBLE",
            "active_engaged_community_score": "DOUBLE",
            "left_behind_area": "VARCHAR",
        },
        key=("lsoa21cd",),
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_cdrc_household_churn_lsoa11",
        path="raw/cohesion/household_churn_cdrc_2018_2023_lsoa11.csv.gz",
        columns={"area_code": "VARCHAR", "churn_2018_to_2023": "DOUBLE"},
        key=("area_code",),
        code_patterns={"area_code": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_census2021_tenure_lsoa21",
        path="raw/cohesion/census2021_ts054_tenure_lsoa21.csv.gz",
        columns={
            "lsoa21cd": "VARCHAR",
            "households_total": "INTEGER",
            "owned": "INTEGER",
            "shared_ownership": "INTEGER",
            "social_rented": "INTEGER",
            "private_rented": "INTEGER",
            "rent_free": "INTEGER",
        },
        key=("lsoa21cd",),
        filter_sql="lsoa21cd NOT LIKE 'W%'",
        code_patterns={"lsoa21cd": LSOA_CODE},
    ),
    RawFile(
        table="raw_ons_wellbeing_la",
        path="raw/cohesion/wellbeing_aps_la_fy2012_2022.csv.gz",
        columns={
            "area_code": "VARCHAR",
            "area_name": "VARCHAR",
            "fy_end_year": "INTEGER",
            "life_satisfaction_mean": "DOUBLE",
            "anxiety_mean": "DOUBLE",
            "worthwhile_mean": "DOUBLE",
        },
        key=("area_code", "fy_end_year"),
        code_patterns={"area_code": r"^(E0[6-9]\d{6}|E92000001)$"},
    ),
    RawFile(
        table="raw_trafford_election_turnout",
        path="raw/cohesion/trafford_election_turnout_ward_2016_2026.csv.gz",
        columns={
            "election_date": "DATE",
            "election_type": "VARCHAR",
            "area_code": "VARCHAR",
            "area_name": "VARCHAR",
            "area_vintage": "VARCHAR",
            "electorate": "DOUBLE",
            "votes_cast": "DOUBLE",
            "turnout_pct_published": "DOUBLE",
            "flag": "VARCHAR",
        },
        key=("election_date", "area_code"),
        code_patterns={"area_code": r"^E(05|14)\d{6}$"},
    ),
    RawFile(
        table="raw_policeuk_crime_hampshire",
        path="raw/cohesion/crime_police_uk_street_lsoa11_month_hampshire_2022.csv.gz",
        columns={
            "month": "VARCHAR",
            "lsoa11cd": "VARCHAR",
            "lad22cd": "VARCHAR",
            "crime_type": "VARCHAR",
            "n_crimes": "INTEGER",
        },
        key=("month", "lsoa11cd", "crime_type"),
        code_patterns={"month": MONTH, "lsoa11cd": LSOA_CODE, "lad22cd": LAD_CODE},
    ),
    RawFile(
        table="raw_policeuk_crime_west_yorkshire",
        path="raw/cohesion/crime_police_uk_street_lsoa11_month_west_yorkshire_jul2016_jul2018.csv.gz",
        columns={
            "month": "VARCHAR",
            "lsoa11cd": "VARCHAR",
            "lad22cd": "VARCHAR",
            "crime_type": "VARCHAR",
            "n_crimes": "INTEGER",
        },
        key=("month", "lsoa11cd", "crime_type"),
        code_patterns={"month": MONTH, "lsoa11cd": LSOA_CODE, "lad22cd": LAD_CODE},
    ),
)
