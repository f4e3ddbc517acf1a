"""Rebuild the official-layout test excerpts in this folder (see README.md).

Not run by the tests. Needs the repository's ``data/raw`` and the project's shared data folder
(``../shared/data`` beside the clone, or ``--shared``) for the verbatim MHCLG IoD2019 files and the
sub-domain tables::

    PYTHONPATH=. .venv/bin/python tests/data/official/build_excerpts.py [--shared DIR]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

from transforms.official_formats import (
    DECILE,
    IOD_INDICES,
    IOD_POPULATIONS,
    IOD_SUBDOMAINS,
    RANK,
    file7_official_headers,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
RAW = REPO / "data" / "raw"
TDL = HERE / "trafford_datalab_imd_2019_2015_excerpt.csv"
JAYWICK = "E01021988"

TDL_DOMAINS = {
    "Index of Multiple Deprivation": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "barriers",
    "Living Environment": "living_env",
    "Income Deprivation Affecting Children": "idaci",
    "Income Deprivation Affecting Older People": "idaopi",
}


def fmt(value, kind: str) -> str:
    """Official CSV formatting: scores to 3 dp, ranks/deciles/counts as whole numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return ""
    if kind == "score":
        return f"{float(value):.3f}"
    number = float(value)
    assert number.is_integer(), value
    return str(int(number))


def index_headers(short: str) -> tuple[str, str, str]:
    label, score = next((lab, sc) for s, lab, sc in IOD_INDICES if s == short)
    return f"{label} {score}", f"{label} {RANK}", f"{label} {DECILE}"


def subdomain_headers(short: str) -> tuple[str, str, str]:
    label = dict(IOD_SUBDOMAINS)[short]
    return f"{label} Score", f"{label} {RANK}", f"{label} {DECILE}"


def tdl_values(year: int) -> pd.DataFrame:
    """Trafford Data Lab long table -> one row per LSOA, columns {index}_{score,rank,decile}."""
    t = pd.read_csv(TDL, thousands=",")
    t = t[t["year"] == year].assign(short=lambda d: d["index_domain"].map(TDL_DOMAINS))
    assert t["short"].notna().all()
    wide = t.pivot(index="lsoa11cd", columns="short", values=["score", "rank", "decile"])
    wide.columns = [f"{short}_{what}" for what, short in wide.columns]
    n_lsoa = 32_844
    for short in TDL_DOMAINS.values():  # rank and decile must agree (catches typos)
        expected = -(-wide[f"{short}_rank"] * 10 // n_lsoa)  # ceil(rank / (n / 10))
        assert (expected == wide[f"{short}_decile"]).all(), (year, short)
    return wide


def write_csv(rows: list[dict], headers: list[str], path: Path, *, bom: bool, crlf: bool) -> None:
    frame = pd.DataFrame(rows, columns=headers)
    text = frame.to_csv(index=False, lineterminator="\r\n" if crlf else "\n")
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    print(f"wrote {path.relative_to(REPO)}: {len(frame)} rows x {len(headers)} columns")


def build_iod2019(shared: Path) -> None:
    orig = shared / "deprivation" / "original_mhclg_iod2019"
    file6 = pd.read_csv(
        orig / "File_6_-_IoD2019_Population_Denominators.csv.gz", encoding="utf-8-sig", dtype=str
    ).set_index("LSOA code (2011)")
    file3 = pd.read_csv(
        orig / "File_3_-_IoD2019_Supplementary_Indices_-_IDACI_and_IDAOPI.csv.gz",
        encoding="utf-8-sig",
    ).set_index("LSOA code (2011)")
    bundled = pd.read_csv(RAW / "deprivation" / "iod2019_lsoa11_england.csv.gz").set_index(
        "lsoa11cd"
    )
    subdomains = pd.read_csv(shared / "deprivation" / "iod2019_lsoa11_subdomains.csv.gz")
    subdomains = subdomains.set_index("lsoa11cd")
    tdl = tdl_values(2019)
    headers = file7_official_headers(2019)
    rows = []
    for code in sorted([*tdl.index, JAYWICK]):
        f6 = file6.loc[code]
        row = {
            "LSOA code (2011)": code,
            "LSOA name (2011)": f6["LSOA name (2011)"],
            "Local Authority District code (2019)": f6["Local Authority District code (2019)"],
            "Local Authority District name (2019)": f6["Local Authority District name (2019)"],
        }
        for short, _, _ in IOD_INDICES:
            h_score, h_rank, h_decile = index_headers(short)
            if short in ("idaci", "idaopi"):  # File 3 (verbatim)
                rank, decile = file3.loc[code, h_rank], file3.loc[code, h_decile]
            else:  # File 1 / File 2 values in the bundled file
                rank, decile = (
                    bundled.loc[code, f"{short}_rank"],
                    bundled.loc[code, f"{short}_decile"],
                )
            score = ""
            if code in tdl.index:
                assert (tdl.loc[code, f"{short}_rank"], tdl.loc[code, f"{short}_decile"]) == (
                    rank,
                    decile,
                ), (code, short)
                score = tdl.loc[code, f"{short}_score"]
            row[h_score], row[h_rank], row[h_decile] = (
                fmt(score, "score"),
                fmt(rank, "int"),
                fmt(decile, "int"),
            )
        for short, _ in IOD_SUBDOMAINS:
            h_score, h_rank, h_decile = subdomain_headers(short)
            row[h_score] = ""  # IoD2019 sub-domain scores are not available offline
            row[h_rank] = fmt(subdomains.loc[code, f"{short}_rank"], "int")
            row[h_decile] = fmt(subdomains.loc[code, f"{short}_decile"], "int")
        file6_pops = list(file6.columns[3:])
        for (_, header), f6_header in zip(IOD_POPULATIONS[2019], file6_pops, strict=True):
            assert f6_header == header, (f6_header, header)
            row[header] = fmt(f6[header], "int")
        rows.append(row)
    write_csv(rows, headers, HERE / "iod2019_file7_excerpt.csv", bom=True, crlf=True)


def build_iod2015(shared: Path) -> None:
    bundled = pd.read_csv(RAW / "deprivation" / "iod2015_lsoa11_england.csv.gz").set_index(
        "lsoa11cd"
    )
    subdomains = pd.read_csv(shared / "deprivation" / "iod2015_lsoa11_subdomains.csv.gz")
    subdomains = subdomains.set_index("lsoa11cd")
    tdl = tdl_values(2015)
    headers = file7_official_headers(2015)
    rows = []
    for code in sorted([*tdl.index, JAYWICK]):
        b = bundled.loc[code]
        row = {
            "LSOA code (2011)": code,
            "LSOA name (2011)": b["lsoa11nm"],
            "Local Authority District code (2013)": b["lad13cd"],
            "Local Authority District name (2013)": b["lad13nm"],
        }
        for short, _, _ in IOD_INDICES:
            h_score, h_rank, h_decile = index_headers(short)
            if short == "imd":
                values = (b["imd_score"], b["imd_rank"], b["imd_decile"])
                if code in tdl.index:
                    assert values == tuple(
                        tdl.loc[code, [f"imd_{w}" for w in ("score", "rank", "decile")]]
                    ), code
            elif code in tdl.index:
                values = tuple(tdl.loc[code, [f"{short}_{w}" for w in ("score", "rank", "decile")]])
            else:
                values = ("", "", "")  # not available offline for this LSOA
            row[h_score], row[h_rank], row[h_decile] = (
                fmt(values[0], "score"),
                fmt(values[1], "int"),
                fmt(values[2], "int"),
            )
        for short, _ in IOD_SUBDOMAINS:
            h_score, h_rank, h_decile = subdomain_headers(short)
            prefix = f"{short}_sub_domain"
            row[h_score] = fmt(subdomains.loc[code, f"{prefix}_score"], "score")
            row[h_rank] = fmt(subdomains.loc[code, f"{prefix}_rank"], "int")
            row[h_decile] = fmt(subdomains.loc[code, f"{prefix}_decile"], "int")
        for _, header in IOD_POPULATIONS[2015]:
            row[header] = ""  # mid-2012 denominators are not available offline
        rows.append(row)
    write_csv(rows, headers, HERE / "iod2015_file7_excerpt.csv", bom=False, crlf=False)


def build_iod2025(shared: Path) -> None:
    bundled = pd.read_csv(RAW / "deprivation" / "iod2025_lsoa21_england.csv.gz")
    subdomains = pd.read_csv(shared / "deprivation" / "iod2025_lsoa21_subdomains.csv.gz")
    subdomains = subdomains.set_index("lsoa21cd")
    trafford = bundled.loc[bundled["lad24nm"] == "Trafford", "lsoa21cd"].sort_values().head(25)
    top3 = bundled.nsmallest(3, "imd_rank")["lsoa21cd"]  # Jaywick, Blackpool 010E, 010A
    codes = sorted({*trafford, *top3})
    bundled = bundled.set_index("lsoa21cd")
    headers = file7_official_headers(2025)
    rows = []
    for code in codes:
        b = bundled.loc[code]
        row = {
            "LSOA code (2021)": code,
            "LSOA name (2021)": b["lsoa21nm"],
            "Local Authority District code (2024)": b["lad24cd"],
            "Local Authority District name (2024)": b["lad24nm"],
        }
        for short, _, _ in IOD_INDICES:
            h_score, h_rank, h_decile = index_headers(short)
            if short in ("idaci", "idaopi"):  # not in the bundled file
                row[h_score] = row[h_rank] = row[h_decile] = ""
                continue
            row[h_score] = fmt(b[f"{short}_score"], "score")
            row[h_rank] = fmt(b[f"{short}_rank"], "int")
            row[h_decile] = fmt(b[f"{short}_decile"], "int")
        for short, _ in IOD_SUBDOMAINS:
            h_score, h_rank, h_decile = subdomain_headers(short)
            row[h_score] = fmt(subdomains.loc[code, f"{short}_score"], "score")
            row[h_rank] = fmt(subdomains.loc[code, f"{short}_rank"], "int")
            row[h_decile] = fmt(subdomains.loc[code, f"{short}_decile"], "int")
        for _, header in IOD_POPULATIONS[2025]:
            row[header] = ""  # mid-2022 denominators are not available offline
        rows.append(row)
    write_csv(rows, headers, HERE / "iod2025_file7_excerpt.csv", bom=True, crlf=False)


def write_arcgis_page(frame: pd.DataFrame, path: Path) -> None:
    """An ArcGIS FeatureServer ``f=json`` query response (last page) with the ONS field names."""
    features = [
        {"attributes": {k.upper(): v for k, v in rec.items()}}
        for rec in frame.to_dict(orient="records")
    ]
    doc = {"features": features, "exceededTransferLimit": False}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}: {len(features)} features")


def build_lookups() -> None:
    lookups = RAW / "geography" / "lookups"
    l11 = pd.read_csv(lookups / "lsoa11_lsoa21_lad22_ew.csv.gz", dtype=str)
    trafford = sorted(l11.loc[l11["lad22nm"] == "Trafford", "lsoa11cd"].unique())[:12]
    split = ["E01006185"]  # Trafford 001E, split (S)
    irregular = ["E01008187"]  # Gateshead 024C -> Gateshead / Northumberland (X)
    merged21 = l11.loc[l11["lsoa11cd"] == "E01000852", "lsoa21cd"]  # Camden 026C/D -> 026E (M)
    welsh = sorted(l11.loc[l11["lsoa11cd"].str.startswith("W"), "lsoa11cd"].unique())[:3]
    keep = l11["lsoa11cd"].isin([*trafford, *split, *irregular, JAYWICK, *welsh]) | l11[
        "lsoa21cd"
    ].isin(merged21)
    write_arcgis_page(l11[keep], HERE / "ons_lsoa11_lsoa21_lad22_page.json")

    l21 = pd.read_csv(lookups / "lsoa21_ward24_lad24_ew.csv.gz", dtype=str)
    trafford21 = sorted(l21.loc[l21["lad24nm"] == "Trafford", "lsoa21cd"])[:20]
    welsh21 = sorted(l21.loc[l21["lsoa21cd"].str.startswith("W"), "lsoa21cd"])[:3]
    keep21 = l21["lsoa21cd"].isin([*trafford21, JAYWICK, *welsh21])
    write_arcgis_page(l21[keep21], HERE / "ons_lsoa21_ward24_lad24_page.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    build_iod2019(args.shared)
    build_iod2015(args.shared)
    build_iod2025(args.shared)
    build_lookups()


if __name__ == "__main__":
    main()
