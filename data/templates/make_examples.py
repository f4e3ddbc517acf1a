"""Write the templates and the examples in this folder, from real bundled public data.

Every example figure is real and comes from data/raw (nothing is made up or random):

- GP practices: NHS England's online consultation submissions for Trafford's GP practices
  (practices located in Trafford by NHS England's practice list, December 2025), the three
  latest months bundled, as service events by practice.
- LSOAs: Census 2021 (TS045) households with no car or van, for Trafford's LSOAs 2021, as
  survey results by LSOA (respondents = households, agreeing = households with no car).
- Localities: the same Census counts summed to Trafford's four localities (2023 model), as
  survey results by neighbourhood.

No public booked/missed appointment counts exist by LSOA or practice, so there is no example
for that measure: the empty templates are the guide.
Run from the repository root: `.venv/bin/python data/templates/make_examples.py`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RAW = HERE.parent / "raw"
TRAFFORD = "E08000009"
MONTHS = 3
NO_CAR = "Household has no car or van"
CENSUS_YEAR = "2021"

TEMPLATES = {
    "service_events_by_lsoa_template.csv": ["lsoa_code", "period", "measure", "count"],
    "service_events_by_practice_template.csv": ["practice_code", "period", "measure", "count"],
    "service_events_by_postcode_template.csv": ["postcode", "period", "measure", "count"],
    "survey_results_by_neighbourhood_template.csv": [
        "neighbourhood", "period", "question", "respondents", "agreeing",
    ],
    "survey_results_by_lsoa_template.csv": [
        "lsoa_code", "period", "question", "respondents", "agreeing",
    ],
}  # fmt: skip


def _write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _practice_rows() -> list[list[object]]:
    """Online consultation submissions of Trafford's practices, latest three months."""
    practices = pd.read_csv(RAW / "health_access/gp_practices_england_dec2025.csv.gz", dtype=str)
    trafford = set(practices.loc[practices["lad_code_pcd2022"] == TRAFFORD, "practice_code"])
    oc = pd.read_csv(
        RAW / "service_use/gp_online_consultation_submissions_practice_monthly_2023_2025.csv.gz",
        dtype={"gp_code": str, "month": str},
    )
    oc = oc[oc["gp_code"].isin(trafford) & oc["oc_total_submissions"].notna()]
    months = sorted(oc["month"].unique())[-MONTHS:]
    oc = oc[oc["month"].isin(months)].sort_values(["gp_code", "month"])
    return [
        [code, month[:7], "online_consultation_submissions", int(count)]
        for code, month, count in oc[["gp_code", "month", "oc_total_submissions"]].itertuples(
            index=False
        )
    ]


def _census_by_lsoa() -> pd.DataFrame:
    """Census 2021 TS045 households and households with no car, for Trafford's LSOAs 2021."""
    lookup = pd.read_csv(RAW / "geography/lookups/lsoa21_ward24_lad24_ew.csv.gz", dtype=str)
    lsoas = set(lookup.loc[lookup["lad24cd"] == TRAFFORD, "lsoa21cd"])
    census = pd.read_csv(
        RAW / "transport/census2021_ts045_car_availability_lsoa21_england.csv.gz",
        dtype={"lsoa21cd": str},
    )
    census = census[census["lsoa21cd"].isin(lsoas)].sort_values("lsoa21cd")
    if set(census["lsoa21cd"]) != lsoas:
        raise SystemExit("TS045 does not cover every Trafford LSOA 2021")
    return census


def main() -> None:
    for name, header in TEMPLATES.items():
        _write(name, header, [])
    _write(
        "example_real_online_consultations_trafford_practices.csv",
        TEMPLATES["service_events_by_practice_template.csv"],
        _practice_rows(),
    )
    census = _census_by_lsoa()
    _write(
        "example_real_census_no_car_trafford_lsoa.csv",
        TEMPLATES["survey_results_by_lsoa_template.csv"],
        [
            [code, CENSUS_YEAR, NO_CAR, int(total), int(no_car)]
            for code, total, no_car in census[
                ["lsoa21cd", "households_total", "households_no_car"]
            ].itertuples(index=False)
        ],
    )
    localities = pd.read_csv(
        RAW / "geography/trafford_localities/trafford_lsoa21_to_locality.csv", dtype=str
    )[["lsoa21cd", "locality_2023"]]
    if localities["lsoa21cd"].duplicated().any():
        raise SystemExit("an LSOA is in two localities")
    merged = census.merge(localities, on="lsoa21cd", how="left", validate="one_to_one")
    if merged["locality_2023"].isna().any():
        raise SystemExit("a Trafford LSOA has no locality")
    sums = merged.groupby("locality_2023")[["households_total", "households_no_car"]].sum()
    _write(
        "example_real_census_no_car_trafford_localities.csv",
        TEMPLATES["survey_results_by_neighbourhood_template.csv"],
        [
            [locality, CENSUS_YEAR, NO_CAR, int(row.households_total), int(row.households_no_car)]
            for locality, row in sums.sort_index().iterrows()
        ],
    )


if __name__ == "__main__":
    main()
