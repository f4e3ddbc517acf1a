"""Copy and trim the health, transport and IoD files into data/raw (England, needed columns)."""

import csv
import gzip
import io
import shutil
import sys
from pathlib import Path

# The curated copies of the official files (second argument; default: ../shared/data).
SHARED = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("../shared/data")
RAW = Path(sys.argv[1])


def rows(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8") as h:
        reader = csv.DictReader(h)
        yield from reader


def write(path: Path, header: list[str], records) -> int:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    n = 0
    for r in records:
        w.writerow([r[c] for c in header])
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{n:>8} {path}")
    return n


def england(code_col):
    return lambda r: r[code_col].startswith("E")


def trim(src: str, dest: str, header: list[str], keep=lambda r: True) -> None:
    write(RAW / dest, header, (r for r in rows(SHARED / src) if keep(r)))


trim(
    "health/ahah_v3_lsoa11_gb_health_domain.csv.gz",
    "health/ahah_v3_lsoa11_england.csv.gz",
    [
        "lsoa11cd",
        "ahah_v3_index",
        "ahah_v3_rank",
        "ahah_v3_percentile",
        "health_domain_score",
        "gp_access",
        "dentist_access",
        "pharmacy_access",
        "hospital_access",
    ],
    england("lsoa11cd"),
)
trim(
    "health/ahah_v4_lsoa21_gb_index.csv.gz",
    "health/ahah_v4_lsoa21_england.csv.gz",
    ["lsoa21cd", "ahah_v4_index", "ahah_v4_rank", "ahah_v4_percentile"],
    england("lsoa21cd"),
)
(RAW / "health").mkdir(parents=True, exist_ok=True)
shutil.copyfile(
    SHARED / "health/depahri_lsoa11_england.csv.gz", RAW / "health/depahri_lsoa11_england.csv.gz"
)
trim(
    "health/stroke_unit_road_travel_time_lsoa11_ew.csv.gz",
    "health/stroke_unit_road_travel_time_lsoa11_england.csv.gz",
    [
        "lsoa11cd",
        "lsoa11nm",
        "nearest_ivt_unit_name",
        "nearest_ivt_unit_minutes",
        "nearest_mt_unit_name",
        "nearest_mt_unit_minutes",
    ],
    england("lsoa11cd"),
)
trim(
    "health/gp_practices_england_dec2025.csv.gz",
    "health/gp_practices_england_dec2025.csv.gz",
    ["practice_code", "practice_name", "postcode", "lsoa11cd", "lad_code_pcd2022"],
)
trim(
    "health/gp_practice_workforce_fte_fy2016_2024.csv.gz",
    "health/gp_practice_workforce_fte_fy2016_2024.csv.gz",
    ["practice_code", "fiscal_year_end", "total_patients", "gp_fq_headcount", "gp_fq_fte"],
)
trim(
    "transport/census2021_ts045_car_availability_lsoa21_ew.csv.gz",
    "transport/census2021_ts045_car_availability_lsoa21_england.csv.gz",
    [
        "lsoa21cd",
        "households_total",
        "households_no_car",
        "households_1_car",
        "households_2_cars",
        "households_3plus_cars",
    ],
    england("lsoa21cd"),
)
trim(
    "transport/pt_service_frequency_lsoa11_england_2004_2023.csv.gz",
    "transport/pt_service_frequency_lsoa11_england_2004_2023.csv.gz",
    [
        "lsoa11cd",
        "year",
        "in_source",
        "bus_tph_midwk_day",
        "rail_dep_midwk_day",
        "tram_metro_dep_midwk_day",
        "all_tph_midwk_day",
        "source_flag",
    ],
)
for name in ("iod2019_lsoa11_indicators.csv.gz", "iod2025_lsoa21_indicators.csv.gz"):
    (RAW / "deprivation").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHARED / "deprivation" / name, RAW / "deprivation" / name)
