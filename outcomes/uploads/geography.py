"""Area codes checked against the published geography and placed in LSOAs 2021.

Reads only published tables of the public build: `lsoa_geography`, `lsoa11_lsoa21_lookup`
(2011 codes, a split LSOA's counts shared by Census 2021 population), `postcode_lsoa11` and
`gp_practice_lsoa11`, and the `neighbourhood_models` view (shipped and uploaded models). Every
code that is unknown or outside the borough is reported on every row that uses it.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from outcomes.uploads.cells import quote
from outcomes.uploads.problems import Problem

POSTCODE_COVERAGE = "Kirklees, Trafford, Wigan and Test Valley"
AREA_FRAME = ["area_code", "unit_code", "lsoa21_code", "share"]


def lad_name(con: duckdb.DuckDBPyConnection, lad_code: str) -> str:
    """The borough's name, or ValueError for a code that is not an English borough."""
    found = con.execute(
        "SELECT any_value(lad_name) FROM lsoa_geography WHERE lad_code = ?", [lad_code]
    ).fetchall()
    if not found or found[0][0] is None:
        raise ValueError(f"{lad_code} is not an English local authority (2024)")
    return found[0][0]


def borough_lsoas(con: duckdb.DuckDBPyConnection, lad_code: str) -> dict[str, str]:
    """The borough's LSOAs 2021: code -> name."""
    return dict(
        con.execute(
            "SELECT lsoa21_code, lsoa21_name FROM lsoa_geography WHERE lad_code = ?", [lad_code]
        ).fetchall()
    )


def resolve_model_codes(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """A model file's rows (line, code, neighbourhood) with the LSOA 2021 each code is (or,
    for a 2011 code, becomes: one row per 2021 LSOA), its borough, and `from_2011`."""
    con.register("_upload", frame)
    try:
        return con.execute(
            """
            SELECT u.line, u.code, u.neighbourhood,
                coalesce(g21.lsoa21_code, s.lsoa21_code) AS lsoa21_code,
                coalesce(g21.lad_code, g11.lad_code) AS lad_code,
                coalesce(g21.lad_name, g11.lad_name) AS lad_name,
                g21.lsoa21_code IS NULL AND s.lsoa21_code IS NOT NULL AS from_2011
            FROM _upload AS u
            LEFT JOIN lsoa_geography AS g21 ON g21.lsoa21_code = u.code
            LEFT JOIN lsoa11_lsoa21_lookup AS s
                ON g21.lsoa21_code IS NULL AND s.lsoa11_code = u.code
            LEFT JOIN lsoa_geography AS g11 ON g11.lsoa21_code = s.lsoa21_code
            ORDER BY u.line, lsoa21_code
            """
        ).df()
    finally:
        con.unregister("_upload")


def resolve_areas(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    area_column: str,
    lad_code: str,
    lad_name: str,
    problems: list[Problem],
    notes: list[str],
) -> pd.DataFrame:
    """How a dataset's areas (LSOA codes, postcodes or practices) map onto the borough's LSOAs
    2021: area_code, unit_code (the LSOA of the lookup), lsoa21_code, share."""
    resolve = {
        "lsoa_code": _resolve_lsoas,
        "postcode": _resolve_postcodes,
        "practice_code": _resolve_practices,
    }[area_column]
    return resolve(con, rows, lad_code, lad_name, problems, notes)


def _per_row(rows: pd.DataFrame, bad: dict[str, str], column: str, problems: list[Problem]):
    for r in rows[rows["area_code"].isin(set(bad))].itertuples():
        problems.append(Problem(int(r.row), column, bad[r.area_code]))


def _codes(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, sql: str) -> pd.DataFrame:
    """Run `sql` on the file's distinct area codes, registered as `_partner_codes(code)`."""
    con.register("_partner_codes", pd.DataFrame({"code": sorted(rows["area_code"].unique())}))
    try:
        return con.execute(sql).df()
    finally:
        con.unregister("_partner_codes")


def _resolve_lsoas(con, rows, lad_code, lad_name, problems, notes) -> pd.DataFrame:
    found = _codes(
        con,
        rows,
        """
        SELECT c.code, g21.lsoa21_code IS NOT NULL AS is_2021,
            coalesce(g21.lsoa21_code, s.lsoa21_code) AS lsoa21_code,
            CASE WHEN g21.lsoa21_code IS NOT NULL THEN 1.0 ELSE s.share END AS share,
            g.lad_code, g.lad_name
        FROM _partner_codes AS c
        LEFT JOIN lsoa_geography AS g21 ON g21.lsoa21_code = c.code
        LEFT JOIN lsoa11_lsoa21_lookup AS s
            ON g21.lsoa21_code IS NULL AND s.lsoa11_code = c.code
        LEFT JOIN lsoa_geography AS g
            ON g.lsoa21_code = coalesce(g21.lsoa21_code, s.lsoa21_code)
        ORDER BY c.code, lsoa21_code
        """,
    )
    bad: dict[str, str] = {}
    for code, links in found.groupby("code", sort=True):
        if links["lsoa21_code"].isna().all():
            bad[code] = f"{code} is not an LSOA 2011 or 2021 code"
            continue
        outside = links[links["lad_code"] != lad_code]
        if len(outside) == len(links):
            bad[code] = f"{code} is in {outside['lad_name'].iloc[0]}, not in {lad_name}"
        elif len(outside):
            bad[code] = f"{code} (LSOA 2011) crosses the boundary of {lad_name}"
    _per_row(rows, bad, "lsoa_code", problems)
    areas = found[~found["code"].isin(bad) & found["lsoa21_code"].notna()]
    _check_2011_and_2021(rows, areas, problems, notes)
    return pd.DataFrame(
        {
            "area_code": areas["code"],
            "unit_code": areas["code"],
            "lsoa21_code": areas["lsoa21_code"],
            "share": areas["share"].astype(float),
        }
    ).reset_index(drop=True)


def _check_2011_and_2021(rows, areas, problems: list[Problem], notes: list[str]) -> None:
    """A file uses one year's LSOA codes: a 2011 code covering an LSOA the file also gives
    as a 2021 code would count it twice."""
    is_2011 = areas.loc[~areas["is_2021"].astype(bool), "code"].unique()
    if not len(is_2011):
        return
    direct = set(areas.loc[areas["is_2021"].astype(bool), "code"])
    overlap = areas[areas["code"].isin(is_2011) & areas["lsoa21_code"].isin(direct)]
    for r in overlap.itertuples():
        first = rows.loc[rows["area_code"] == r.lsoa21_code, "row"].min()
        for row in rows.loc[rows["area_code"] == r.code, "row"]:
            problems.append(
                Problem(
                    int(row),
                    "lsoa_code",
                    f"{r.code} is a 2011 code covering {r.lsoa21_code}, which row {first} "
                    "gives as a 2021 code: use one year's codes throughout a file",
                )
            )
    notes.append(
        f"{len(is_2011)} LSOA 2011 code(s) were converted to 2021 codes (split LSOAs' "
        "counts shared by Census 2021 population)"
    )


def _lookup_to_lsoa21(con, links, rows, column, lad_code, lad_name, problems) -> pd.DataFrame:
    """links: code, lsoa11 -> LSOA 2021 links through the ONS lookup, then checked."""
    con.register("_partner_links", links)
    try:
        found = con.execute(
            """
            SELECT l.code, l.lsoa11 AS unit_code, false AS is_2021, s.lsoa21_code, s.share,
                g.lad_code, g.lad_name
            FROM _partner_links AS l
            LEFT JOIN lsoa11_lsoa21_lookup AS s ON s.lsoa11_code = l.lsoa11
            LEFT JOIN lsoa_geography AS g ON g.lsoa21_code = s.lsoa21_code
            ORDER BY l.code, s.lsoa21_code
            """
        ).df()
    finally:
        con.unregister("_partner_links")
    bad: dict[str, str] = {}
    for code, group in found.groupby("code", sort=True):
        if group["lsoa21_code"].isna().all():
            bad[code] = f"{code}: its LSOA is not in the ONS 2011 -> 2021 lookup"
        elif (group["lad_code"] != lad_code).all():
            bad[code] = f"{code} is in {group['lad_name'].iloc[0]}, not in {lad_name}"
    _per_row(rows, bad, column, problems)
    keep = found[~found["code"].isin(bad) & found["lsoa21_code"].notna()]
    keep = keep[keep["lad_code"] == lad_code]
    return pd.DataFrame(
        {
            "area_code": keep["code"],
            "unit_code": keep["unit_code"],
            "lsoa21_code": keep["lsoa21_code"],
            "share": keep["share"].astype(float),
        }
    ).reset_index(drop=True)


def _resolve_postcodes(con, rows, lad_code, lad_name, problems, notes) -> pd.DataFrame:
    links = _codes(
        con,
        rows,
        "SELECT c.code, l.lsoa11_code AS lsoa11 FROM _partner_codes AS c "
        "LEFT JOIN (SELECT postcode AS code, any_value(lsoa11_code) AS lsoa11_code "
        "FROM postcode_lsoa11 GROUP BY 1) AS l USING (code) ORDER BY c.code",
    )
    unknown = {
        code: f"{code} is not in the bundled ONS postcode lookup (May 2022), which covers "
        f"{POSTCODE_COVERAGE} only: give LSOA codes instead for other boroughs"
        for code in links.loc[links["lsoa11"].isna(), "code"]
    }
    _per_row(rows, unknown, "postcode", problems)
    links = links[links["lsoa11"].notna()]
    notes.append(
        f"{len(links)} postcode(s) placed in LSOAs with the ONS postcode lookup (May 2022)"
    )
    return _lookup_to_lsoa21(con, links, rows, "postcode", lad_code, lad_name, problems)


def _resolve_practices(con, rows, lad_code, lad_name, problems, notes) -> pd.DataFrame:
    links = _codes(
        con,
        rows,
        "SELECT c.code, p.lsoa11_code AS lsoa11, p.code IS NOT NULL AS listed "
        "FROM _partner_codes AS c LEFT JOIN (SELECT practice_code AS code, "
        "any_value(lsoa11_code) AS lsoa11_code FROM gp_practice_lsoa11 GROUP BY 1) "
        "AS p USING (code) ORDER BY c.code",
    )
    bad = {
        r.code: (
            f"{r.code} has no LSOA: its postcode is newer than the ONS lookup (May 2022)"
            if r.listed
            else f"{r.code} is not in NHS England's list of GP practices (December 2025); "
            "closed or merged practices are not in it"
        )
        for r in links[links["lsoa11"].isna()].itertuples()
    }
    _per_row(rows, bad, "practice_code", problems)
    links = links[links["lsoa11"].notna()][["code", "lsoa11"]]
    notes.append(
        f"{len(links)} practice(s) placed in the LSOA of their postcode: practices are "
        "attributed to neighbourhoods by their location"
    )
    return _lookup_to_lsoa21(con, links, rows, "practice_code", lad_code, lad_name, problems)


# ---------------------------------------------------------------- neighbourhoods


def borough_models(con: duckdb.DuckDBPyConnection, lad_code: str) -> pd.DataFrame:
    """Every neighbourhood model of the borough, shipped and uploaded: model_id, model_name,
    neighbourhood_code, neighbourhood_name, leaf (its LSOAs 2021)."""
    return con.execute(
        "SELECT model_id, model_name, neighbourhood_code, neighbourhood_name, "
        "lsoa21_code AS leaf FROM neighbourhood_models WHERE lad_code = ? "
        "ORDER BY model_id, neighbourhood_code, leaf",
        [lad_code],
    ).df()


def model_neighbourhoods(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """One model's neighbourhoods by name: neighbourhood_code, neighbourhood_name,
    model_name, lad_code (empty for an unknown model)."""
    return con.execute(
        "SELECT DISTINCT neighbourhood_code, neighbourhood_name, model_name, lad_code "
        "FROM neighbourhood_models WHERE model_id = ? ORDER BY neighbourhood_name",
        [model_id],
    ).df()


def name_key(name: str) -> str:
    """A neighbourhood name as matched: whitespace collapsed, case folded."""
    return " ".join(str(name).split()).casefold()


def resolve_neighbourhoods(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    lad_code: str,
    model_id: str | None,
    problems: list[Problem],
) -> tuple[pd.DataFrame, str | None]:
    """A survey's neighbourhood names checked against the chosen model of the borough; the
    rows' area codes become the names' keys (in place). Returns the areas and the model."""
    names = model_neighbourhoods(con, model_id) if model_id else pd.DataFrame()
    if names.empty or (names["lad_code"] != lad_code).any():
        problems.append(
            Problem(
                None,
                "neighbourhood",
                "choose the neighbourhood model of this borough whose names the file uses",
            )
        )
        return pd.DataFrame(columns=AREA_FRAME), None
    keys = {name_key(n) for n in names["neighbourhood_name"]}
    listed = ", ".join(quote(n, 30) for n in names["neighbourhood_name"][:8])
    more = " …" if len(names) > 8 else ""
    for r in rows.itertuples():
        if name_key(r.area_code) not in keys:
            problems.append(
                Problem(
                    int(r.row),
                    "neighbourhood",
                    f"{quote(r.area_code)} is not a neighbourhood of "
                    f"{quote(names['model_name'].iloc[0], 60)} (its names: {listed}{more})",
                )
            )
    rows["area_code"] = rows["area_code"].map(name_key)
    areas = pd.DataFrame({"area_code": sorted(rows["area_code"].unique())})
    areas["unit_code"] = areas["area_code"]
    areas["lsoa21_code"] = None
    areas["share"] = 1.0
    return areas, model_id
