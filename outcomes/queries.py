"""One function per question the pages ask. Each takes a cursor and returns a DataFrame.

Values are bound as parameters; aggregation happens in SQL over the published tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from outcomes.uploads.disclosure import USER_PREFIX

VALUE_COLUMNS = (
    "area_type, area_code, area_name, model_id, lad_code, indicator_id, period, period_start, "
    "value, numerator, denominator, lower_ci95, upper_ci95, lower_ci998, upper_ci998"
)


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def boroughs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every English LA (2024) with its region and LSOA count, by name."""
    return _df(
        con,
        "SELECT lad_code, any_value(lad_name) AS lad_name, any_value(region_name) AS region_name, "
        "count(*) AS lsoas FROM lsoa_geography GROUP BY lad_code ORDER BY lad_name",
    )


def models(con: duckdb.DuckDBPyConnection, lad_code: str) -> pd.DataFrame:
    """The neighbourhood models of a borough: shipped ones first, then uploaded ones."""
    return _df(
        con,
        "SELECT model_id, any_value(model_name) AS model_name, any_value(model_source) AS source, "
        "count(DISTINCT neighbourhood_code) AS neighbourhoods, count(*) AS lsoas "
        "FROM neighbourhood_models WHERE lad_code = ? GROUP BY model_id "
        "ORDER BY any_value(model_source) = 'uploaded', "
        "any_value(model_name) LIKE 'Trafford%' DESC, model_id DESC",
        [lad_code],
    )


def neighbourhoods(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """Neighbourhoods of one model with their LSOA counts, by name."""
    return _df(
        con,
        "SELECT neighbourhood_code, neighbourhood_name, count(*) AS lsoas "
        "FROM neighbourhood_models WHERE model_id = ? GROUP BY ALL ORDER BY neighbourhood_name",
        [model_id],
    )


def model_membership(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """LSOA 2021 -> neighbourhood for one model."""
    return _df(
        con,
        "SELECT lsoa21_code, neighbourhood_code, neighbourhood_name FROM neighbourhood_models "
        "WHERE model_id = ? ORDER BY neighbourhood_name, lsoa21_code",
        [model_id],
    )


def catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The indicator catalogue with the periods each indicator has, in display order."""
    return _df(
        con,
        """
        SELECT c.*, p.periods, p.first_period, p.last_period
        FROM indicator_catalogue AS c
        LEFT JOIN (
            SELECT indicator_id, string_agg(DISTINCT period, ', ' ORDER BY period) AS periods,
                min(period) AS first_period, max(period) AS last_period
            FROM indicator_values WHERE area_type <> 'neighbourhood'
            GROUP BY indicator_id
        ) AS p USING (indicator_id)
        ORDER BY c.sort_order
        """,
    )


def periods(con: duckdb.DuckDBPyConnection, indicator_id: str) -> list[str]:
    """Periods with a value for an indicator, oldest first."""
    rows = con.execute(
        "SELECT DISTINCT period FROM indicator_values WHERE indicator_id = ? "
        "AND area_type <> 'neighbourhood' ORDER BY period",
        [indicator_id],
    ).fetchall()
    return [r[0] for r in rows]


def area_values(
    con: duckdb.DuckDBPyConnection,
    lad_code: str,
    model_id: str,
    indicator_ids: Sequence[str],
) -> pd.DataFrame:
    """Every period of the given indicators for the model's neighbourhoods, the borough and
    England, in one long frame (area_type tells them apart)."""
    return _df(
        con,
        f"""
        SELECT {VALUE_COLUMNS} FROM indicator_values
        WHERE indicator_id IN (SELECT unnest(?::VARCHAR[]))
          AND ((area_type = 'neighbourhood' AND model_id = ?)
               OR (area_type = 'lad' AND area_code = ?)
               OR area_type = 'england')
        ORDER BY indicator_id, area_type, area_name, period
        """,
        [list(indicator_ids), model_id, lad_code],
    )


def lsoa_values(
    con: duckdb.DuckDBPyConnection, lad_code: str, indicator_id: str, model_id: str
) -> pd.DataFrame:
    """LSOA values of one indicator in a borough (every period), with each LSOA's
    neighbourhood in the chosen model."""
    return _df(
        con,
        """
        SELECT v.area_code AS lsoa21_code, v.area_name AS lsoa21_name, v.period, v.value,
            v.numerator, v.denominator, v.lower_ci95, v.upper_ci95, v.lower_ci998,
            v.upper_ci998, coalesce(m.neighbourhood_name, 'Unassigned') AS neighbourhood_name
        FROM indicator_values AS v
        LEFT JOIN neighbourhood_models AS m
            ON m.model_id = ? AND m.lsoa21_code = v.area_code
        WHERE v.area_type = 'lsoa' AND v.lad_code = ? AND v.indicator_id = ?
        ORDER BY v.period, v.area_code
        """,
        [model_id, lad_code, indicator_id],
    )


def build_info(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """When and how the public database was built."""
    frame = _df(con, "SELECT * FROM pub.build_info")
    return frame.iloc[0].to_dict() if len(frame) else {}


def _published_sql(name: str, lad_code: str | None) -> tuple[str, list]:
    """SQL and values of a published table's download (one borough where it has a column)."""
    if name == "indicator_catalogue":
        return "SELECT * FROM indicator_catalogue ORDER BY sort_order", []
    if name == "neighbourhood_models":
        return "SELECT * FROM neighbourhood_models WHERE lad_code = ? ORDER BY ALL", [lad_code]
    if name == "indicator_values":
        return (
            f"SELECT {VALUE_COLUMNS} FROM indicator_values "
            "WHERE lad_code = ? OR area_type = 'england' ORDER BY ALL",
            [lad_code],
        )
    raise ValueError(f"not a published table: {name}")


def published_table(
    con: duckdb.DuckDBPyConnection, name: str, lad_code: str | None
) -> pd.DataFrame:
    """A published table for download, limited to one borough where it has a borough column."""
    sql, values = _published_sql(name, lad_code)
    return _df(con, sql, values)


def published_shape(
    con: duckdb.DuckDBPyConnection, name: str, lad_code: str | None
) -> tuple[int, tuple[str, ...]]:
    """The rows `published_table` would give and the uploaded indicators among them, without
    fetching them: a page can label and audit the download, and make it only when pressed."""
    sql, values = _published_sql(name, lad_code)
    uploaded = "[]::VARCHAR[]"
    if name != "neighbourhood_models":  # the only one without an indicator_id
        uploaded = "list(DISTINCT indicator_id) FILTER (WHERE starts_with(indicator_id, ?))"
        values = [USER_PREFIX, *values]
    rows, ids = con.execute(f"SELECT count(*), {uploaded} FROM ({sql})", values).fetchone()
    return int(rows), tuple(sorted(ids or ()))


def _with_values(sums: str, columns: str) -> str:
    """SQL: `columns` of the CTE `sums` with the value and both intervals (lower_ci95 ...
    upper_ci998) the build's own macro `indicator_values_from_sums` gives its summed numerator
    and denominator (none where the catalogue lacks the indicator). `sums` has the columns of
    the build's area sums (area_type ... numerator, denominator), keyed by area_code, period."""
    return f"""
        SELECT {columns}, v.value, v.lower_ci95, v.upper_ci95, v.lower_ci998, v.upper_ci998
        FROM {sums} AS s
        LEFT JOIN indicator_values_from_sums('{sums}') AS v USING (area_code, period)
        ORDER BY ALL
    """


def rest_of_borough(
    con: duckdb.DuckDBPyConnection,
    lad_code: str,
    model_id: str,
    indicator_id: str,
    neighbourhoods: Sequence[str] | None = None,
) -> pd.DataFrame:
    """For each neighbourhood of the model (or of `neighbourhoods`) and period: the rest of its
    borough (the borough's LSOAs outside the neighbourhood, on LSOA 2021 geography). Its summed
    numerator and denominator, and the value and 95% and 99.8% intervals (lower_ci95 ...
    upper_ci998) computed from them as the build computes every published value."""
    return _df(
        con,
        """
        WITH lsoa AS (
            SELECT i.period, i.period_start, i.lsoa21_code, i.numerator, i.denominator
            FROM lsoa_indicator_inputs AS i
            JOIN lsoa_geography AS g USING (lsoa21_code)
            WHERE g.lad_code = ? AND i.indicator_id = ?
        ),
        total AS (
            SELECT period, any_value(period_start) AS period_start, sum(numerator) AS n,
                sum(denominator) AS d
            FROM lsoa GROUP BY period
        ),
        nb AS (
            SELECT m.neighbourhood_code, l.period, sum(l.numerator) AS n, sum(l.denominator) AS d
            FROM lsoa AS l
            JOIN neighbourhood_models AS m ON m.model_id = ? AND m.lsoa21_code = l.lsoa21_code
            WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], m.neighbourhood_code)
            GROUP BY ALL
        ),
        rest AS (
            SELECT 'rest' AS area_type, nb.neighbourhood_code AS area_code,
                NULL::VARCHAR AS area_name, ? AS model_id, ? AS lad_code,
                ? AS indicator_id, nb.period, total.period_start,
                total.n - nb.n AS numerator, total.d - nb.d AS denominator
            FROM nb JOIN total USING (period)
        )
        """
        + _with_values(
            "rest",
            "s.area_code, s.indicator_id, s.period, s.period_start, s.numerator, s.denominator",
        ),
        [
            lad_code,
            indicator_id,
            model_id,
            neighbourhoods,
            neighbourhoods,
            model_id,
            lad_code,
            indicator_id,
        ],
    )


def borough_lsoas(con: duckdb.DuckDBPyConnection, lad_code: str) -> pd.DataFrame:
    """Every LSOA 2021 of a borough with its population in the latest population period."""
    return _df(
        con,
        """
        WITH pop AS (
            SELECT area_code AS lsoa21_code, period, value AS population
            FROM indicator_values
            WHERE area_type = 'lsoa' AND lad_code = ? AND indicator_id = 'population'
            QUALIFY period = max(period) OVER ()
        )
        SELECT g.lsoa21_code, g.lsoa21_name, pop.population, pop.period AS population_period
        FROM lsoa_geography AS g
        LEFT JOIN pop USING (lsoa21_code)
        WHERE g.lad_code = ?
        ORDER BY g.lsoa21_code
        """,
        [lad_code, lad_code],
    )


def lsoa_weighted_values(
    con: duckdb.DuckDBPyConnection, lad_code: str, indicator_id: str, period: str
) -> pd.DataFrame:
    """LSOA values of one indicator and period in a borough, each with the weight the build
    gives the LSOA when it combines LSOAs into areas (the denominator: population for the IoD;
    1 for shares of LSOAs and for counts, which have no denominator)."""
    return _df(
        con,
        """
        SELECT v.area_code AS lsoa21_code, v.area_name AS lsoa21_name, v.value,
            coalesce(i.denominator, 1.0) AS weight
        FROM indicator_values AS v
        LEFT JOIN lsoa_indicator_inputs AS i
            ON i.lsoa21_code = v.area_code AND i.indicator_id = v.indicator_id
            AND i.period = v.period
        WHERE v.area_type = 'lsoa' AND v.lad_code = ? AND v.indicator_id = ? AND v.period = ?
        ORDER BY v.area_code
        """,
        [lad_code, indicator_id, period],
    )


def period_starts(con: duckdb.DuckDBPyConnection, indicator_id: str) -> pd.DataFrame:
    """Each period of an indicator with its start date, oldest first (to match periods of
    different indicators, e.g. an IoD wave to a population estimate)."""
    return _df(
        con,
        "SELECT period, min(period_start) AS period_start FROM indicator_values "
        "WHERE indicator_id = ? AND area_type IN ('england', 'lsoa') "
        "GROUP BY period ORDER BY period_start, period",
        [indicator_id],
    )


def neighbourhood_spread(
    con: duckdb.DuckDBPyConnection, model_id: str, indicator_ids: Sequence[str]
) -> pd.DataFrame:
    """For each indicator and period: how the model's neighbourhood values spread (count,
    minimum, quartiles, maximum), the range a spine chart draws."""
    return _df(
        con,
        """
        SELECT indicator_id, period, count(value) AS neighbourhoods,
            min(value) AS min_value,
            quantile_cont(value, 0.25) AS q25_value,
            quantile_cont(value, 0.5) AS median_value,
            quantile_cont(value, 0.75) AS q75_value,
            max(value) AS max_value
        FROM indicator_values
        WHERE area_type = 'neighbourhood' AND model_id = ?
          AND indicator_id IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY ALL ORDER BY ALL
        """,
        [model_id, list(indicator_ids)],
    )


def decile_sums(
    con: duckdb.DuckDBPyConnection,
    lad_code: str,
    indicator_id: str,
    period: str,
    decile_period: str,
    population_period: str | None,
) -> pd.DataFrame:
    """The borough's LSOAs grouped by national IMD decile (of wave `decile_period`): LSOA
    counts and the summed numerator, denominator and population of each decile (for
    population-weighted means the inputs hold value x population over population), and each
    decile's value and intervals computed from its sums as the build computes them."""
    return _df(
        con,
        """
        WITH borough AS (
            SELECT lsoa21_code FROM lsoa_geography WHERE lad_code = ?
        ),
        decile AS (
            SELECT v.area_code AS lsoa21_code, CAST(v.value AS INTEGER) AS imd_decile
            FROM indicator_values AS v JOIN borough AS b ON b.lsoa21_code = v.area_code
            WHERE v.area_type = 'lsoa' AND v.indicator_id = 'imd_decile' AND v.period = ?
        ),
        inputs AS (
            SELECT lsoa21_code, numerator, denominator FROM lsoa_indicator_inputs
            WHERE indicator_id = ? AND period = ?
        ),
        pop AS (
            SELECT lsoa21_code, numerator AS population FROM lsoa_indicator_inputs
            WHERE indicator_id = 'population' AND period = ?
        ),
        deciles AS (
            SELECT 'imd_decile' AS area_type, CAST(d.imd_decile AS VARCHAR) AS area_code,
                NULL::VARCHAR AS area_name, NULL::VARCHAR AS model_id, ? AS lad_code,
                ? AS indicator_id, ? AS period, NULL::DATE AS period_start,
                d.imd_decile, count(*) AS lsoas, count(i.lsoa21_code) AS lsoas_with_data,
                sum(i.numerator) AS numerator, sum(i.denominator) AS denominator,
                sum(p.population) AS population
            FROM decile AS d
            LEFT JOIN inputs AS i USING (lsoa21_code)
            LEFT JOIN pop AS p USING (lsoa21_code)
            GROUP BY d.imd_decile
        )
        """
        + _with_values(
            "deciles",
            "s.imd_decile, s.lsoas, s.lsoas_with_data, s.numerator, s.denominator, s.population",
        ),
        [
            lad_code,
            decile_period,
            indicator_id,
            period,
            population_period,
            lad_code,
            indicator_id,
            period,
        ],
    )
