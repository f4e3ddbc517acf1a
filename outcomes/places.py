"""Finding a place: a name (town, village, ward, MSOA, borough, a model's neighbourhood) or a
postcode, resolved to its LSOAs 2021 and from them to the neighbourhood of every model that
holds it, so a user who knows only "Partington" reaches Trafford, a model and a neighbourhood.

Reads the published tables only: `place_names` (House of Commons Library MSOA names, wards
2024 and LAs), `postcode_lsoa11` (the bundled postcode lookup, four boroughs),
`lsoa11_lsoa21_lookup`, `lsoa_geography`, `neighbourhood_models` (with uploaded models) and
`indicator_values` (for the default focus). Plain functions, no Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from outcomes.text import clean_text

POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
POSTCODE_AREAS = "Kirklees, Trafford, Wigan and Test Valley"
KIND_WORDS = {
    "msoa": "MSOA name",
    "ward": "ward",
    "local_authority": "local authority",
    "neighbourhood": "neighbourhood",
    "postcode": "postcode",
}
# The model a place of each kind opens in when the current model is in another borough.
HOME_MODEL = {"msoa": "_msoa21", "postcode": "_msoa21", "ward": "_wards24"}
MATCH_LIMIT = 8
QUERY_CHARS = 80
FOCUS_INDICATOR = "imd_score"


@dataclass(frozen=True)
class Place:
    """One search result: what it is and where."""

    name: str
    kind: str  # msoa | ward | local_authority | neighbourhood | postcode
    code: str  # MSOA 2011, ward, LA or neighbourhood code; the postcode without spaces
    lad_code: str
    lad_name: str
    model_id: str = ""  # the model of a `neighbourhood` result
    model_name: str = ""

    @property
    def label(self) -> str:
        """'Partington (MSOA name, Trafford)' for a list of matches; a model's neighbourhood
        names its model: 'West (Trafford localities (2023), Trafford)'."""
        kind = self.model_name if self.kind == "neighbourhood" else KIND_WORDS[self.kind]
        return f"{self.name} ({kind}, {self.lad_name})"


def postcode_key(text: str) -> str | None:
    """'m31 4aa' -> 'M314AA' when the text is shaped like a full UK postcode, else None."""
    key = re.sub(r"\s+", "", text).upper()
    return key if POSTCODE.match(key) else None


def pretty_postcode(key: str) -> str:
    """'M314AA' -> 'M31 4AA' (the inward code is always the last three characters)."""
    return f"{key[:-3]} {key[-3:]}"


def search(
    con: duckdb.DuckDBPyConnection, text: str, prefer_lad: str = "", limit: int = MATCH_LIMIT
) -> list[Place]:
    """Places matching `text`, best first: a postcode of the bundled lookup, else names that
    equal the text, then names starting with it, then names with a word starting with it,
    then names containing it (case ignored). Within each, places in `prefer_lad` (the
    borough in view) first, then MSOA names before wards, neighbourhoods and boroughs."""
    query = clean_text(text)[:QUERY_CHARS]
    if not query:
        return []
    key = postcode_key(query)
    if key is not None:
        return _postcode_place(con, key)
    rows = con.execute(_NAME_SQL, [query, query, prefer_lad, limit]).fetchall()
    return [Place(*row) for row in rows]


_NAME_SQL = """
WITH q AS (SELECT lower(?) AS q),
named AS (
    SELECT name, kind, code, lad_code, '' AS model_id, '' AS model_name FROM place_names
    GROUP BY ALL
    UNION ALL
    SELECT DISTINCT neighbourhood_name, 'neighbourhood', neighbourhood_code, lad_code, model_id,
        model_name
    FROM neighbourhood_models
    WHERE model_id NOT LIKE '%\\_msoa21' ESCAPE '\\' AND model_id NOT LIKE '%\\_wards24' ESCAPE '\\'
),
scored AS (
    SELECT n.*, CASE
            WHEN lower(name) = q THEN 0
            WHEN starts_with(lower(name), q) THEN 1
            WHEN regexp_matches(lower(name), '(^|[^a-z0-9])' || regexp_escape(q)) THEN 2
            ELSE 3
        END AS score
    FROM named AS n, q
    WHERE contains(lower(name), (SELECT q FROM q))
),
labelled AS (
    SELECT s.*, b.lad_name FROM scored AS s
    JOIN (SELECT DISTINCT lad_code, lad_name FROM lsoa_geography) AS b USING (lad_code)
    WHERE score IS NOT NULL AND length(?) >= 2
)
SELECT name, kind, code, lad_code, lad_name, model_id, model_name FROM labelled
ORDER BY score, lad_code <> ?,
    CASE kind WHEN 'msoa' THEN 0 WHEN 'ward' THEN 1 WHEN 'neighbourhood' THEN 2 ELSE 3 END,
    name, lad_name, code
LIMIT ?
"""


def _postcode_place(con: duckdb.DuckDBPyConnection, key: str) -> list[Place]:
    rows = con.execute(
        """
        SELECT any_value(g.lad_code), any_value(g.lad_name) FROM postcode_lsoa11 AS p
        JOIN lsoa11_lsoa21_lookup AS l ON l.lsoa11_code = p.lsoa11_code
        JOIN lsoa_geography AS g ON g.lsoa21_code = l.lsoa21_code
        WHERE p.postcode = ?
        """,
        [key],
    ).fetchall()
    if not rows or rows[0][0] is None:
        return []
    lad_code, lad_name = rows[0]
    return [Place(pretty_postcode(key), "postcode", key, lad_code, lad_name)]


def place_lsoas(con: duckdb.DuckDBPyConnection, place: Place) -> list[str]:
    """The LSOAs 2021 of a place, within its borough."""
    if place.kind == "postcode":
        sql = (
            "SELECT DISTINCT l.lsoa21_code FROM postcode_lsoa11 AS p "
            "JOIN lsoa11_lsoa21_lookup AS l USING (lsoa11_code) WHERE p.postcode = ? "
            "AND ? <> '' ORDER BY 1"
        )
        params = [place.code, place.lad_code]
    elif place.kind == "neighbourhood":
        sql = (
            "SELECT lsoa21_code FROM neighbourhood_models WHERE neighbourhood_code = ? "
            "AND model_id = ? ORDER BY 1"
        )
        params = [place.code, place.model_id]
    else:
        sql = (
            "SELECT lsoa21_code FROM place_names WHERE kind = ? AND code = ? AND lad_code = ? "
            "ORDER BY 1"
        )
        params = [place.kind, place.code, place.lad_code]
    return [row[0] for row in con.execute(sql, params).fetchall()]


def where_it_lies(con: duckdb.DuckDBPyConnection, place: Place) -> pd.DataFrame:
    """For every model of the place's borough, the neighbourhood holding most of the place's
    LSOAs: model_id, model_name, neighbourhood_code, neighbourhood_name, lsoas (of the
    place's in that neighbourhood), place_lsoas (all of the place's). Shipped models first."""
    lsoas = place_lsoas(con, place)
    return con.execute(
        """
        WITH hits AS (
            SELECT model_id, any_value(model_name) AS model_name,
                any_value(model_source) AS source, neighbourhood_code,
                any_value(neighbourhood_name) AS neighbourhood_name, count(*) AS lsoas
            FROM neighbourhood_models
            WHERE lad_code = ? AND lsoa21_code IN (SELECT unnest(?::VARCHAR[]))
            GROUP BY model_id, neighbourhood_code
        )
        SELECT model_id, model_name, neighbourhood_code, neighbourhood_name, lsoas,
            ? AS place_lsoas
        FROM hits
        QUALIFY row_number() OVER (
            PARTITION BY model_id ORDER BY lsoas DESC, neighbourhood_name) = 1
        ORDER BY source = 'uploaded', model_id DESC
        """,
        [place.lad_code, lsoas, len(lsoas)],
    ).df()


def destination(place: Place, current_model: str, lies: pd.DataFrame) -> tuple[str, str] | None:
    """(model_id, neighbourhood_code) a found place opens: its own model for a model's
    neighbourhood; the current model when it is one of the borough's; else the MSOA model for
    an MSOA name or postcode, the ward model for a ward, the borough's first model otherwise."""
    if lies.empty:
        return None
    by_model = dict(zip(lies.model_id, lies.neighbourhood_code, strict=True))
    wanted = [place.model_id, current_model]
    if place.kind in HOME_MODEL:
        wanted.append(place.lad_code + HOME_MODEL[place.kind])
    for model_id in wanted:
        if model_id in by_model:
            return model_id, by_model[model_id]
    first = lies.iloc[0]
    return first.model_id, first.neighbourhood_code


def lies_in_text(lies: pd.DataFrame) -> list[str]:
    """'Trafford localities (2023): West' per model, with 'mostly' when the place spans
    neighbourhoods. Plain text (names are escaped by the page)."""
    lines = []
    for row in lies.itertuples():
        part = (
            ""
            if row.lsoas == row.place_lsoas
            else f" (mostly: {row.lsoas} of {row.place_lsoas} LSOAs)"
        )
        lines.append(f"{row.model_name}: {row.neighbourhood_name}{part}")
    return lines


def focus_order(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """The model's neighbourhoods, most deprived first (IMD average score, latest wave): the
    default focus is the neighbourhood a council most needs to watch, not the first in the
    alphabet. Columns neighbourhood_code, neighbourhood_name, value, period."""
    return con.execute(
        """
        SELECT area_code AS neighbourhood_code, area_name AS neighbourhood_name, value, period
        FROM indicator_values
        WHERE area_type = 'neighbourhood' AND model_id = ? AND indicator_id = ?
            AND value IS NOT NULL
        QUALIFY period = max(period) OVER ()
        ORDER BY value DESC, area_name
        """,
        [model_id, FOCUS_INDICATOR],
    ).df()
