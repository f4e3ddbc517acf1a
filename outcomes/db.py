"""Database access for the app: the public build read-only, the user's own data beside it.

One in-process DuckDB instance attaches `data/outcomes.duckdb` (read-only; a rebuild replaces the
file and never touches user data) and `data/user/user_data.duckdb` (the council's own
neighbourhood models and uploads). Views in the in-memory catalog present public and user rows as
the published tables. Each thread or session must use its own `cursor()`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
PUBLIC_DB = Path(os.environ.get("OUTCOMES_DB", PROJECT_DIR / "data" / "outcomes.duckdb"))
USER_DB = Path(
    os.environ.get("OUTCOMES_USER_DB", PROJECT_DIR / "data" / "user" / "user_data.duckdb")
)

USER_SCHEMA = """
CREATE TABLE IF NOT EXISTS usr.user_models (
    model_id VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, lad_code VARCHAR NOT NULL,
    source_file VARCHAR, uploaded_at TIMESTAMP NOT NULL, aggregated_for_build VARCHAR
);
CREATE TABLE IF NOT EXISTS usr.user_neighbourhood_models (
    model_id VARCHAR NOT NULL, model_name VARCHAR NOT NULL, lad_code VARCHAR NOT NULL,
    neighbourhood_code VARCHAR NOT NULL, neighbourhood_name VARCHAR NOT NULL,
    lsoa21_code VARCHAR NOT NULL, PRIMARY KEY (model_id, lsoa21_code)
);
CREATE TABLE IF NOT EXISTS usr.user_indicator_values AS
    SELECT * FROM pub.indicator_values WITH NO DATA;
CREATE TABLE IF NOT EXISTS usr.user_indicator_catalogue AS
    SELECT * FROM pub.indicator_catalogue WITH NO DATA;
-- Partner data (outcomes/partner_data.py): uploaded datasets, their rows, how their areas map
-- onto LSOAs 2021, and which indicators each made. Values carry a `suppressed` flag
-- (outcomes/disclosure.py); rows from the public build and user models leave it null.
ALTER TABLE usr.user_indicator_values ADD COLUMN IF NOT EXISTS suppressed BOOLEAN;
ALTER TABLE usr.user_indicator_catalogue ADD COLUMN IF NOT EXISTS area_types VARCHAR;
ALTER TABLE usr.user_indicator_catalogue ADD COLUMN IF NOT EXISTS coverage VARCHAR;
CREATE TABLE IF NOT EXISTS usr.user_datasets (
    dataset_id VARCHAR PRIMARY KEY, dataset_name VARCHAR NOT NULL, lad_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, area_column VARCHAR NOT NULL, model_id VARCHAR,
    organisation VARCHAR, source_file VARCHAR, polarity VARCHAR,
    uploaded_at TIMESTAMP NOT NULL, row_count INTEGER NOT NULL, aggregated_state VARCHAR
);
CREATE TABLE IF NOT EXISTS usr.user_dataset_rows (
    dataset_id VARCHAR NOT NULL, row_number INTEGER NOT NULL, area_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL, period_start DATE NOT NULL, measure VARCHAR NOT NULL,
    count BIGINT, respondents BIGINT, agreeing BIGINT, PRIMARY KEY (dataset_id, row_number)
);
CREATE TABLE IF NOT EXISTS usr.user_dataset_areas (
    dataset_id VARCHAR NOT NULL, area_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL,
    lsoa21_code VARCHAR, share DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS usr.user_dataset_indicators (
    dataset_id VARCHAR NOT NULL, indicator_id VARCHAR PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS usr.user_settings (key VARCHAR PRIMARY KEY, value VARCHAR);
"""

VIEWS = """
CREATE OR REPLACE VIEW memory.main.neighbourhood_models AS
    SELECT model_id, model_name, lad_code, neighbourhood_code, neighbourhood_name, lsoa21_code,
        'shipped' AS model_source
    FROM pub.neighbourhood_models
    UNION ALL
    SELECT model_id, model_name, lad_code, neighbourhood_code, neighbourhood_name, lsoa21_code,
        'uploaded'
    FROM usr.user_neighbourhood_models;
CREATE OR REPLACE VIEW memory.main.indicator_catalogue AS
    SELECT * FROM pub.indicator_catalogue
    UNION ALL BY NAME
    SELECT * FROM usr.user_indicator_catalogue;
CREATE OR REPLACE VIEW memory.main.indicator_values AS
    SELECT * FROM pub.indicator_values
    UNION ALL BY NAME
    SELECT * FROM usr.user_indicator_values;
"""

SEARCH_PATH = "memory.main,pub.main"


class DatabaseMissing(RuntimeError):
    """The public database has not been built yet, or the user database cannot be opened."""


def open_database(
    public_db: Path | None = None, user_db: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the app's base connection (attach public read-only and user data; create views).
    Defaults are the module's PUBLIC_DB and USER_DB as they are at call time."""
    public_db = Path(public_db if public_db is not None else PUBLIC_DB)
    user_db = Path(user_db if user_db is not None else USER_DB)
    if not public_db.is_file():
        raise DatabaseMissing(
            f"{public_db} does not exist: build it with `python -m transforms.run`"
        )
    user_db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"ATTACH {_literal(public_db)} AS pub (READ_ONLY)")
    try:
        con.execute(f"ATTACH {_literal(user_db)} AS usr")
    except duckdb.IOException as exc:
        con.close()
        raise DatabaseMissing(
            f"the user database {user_db} is in use by another process (another copy of the "
            "dashboard?). Close it, or point OUTCOMES_USER_DB at another file."
        ) from exc
    con.execute(USER_SCHEMA)
    con.execute(VIEWS)
    from transforms.run import install_sql_functions

    install_sql_functions(con)
    con.execute(f"SET search_path = '{SEARCH_PATH}'")
    return con


def cursor(base: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for one thread/session, resolving table names like the base connection."""
    cur = base.cursor()
    cur.execute(f"SET search_path = '{SEARCH_PATH}'")
    return cur


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
