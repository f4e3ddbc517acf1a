"""Write the templates and the illustrative examples in this folder.

The example figures are MADE UP (random numbers from a fixed seed), not real data: they only
show the two formats working. The area codes and names are real: Trafford's LSOAs 2021, its
GP practices (NHS England list, December 2025) and its four localities.
Run from the repository root: `.venv/bin/python data/templates/make_examples.py`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RAW = HERE.parent / "raw"
TRAFFORD = "E08000009"
MONTHS = ["2025-01", "2025-02", "2025-03"]

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


def main() -> None:
    rng = np.random.default_rng(20250101)
    for name, header in TEMPLATES.items():
        _write(name, header, [])
    lookup = pd.read_csv(RAW / "geography/lookups/lsoa21_ward24_lad24_ew.csv.gz", dtype=str)
    code_column = next(c for c in lookup.columns if c.lower().startswith("lsoa21"))
    lad_column = next(c for c in lookup.columns if c.lower().startswith("lad24"))
    lsoas = sorted(lookup.loc[lookup[lad_column] == TRAFFORD, code_column].unique())
    rows = []
    for code in lsoas:
        for month in MONTHS:
            booked = int(rng.integers(60, 400))
            missed = int(rng.binomial(booked, rng.uniform(0.02, 0.08)))
            rows += [[code, month, "appointments_booked", booked]]
            rows += [[code, month, "appointments_missed", missed]]
    _write(
        "example_made_up_numbers_service_events_trafford_lsoa.csv",
        TEMPLATES["service_events_by_lsoa_template.csv"],
        rows,
    )
    practices = pd.read_csv(RAW / "health/gp_practices_england_dec2025.csv.gz", dtype=str)
    trafford = sorted(
        practices.loc[practices["lad_code_pcd2022"] == TRAFFORD, "practice_code"].dropna()
    )
    rows = []
    for code in trafford:
        for month in MONTHS:
            booked = int(rng.integers(800, 6000))
            missed = int(rng.binomial(booked, rng.uniform(0.02, 0.07)))
            attended = int(rng.binomial(booked - missed, 0.97))
            rows += [[code, month, "appointments_booked", booked]]
            rows += [[code, month, "appointments_missed", missed]]
            rows += [[code, month, "appointments_attended", attended]]
    _write(
        "example_made_up_numbers_service_events_trafford_practices.csv",
        TEMPLATES["service_events_by_practice_template.csv"],
        rows,
    )
    rows = []
    questions = {
        "I belong strongly to my neighbourhood": 0.62,
        "People from different backgrounds get on well together here": 0.78,
    }
    for locality in ("Central", "North", "South", "West"):
        for year in ("2023", "2024"):
            for question, share in questions.items():
                respondents = int(rng.integers(150, 600))
                agreeing = int(rng.binomial(respondents, share + rng.uniform(-0.08, 0.08)))
                rows.append([locality, year, question, respondents, agreeing])
    _write(
        "example_made_up_numbers_survey_trafford_localities.csv",
        TEMPLATES["survey_results_by_neighbourhood_template.csv"],
        rows,
    )


if __name__ == "__main__":
    main()
