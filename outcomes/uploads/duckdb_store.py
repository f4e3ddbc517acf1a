"""The user database in DuckDB: its schema, the views that merge it with the public build, and
every statement that reads or writes it (the `storage.UserStore` interface).

The database is attached as `usr` beside the read-only public build (`pub`), so a rebuild of
the public data never touches it. Each change is one transaction: a failure or an interrupt
part-way leaves the store as it was. User text is bound as a parameter or registered as a
frame, never put into SQL.

The schema changes only through numbered migrations (`MIGRATIONS`), each applied once and
recorded in `usr.user_schema_version`; every statement is idempotent as well, so a step that
was interrupted, or a version table that was emptied, is simply run again. The PostgreSQL
store (`postgres_store`) follows the same numbered steps. The audit log (`user_audit_log`) is
only ever appended to: no statement here updates or deletes its rows.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

import duckdb
import pandas as pd

from outcomes.uploads.audit import COLUMNS as AUDIT_COLUMNS
from outcomes.uploads.audit import Entry
from outcomes.uploads.problems import StoreBusy

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
-- Partner data (outcomes/uploads/datasets.py): uploaded datasets, their rows, how their areas
-- map onto LSOAs 2021, and which indicators each made. Values carry a `suppressed` flag
-- (outcomes/uploads/disclosure.py); rows from the public build and user models leave it null.
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
# Who owns each model and dataset: from the identity of whoever uploaded it, never free text.
# Rows from before sign-in belong to the local user. The threshold the Your data page used to
# store is dropped: the disclosure policy comes from configuration only.
OWNERS = """
ALTER TABLE usr.user_models ADD COLUMN IF NOT EXISTS owner_email VARCHAR;
ALTER TABLE usr.user_models ADD COLUMN IF NOT EXISTS owner_name VARCHAR;
ALTER TABLE usr.user_models ADD COLUMN IF NOT EXISTS organisation VARCHAR;
ALTER TABLE usr.user_datasets ADD COLUMN IF NOT EXISTS owner_email VARCHAR;
ALTER TABLE usr.user_datasets ADD COLUMN IF NOT EXISTS owner_name VARCHAR;
UPDATE usr.user_models SET owner_email = 'local', owner_name = 'local' WHERE owner_email IS NULL;
UPDATE usr.user_datasets SET owner_email = 'local', owner_name = 'local'
    WHERE owner_email IS NULL;
DELETE FROM usr.user_settings WHERE key = 'suppress_below';
"""
# One row per action (outcomes/uploads/audit.py); `at_utc` is UTC without a time zone.
AUDIT_LOG = """
CREATE TABLE IF NOT EXISTS usr.user_audit_log (
    entry_id VARCHAR PRIMARY KEY, at_utc TIMESTAMP NOT NULL, actor_email VARCHAR NOT NULL,
    actor_name VARCHAR, actor_role VARCHAR NOT NULL, actor_organisation VARCHAR,
    action VARCHAR NOT NULL, object_kind VARCHAR NOT NULL, object_id VARCHAR,
    object_name VARCHAR, lad_code VARCHAR, sha256 VARCHAR, row_count BIGINT, detail VARCHAR
);
"""
# Which public builds the user data has been (or is being) re-aggregated against: claimed once.
REAGGREGATION_CLAIMS = """
CREATE TABLE IF NOT EXISTS usr.user_reaggregation_claims (
    build VARCHAR PRIMARY KEY, claimed_at TIMESTAMP NOT NULL
);
"""
SCHEMA_VERSION = """
CREATE TABLE IF NOT EXISTS usr.user_schema_version (
    version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL
);
"""
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "models, datasets, their indicators and values, settings", USER_SCHEMA),
    (2, "owners of models and datasets", OWNERS),
    (3, "the audit log", AUDIT_LOG),
    (4, "claims to re-aggregate against a public build", REAGGREGATION_CLAIMS),
)
CLAIM_EXPIRES = timedelta(minutes=10)  # a claim not followed by then may be taken again

# The published tables as the app reads them: public rows and the user's own side by side.
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

# A model's values: what the build publishes for its own models (a macro of the public build).
MODEL_VALUES = (
    "INSERT INTO usr.user_indicator_values BY NAME "
    "SELECT * FROM neighbourhood_indicator_values('{membership}')"
)
DATASET_TABLES = (
    "user_dataset_indicators",
    "user_dataset_areas",
    "user_dataset_rows",
    "user_datasets",
)
MODEL_TABLES = ("user_indicator_values", "user_neighbourhood_models", "user_models")
_OF_DATASET = "(SELECT indicator_id FROM usr.user_dataset_indicators WHERE dataset_id = ?)"


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the user database up to the latest schema version and create the merged views,
    on a connection that has the public build attached as `pub` and the user database as
    `usr`."""
    migrate(con)
    con.execute(VIEWS)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations this user database lacks, each in its own transaction with its
    record in `user_schema_version`; return the versions applied."""
    con.execute(SCHEMA_VERSION)
    done = {r[0] for r in con.execute("SELECT version FROM usr.user_schema_version").fetchall()}
    applied = []
    for version, description, sql in MIGRATIONS:
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO usr.user_schema_version VALUES (?, ?, ?)",
                [version, description, datetime.now()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


# Two sessions writing the same rows at once: DuckDB lets one commit and stops the other with
# a TransactionException ("Conflict on tuple deletion"). Every write is one transaction, so it
# is simply run again after a short jittered pause; if the other writer keeps winning, the
# user is told plainly (StoreBusy) and nothing was changed.
ATTEMPTS = 6
FIRST_PAUSE = 0.05  # seconds, doubled each time, times a random 0.5-1.5
_LOG = logging.getLogger(__name__)
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _retrying(method: _Method) -> _Method:
    """A store method (one transaction) run again when a concurrent write conflicts with it."""

    @functools.wraps(method)
    def run(self: DuckDBStore, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(ATTEMPTS):
            try:
                return method(self, *args, **kwargs)
            except duckdb.TransactionException as exc:
                _LOG.warning(
                    "%s: write conflict (attempt %d of %d): %s",
                    method.__name__, attempt + 1, ATTEMPTS, exc,
                )  # fmt: skip
                if attempt + 1 < ATTEMPTS:
                    time.sleep(FIRST_PAUSE * 2**attempt * random.uniform(0.5, 1.5))
        raise StoreBusy()

    return cast(_Method, run)


class DuckDBStore:
    """The user database attached to the app's DuckDB connection (or cursor)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise

    @contextmanager
    def _frames(self, **frames: pd.DataFrame) -> Iterator[None]:
        """Frames registered as views for the statements inside, and dropped again (a view
        left behind would clash with the next registration of the same name)."""
        for name, frame in frames.items():
            self._con.register(name, frame)
        try:
            yield
        finally:
            for name in frames:
                self._con.unregister(name)

    # ------------------------------------------------------------ settings

    def get_setting(self, key: str) -> str | None:
        found = self._con.execute(
            "SELECT value FROM usr.user_settings WHERE key = ?", [key]
        ).fetchall()
        return found[0][0] if found else None

    @_retrying
    def set_setting(self, key: str, value: str) -> None:
        self._con.execute("INSERT OR REPLACE INTO usr.user_settings VALUES (?, ?)", [key, value])

    @_retrying
    def setdefault_setting(self, key: str, value: str) -> str:
        with self._transaction():
            found = self.get_setting(key)
            if found is not None:
                return found
            self._con.execute("INSERT INTO usr.user_settings VALUES (?, ?)", [key, value])
        return value

    @_retrying
    def change_setting(self, key: str, value: str, audit: Entry) -> bool:
        with self._transaction():  # read and write in one: a change is recorded only once
            if self.get_setting(key) == value:
                return False
            self._con.execute(
                "INSERT OR REPLACE INTO usr.user_settings VALUES (?, ?)", [key, value]
            )
            self._append(audit)
        return True

    # ------------------------------------------------------------ the audit log

    @_retrying
    def append_audit(self, entry: Entry) -> None:
        with self._transaction():
            self._append(entry)

    def audit_log(self) -> pd.DataFrame:
        return self._con.execute(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM usr.user_audit_log ORDER BY at_utc, entry_id"
        ).df()

    def _append(self, entry: Entry) -> None:
        """Append one entry (inside the caller's transaction). The only statement that
        writes the log: an INSERT."""
        row = entry.row()
        self._con.execute(
            f"INSERT INTO usr.user_audit_log ({', '.join(row)}) "
            f"VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )

    # ------------------------------------------------------------ neighbourhood models

    @_retrying
    def save_model(
        self,
        membership: pd.DataFrame,
        *,
        source_file: str,
        build: str,
        owner: dict[str, str],
        audit: Entry,
    ) -> None:
        first = membership.iloc[0]
        described = {
            "model_id": first.model_id,
            "model_name": first.model_name,
            "lad_code": first.lad_code,
            "source_file": source_file,
            "uploaded_at": datetime.now(),
            "aggregated_for_build": build,
            **owner,
        }
        with self._frames(_membership=membership), self._transaction():
            for table in MODEL_TABLES:
                self._con.execute(f"DELETE FROM usr.{table} WHERE model_id = ?", [first.model_id])
            self._con.execute(
                f"INSERT INTO usr.user_models ({', '.join(described)}) "
                f"VALUES ({', '.join('?' for _ in described)})",
                list(described.values()),
            )
            self._con.execute("INSERT INTO usr.user_neighbourhood_models SELECT * FROM _membership")
            self._con.execute(MODEL_VALUES.format(membership="_membership"))
            self._append(audit)

    def get_model(self, model_id: str) -> dict | None:
        found = self._con.execute(
            "SELECT * FROM usr.user_models WHERE model_id = ?", [model_id]
        ).df()
        return found.to_dict("records")[0] if len(found) else None

    @_retrying
    def delete_model(self, model_id: str, audit: Entry) -> None:
        with self._transaction():
            for table in MODEL_TABLES:
                self._con.execute(f"DELETE FROM usr.{table} WHERE model_id = ?", [model_id])
            self._append(audit)

    def list_models(self, lad_code: str | None = None) -> pd.DataFrame:
        return self._con.execute(
            "SELECT * FROM usr.user_models WHERE ? IS NULL OR lad_code = ? ORDER BY model_id",
            [lad_code, lad_code],
        ).df()

    @_retrying
    def reaggregate_model(self, model_id: str, build: str) -> None:
        with self._transaction():
            self._con.execute(
                "DELETE FROM usr.user_indicator_values WHERE model_id = ?", [model_id]
            )
            # A temporary table that is dropped again: left behind, it would clash with the
            # `_membership` view a later save_model registers on the same connection.
            self._con.execute(
                "CREATE OR REPLACE TEMP TABLE _stale_membership AS "
                "SELECT * FROM usr.user_neighbourhood_models WHERE model_id = ?",
                [model_id],
            )
            self._con.execute(MODEL_VALUES.format(membership="_stale_membership"))
            self._con.execute("DROP TABLE _stale_membership")
            self._con.execute(
                "UPDATE usr.user_models SET aggregated_for_build = ? WHERE model_id = ?",
                [build, model_id],
            )

    @_retrying
    def claim_reaggregation(self, build: str) -> bool:
        with self._transaction():
            found = self._con.execute(
                "SELECT claimed_at FROM usr.user_reaggregation_claims WHERE build = ?", [build]
            ).fetchall()
            if found and found[0][0] > datetime.now() - CLAIM_EXPIRES:
                return False
            self._con.execute(
                "INSERT OR REPLACE INTO usr.user_reaggregation_claims VALUES (?, ?)",
                [build, datetime.now()],
            )
        return True

    # ------------------------------------------------------------ partner datasets

    def get_dataset(self, dataset_id: str) -> dict | None:
        found = self._con.execute(
            "SELECT * FROM usr.user_datasets WHERE dataset_id = ?", [dataset_id]
        ).df()
        return found.to_dict("records")[0] if len(found) else None

    def list_datasets(self, lad_code: str | None = None) -> pd.DataFrame:
        return self._con.execute(
            """
            SELECT d.*, p.first_period, p.last_period, p.periods,
                (SELECT count(*) FROM usr.user_dataset_indicators AS i
                 WHERE i.dataset_id = d.dataset_id) AS indicators
            FROM usr.user_datasets AS d
            LEFT JOIN (
                SELECT dataset_id, min(period) AS first_period, max(period) AS last_period,
                    count(DISTINCT period) AS periods
                FROM usr.user_dataset_rows GROUP BY dataset_id
            ) AS p USING (dataset_id)
            WHERE ? IS NULL OR d.lad_code = ?
            ORDER BY d.uploaded_at DESC, d.dataset_id
            """,
            [lad_code, lad_code],
        ).df()

    def dataset_inputs(self, dataset_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = self._con.execute(
            "SELECT * FROM usr.user_dataset_rows WHERE dataset_id = ? ORDER BY row_number",
            [dataset_id],
        ).df()
        areas = self._con.execute(
            "SELECT * FROM usr.user_dataset_areas WHERE dataset_id = ?", [dataset_id]
        ).df()
        return rows, areas

    @_retrying
    def save_dataset(
        self,
        meta: dict,
        rows: pd.DataFrame,
        areas: pd.DataFrame,
        catalogue: pd.DataFrame,
        values: pd.DataFrame,
        audit: Entry,
    ) -> None:
        dataset_id = meta["dataset_id"]
        rows = rows.assign(dataset_id=dataset_id)[
            ["dataset_id", "row", "area_code", "period", "period_start", "measure", "count",
             "respondents", "agreeing"]
        ].rename(columns={"row": "row_number"})  # fmt: skip
        areas = areas.assign(dataset_id=dataset_id)[
            ["dataset_id", "area_code", "unit_code", "lsoa21_code", "share"]
        ]
        with self._frames(_partner_rows=rows, _partner_areas=areas), self._transaction():
            self._delete_dataset(dataset_id)
            self._con.execute(
                "INSERT INTO usr.user_datasets BY NAME SELECT * FROM (SELECT "
                + ", ".join(f"? AS {k}" for k in meta)
                + ")",
                list(meta.values()),
            )
            self._con.execute(
                "INSERT INTO usr.user_dataset_rows BY NAME SELECT * FROM _partner_rows"
            )
            self._con.execute(
                "INSERT INTO usr.user_dataset_areas BY NAME SELECT * FROM _partner_areas"
            )
            self._write_indicators(dataset_id, catalogue, values)
            self._append(audit)

    @_retrying
    def replace_dataset_values(
        self, dataset_id: str, catalogue: pd.DataFrame, values: pd.DataFrame, state: str
    ) -> None:
        with self._transaction():
            self._delete_indicators(dataset_id)
            self._con.execute(
                "DELETE FROM usr.user_dataset_indicators WHERE dataset_id = ?", [dataset_id]
            )
            self._write_indicators(dataset_id, catalogue, values)
            self._con.execute(
                "UPDATE usr.user_datasets SET aggregated_state = ? WHERE dataset_id = ?",
                [state, dataset_id],
            )

    @_retrying
    def delete_dataset(self, dataset_id: str, audit: Entry) -> None:
        with self._transaction():
            self._delete_dataset(dataset_id)
            self._append(audit)

    def dataset_indicators(self, dataset_id: str) -> pd.DataFrame:
        return self._con.execute(
            "SELECT c.* FROM usr.user_indicator_catalogue AS c JOIN usr.user_dataset_indicators "
            "AS i USING (indicator_id) WHERE i.dataset_id = ? ORDER BY c.sort_order",
            [dataset_id],
        ).df()

    def dataset_values(
        self, dataset_id: str, model_id: str | None = None, *, lsoas: bool = True
    ) -> pd.DataFrame:
        return self._con.execute(
            """
            SELECT c.name AS indicator, v.area_type, v.area_code, v.area_name, v.model_id,
                v.lad_code, v.indicator_id, v.period, v.period_start, v.value, v.numerator,
                v.denominator, v.lower_ci95, v.upper_ci95, v.lower_ci998, v.upper_ci998,
                coalesce(v.suppressed, false) AS suppressed
            FROM usr.user_indicator_values AS v
            JOIN usr.user_dataset_indicators AS i USING (indicator_id)
            JOIN usr.user_indicator_catalogue AS c USING (indicator_id)
            WHERE i.dataset_id = ?
              AND (v.area_type = 'lad' OR (v.area_type = 'lsoa' AND ?)
                   OR (v.area_type = 'neighbourhood' AND (? IS NULL OR v.model_id = ?)))
            ORDER BY c.sort_order, v.period,
                CASE v.area_type WHEN 'lad' THEN 0 WHEN 'neighbourhood' THEN 1 ELSE 2 END,
                v.model_id, v.area_name
            """,
            [dataset_id, lsoas, model_id, model_id],
        ).df()

    def _write_indicators(
        self, dataset_id: str, catalogue: pd.DataFrame, values: pd.DataFrame
    ) -> None:
        """Insert a dataset's catalogue rows and values (inside the caller's transaction)."""
        described = self._con.execute("DESCRIBE usr.user_indicator_catalogue").fetchall()
        columns = {r[0] for r in described}
        catalogue = catalogue[[c for c in catalogue.columns if c in columns]]
        link = pd.DataFrame(
            {"dataset_id": dataset_id, "indicator_id": catalogue["indicator_id"].astype(str)}
        )
        frames = {
            "_partner_catalogue": catalogue,
            "_partner_values": values,
            "_partner_link": link,
        }
        with self._frames(**frames):
            self._con.execute("INSERT INTO usr.user_dataset_indicators SELECT * FROM _partner_link")
            self._con.execute(
                "INSERT INTO usr.user_indicator_catalogue BY NAME SELECT * FROM _partner_catalogue"
            )
            self._insert_values()

    def _insert_values(self) -> None:
        self._con.execute(
            "INSERT INTO usr.user_indicator_values BY NAME SELECT * FROM _partner_values"
        )

    def _delete_indicators(self, dataset_id: str) -> None:
        for table in ("user_indicator_values", "user_indicator_catalogue"):
            self._con.execute(
                f"DELETE FROM usr.{table} WHERE indicator_id IN {_OF_DATASET}", [dataset_id]
            )

    def _delete_dataset(self, dataset_id: str) -> None:
        """Remove a dataset's rows, indicators and values (inside the caller's transaction)."""
        self._delete_indicators(dataset_id)
        for table in DATASET_TABLES:
            self._con.execute(f"DELETE FROM usr.{table} WHERE dataset_id = ?", [dataset_id])
