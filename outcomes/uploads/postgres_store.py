"""The user store in PostgreSQL, shared by every copy of the app (`OUTCOMES_STORE_URL`).

PostgreSQL is the source of truth. The published-table views (`duckdb_store.VIEWS`) merge the
public build with the user tables inside DuckDB, so each app process keeps a mirror of the
(small) user tables in an in-memory DuckDB database attached as `usr`, under the same names as
the embedded store: every query of the app runs unchanged. Every write transaction in
PostgreSQL bumps one change counter (`store_changes`); a process reloads its mirror whenever the
counter has moved (checked on every store read, and at most every `CHECK_EVERY` seconds from
the pages, which then clear their caches). That is how a model uploaded through one copy of the
app appears in every other. A reload copies only the tables that changed: a trigger on each
mirrored table stamps it with the counter's value (`store_table_changes`) whenever a statement
writes it, whoever writes (the app, `move_store`, or an administrator by hand).

Writes are serialised by that counter's row lock, so two copies saving the same model at once
simply take turns. Every change is one PostgreSQL transaction together with its audit entry.
The schema follows the same numbered migrations as the DuckDB store, recorded in
`user_schema_version`; copies starting together apply them once (an advisory lock). User text
is always bound: rows travel by COPY or as parameters, never inside SQL.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from outcomes.uploads import duckdb_store
from outcomes.uploads.audit import COLUMNS as AUDIT_COLUMNS
from outcomes.uploads.audit import Entry

ENV_VAR = "OUTCOMES_STORE_URL"
CHECK_EVERY = 1.0  # seconds between change checks from the pages, per process
POOL_SIZE = 4
CLAIM_EXPIRES = "10 minutes"  # a re-aggregation claim not followed by then may be retaken
_LOG = logging.getLogger(__name__)
MIGRATION_LOCK = 7_310_001  # pg_advisory_xact_lock key: one copy migrates at a time

USER_SCHEMA = """
CREATE TABLE IF NOT EXISTS user_models (
    model_id TEXT PRIMARY KEY, model_name TEXT NOT NULL, lad_code TEXT NOT NULL,
    source_file TEXT, uploaded_at TIMESTAMP NOT NULL, aggregated_for_build TEXT
);
CREATE TABLE IF NOT EXISTS user_neighbourhood_models (
    model_id TEXT NOT NULL, model_name TEXT NOT NULL, lad_code TEXT NOT NULL,
    neighbourhood_code TEXT NOT NULL, neighbourhood_name TEXT NOT NULL,
    lsoa21_code TEXT NOT NULL, PRIMARY KEY (model_id, lsoa21_code)
);
CREATE TABLE IF NOT EXISTS user_indicator_values (
    area_type TEXT, area_code TEXT, area_name TEXT, model_id TEXT, lad_code TEXT,
    indicator_id TEXT, period TEXT, period_start DATE, value DOUBLE PRECISION,
    numerator DOUBLE PRECISION, denominator DOUBLE PRECISION,
    lower_ci95 DOUBLE PRECISION, upper_ci95 DOUBLE PRECISION,
    lower_ci998 DOUBLE PRECISION, upper_ci998 DOUBLE PRECISION, suppressed BOOLEAN
);
CREATE INDEX IF NOT EXISTS user_indicator_values_model ON user_indicator_values (model_id);
CREATE INDEX IF NOT EXISTS user_indicator_values_indicator
    ON user_indicator_values (indicator_id);
CREATE TABLE IF NOT EXISTS user_indicator_catalogue (
    indicator_id TEXT, name TEXT, domain TEXT, definition TEXT, unit TEXT, polarity TEXT,
    aggregation TEXT, source TEXT, publisher TEXT, licence TEXT, caveats TEXT,
    multiplier DOUBLE PRECISION, ci_method TEXT, geography TEXT, area_types TEXT,
    coverage TEXT, comparable_over_time BOOLEAN, sort_order BIGINT
);
CREATE TABLE IF NOT EXISTS user_datasets (
    dataset_id TEXT PRIMARY KEY, dataset_name TEXT NOT NULL, lad_code TEXT NOT NULL,
    kind TEXT NOT NULL, area_column TEXT NOT NULL, model_id TEXT, organisation TEXT,
    source_file TEXT, polarity TEXT, uploaded_at TIMESTAMP NOT NULL, row_count INTEGER NOT NULL,
    aggregated_state TEXT
);
CREATE TABLE IF NOT EXISTS user_dataset_rows (
    dataset_id TEXT NOT NULL, row_number INTEGER NOT NULL, area_code TEXT NOT NULL,
    period TEXT NOT NULL, period_start DATE NOT NULL, measure TEXT NOT NULL,
    count BIGINT, respondents BIGINT, agreeing BIGINT, PRIMARY KEY (dataset_id, row_number)
);
CREATE TABLE IF NOT EXISTS user_dataset_areas (
    dataset_id TEXT NOT NULL, area_code TEXT NOT NULL, unit_code TEXT NOT NULL,
    lsoa21_code TEXT, share DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS user_dataset_indicators (
    dataset_id TEXT NOT NULL, indicator_id TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS user_settings (key TEXT PRIMARY KEY, value TEXT);
"""
OWNERS = """
ALTER TABLE user_models ADD COLUMN IF NOT EXISTS owner_email TEXT;
ALTER TABLE user_models ADD COLUMN IF NOT EXISTS owner_name TEXT;
ALTER TABLE user_models ADD COLUMN IF NOT EXISTS organisation TEXT;
ALTER TABLE user_datasets ADD COLUMN IF NOT EXISTS owner_email TEXT;
ALTER TABLE user_datasets ADD COLUMN IF NOT EXISTS owner_name TEXT;
UPDATE user_models SET owner_email = 'local', owner_name = 'local' WHERE owner_email IS NULL;
UPDATE user_datasets SET owner_email = 'local', owner_name = 'local' WHERE owner_email IS NULL;
DELETE FROM user_settings WHERE key = 'suppress_below';
"""
AUDIT_LOG = """
CREATE TABLE IF NOT EXISTS user_audit_log (
    entry_id TEXT PRIMARY KEY, at_utc TIMESTAMP NOT NULL, actor_email TEXT NOT NULL,
    actor_name TEXT, actor_role TEXT NOT NULL, actor_organisation TEXT,
    action TEXT NOT NULL, object_kind TEXT NOT NULL, object_id TEXT,
    object_name TEXT, lad_code TEXT, sha256 TEXT, row_count BIGINT, detail TEXT
);
"""
REAGGREGATION_CLAIMS = """
CREATE TABLE IF NOT EXISTS user_reaggregation_claims (
    build TEXT PRIMARY KEY, claimed_at TIMESTAMP NOT NULL
);
"""
# The version table and the change counter exist before any numbered step.
BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS user_schema_version (
    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS store_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL
);
INSERT INTO store_changes VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
"""
# The same numbered steps as `duckdb_store.MIGRATIONS`, in PostgreSQL's dialect.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "models, datasets, their indicators and values, settings", USER_SCHEMA),
    (2, "owners of models and datasets", OWNERS),
    (3, "the audit log", AUDIT_LOG),
    (4, "claims to re-aggregate against a public build", REAGGREGATION_CLAIMS),
)
# The tables each process mirrors into DuckDB (everything the app's queries read).
MIRRORED = (
    "user_models",
    "user_neighbourhood_models",
    "user_indicator_values",
    "user_indicator_catalogue",
    "user_datasets",
    "user_dataset_rows",
    "user_dataset_areas",
    "user_dataset_indicators",
    "user_settings",
)
MIRROR_STATE = (
    "CREATE TABLE usr.store_mirror (store_key VARCHAR, mirror_id VARCHAR, version BIGINT)"
)
# Which mirrored tables changed since a version: mirror machinery like `store_changes`, not a
# numbered step (the DuckDB store has no mirror). Each statement writing a mirrored table moves
# the counter and stamps the table with it, in the writer's transaction. A table without a
# stamp is always reloaded, so a stamp is only written together with its table's trigger.
TABLE_CHANGES = """
CREATE TABLE IF NOT EXISTS store_table_changes (
    table_name TEXT PRIMARY KEY, version BIGINT NOT NULL
);
CREATE OR REPLACE FUNCTION store_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE store_changes SET version = version + 1 WHERE id = 1;
    INSERT INTO store_table_changes SELECT TG_TABLE_NAME, version FROM store_changes WHERE id = 1
        ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$;
"""
TABLE_TRIGGER = (
    "CREATE TRIGGER store_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {} "
    "FOR EACH STATEMENT EXECUTE FUNCTION store_note_change()"
)


class StoreUnavailable(RuntimeError):
    """The PostgreSQL store cannot be reached or set up."""


def configured() -> str | None:
    """The PostgreSQL store's URL when one is configured, else None (the embedded store)."""
    return os.environ.get(ENV_VAR, "").strip() or None


# ---------------------------------------------------------------- the shared database


class Backend:
    """One PostgreSQL store as a process sees it: a connection pool and its migrations."""

    def __init__(self, url: str):
        self.url = url
        self.key = hashlib.sha256(url.encode()).hexdigest()[:16]
        self.lock = threading.Lock()  # one mirror reload at a time in this process
        self.checked: dict[str, float] = {}  # mirror id -> when the counter was last read
        self.reloaded: dict[str, tuple[str, ...]] = {}  # mirror id -> tables last reloaded
        self.pool = ConnectionPool(url, min_size=1, max_size=POOL_SIZE, open=False, timeout=10)
        try:
            self.pool.open(wait=True, timeout=10)
            migrate(self.pool)
        except (psycopg.Error, OSError, TimeoutError) as exc:
            self.pool.close()  # no connection attempts left running in the background
            raise StoreUnavailable(
                f"the user store at {ENV_VAR} cannot be used (is PostgreSQL running there, and "
                f"may this user create tables?): {exc}"
            ) from exc
        self._columns: dict[str, list[str]] = {}

    def columns(self, table: str) -> list[str]:
        """A table's columns in PostgreSQL (read once per process)."""
        if table not in self._columns:
            with self.pool.connection() as pg:
                found = pg.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s "
                    "ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            self._columns[table] = [r[0] for r in found]
        return self._columns[table]

    def version(self) -> int:
        """The change counter: moves with every committed write to a mirrored table."""
        with self.pool.connection() as pg:
            return pg.execute("SELECT version FROM store_changes WHERE id = 1").fetchone()[0]

    @contextmanager
    def writing(self) -> Iterator[psycopg.Connection]:
        """One write transaction: the counter is bumped first, which also makes concurrent
        writers (in any copy of the app) take turns on its row lock."""
        with self.pool.connection() as pg, pg.transaction():
            pg.execute("UPDATE store_changes SET version = version + 1 WHERE id = 1")
            yield pg

    def close(self) -> None:
        self.pool.close()


_BACKENDS: dict[str, Backend] = {}
_BACKENDS_LOCK = threading.Lock()


def backend_for(url: str) -> Backend:
    """The process's backend for a store URL (one pool per URL)."""
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    with _BACKENDS_LOCK:
        if key not in _BACKENDS:
            _BACKENDS[key] = Backend(url)
        return _BACKENDS[key]


def close_all() -> None:
    """Close every pool of this process (tests; a process that ends closes them anyway)."""
    with _BACKENDS_LOCK:
        for backend in _BACKENDS.values():
            backend.close()
        _BACKENDS.clear()


def migrate(pool: ConnectionPool) -> list[int]:
    """Apply the numbered steps this database lacks, each in its own transaction with its
    record in `user_schema_version`, one copy of the app at a time; return those applied."""
    with pool.connection() as pg:
        return migrate_connection(pg)


def migrate_connection(pg: psycopg.Connection) -> list[int]:
    """`migrate` on one connection (outside a transaction): the store mover's connection."""
    applied = []
    with pg.transaction():
        pg.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        pg.execute(BOOTSTRAP)
    for version, description, statements in MIGRATIONS:
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            done = pg.execute(
                "SELECT 1 FROM user_schema_version WHERE version = %s", [version]
            ).fetchone()
            if done:
                continue
            pg.execute(statements)
            pg.execute(
                "INSERT INTO user_schema_version VALUES (%s, %s, %s)",
                [version, description, datetime.now()],
            )
            applied.append(version)
    _note_table_changes(pg)
    return applied


def _note_table_changes(pg: psycopg.Connection) -> None:
    """Give every mirrored table its change trigger and stamp (once per store). Without the
    right to create them, mirrors simply reload every table on each change, as before."""
    try:
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            found = pg.execute(
                "SELECT c.relname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'store_note_change' AND c.relnamespace = "
                "current_schema()::regnamespace"
            ).fetchall()
            missing = [t for t in MIRRORED if t not in {r[0] for r in found}]
            if not missing:
                return
            pg.execute(TABLE_CHANGES)
            version = pg.execute(  # every mirror reloads these tables once more
                "UPDATE store_changes SET version = version + 1 WHERE id = 1 RETURNING version"
            ).fetchone()[0]
            for table in missing:
                pg.execute(sql.SQL(TABLE_TRIGGER).format(sql.Identifier(table)))
                pg.execute(
                    "INSERT INTO store_table_changes VALUES (%s, %s) ON CONFLICT (table_name) "
                    "DO UPDATE SET version = EXCLUDED.version",
                    [table, version],
                )
    except psycopg.errors.InsufficientPrivilege as exc:
        _LOG.warning("mirrors will reload every table on each change: %s", exc)


# ---------------------------------------------------------------- the mirror in DuckDB


def attach(con: duckdb.DuckDBPyConnection, url: str) -> None:
    """Attach an in-memory `usr` mirror of the store to an app connection (with `pub`
    attached), create the merged views and load the mirror."""
    backend = backend_for(url)
    con.execute("ATTACH ':memory:' AS usr")
    duckdb_store.install(con)
    con.execute(MIRROR_STATE)
    con.execute("INSERT INTO usr.store_mirror VALUES (?, ?, -1)", [backend.key, uuid.uuid4().hex])
    sync(con, force=True)


def mirror_of(con: duckdb.DuckDBPyConnection) -> tuple[Backend, str, int] | None:
    """The backend, mirror id and loaded version behind a connection, or None when its user
    data is the embedded DuckDB store."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE database_name = 'usr' AND table_name = 'store_mirror'"
    ).fetchall()[0][0]  # fetchall: a pending result would block the cursor's next statement
    if not found:
        return None
    key, mirror_id, version = con.execute(
        "SELECT store_key, mirror_id, version FROM usr.store_mirror"
    ).fetchall()[0]
    return _BACKENDS[key], mirror_id, version


def sync(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> bool:
    """Reload the mirror if the store changed since it was loaded; return whether it did.
    Unless `force`d, the counter is read at most every `CHECK_EVERY` seconds."""
    mirror = mirror_of(con)
    if mirror is None:
        return False
    backend, mirror_id, loaded = mirror
    now = time.monotonic()
    if not force and now - backend.checked.get(mirror_id, 0.0) < CHECK_EVERY:
        return False
    backend.checked[mirror_id] = now
    try:
        if backend.version() == loaded:
            return False
        with backend.lock:
            loaded = mirror_of(con)[2]
            if backend.version() == loaded:
                return False  # another session of this process reloaded it meanwhile
            backend.reloaded[mirror_id] = _reload(con, backend, loaded)
    except (psycopg.Error, PoolTimeout) as exc:
        if force:  # a read or write of the store: the caller says the store is unavailable
            raise
        # a page's routine look: the public pages keep working on the last mirror loaded
        _LOG.warning("the shared user store cannot be reached: %s", exc)
        return False
    return True


def _reload(con: duckdb.DuckDBPyConnection, backend: Backend, loaded: int = -1) -> tuple[str, ...]:
    """Copy the mirrored tables changed since version `loaded` (every one for -1) from one
    consistent snapshot of the store; return their names."""
    tables = {}
    with backend.pool.connection() as pg, pg.transaction():
        pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        version = pg.execute("SELECT version FROM store_changes WHERE id = 1").fetchone()[0]
        if version < loaded:  # a store re-created or restored: nothing it says can be trusted
            loaded = -1
        for table in _changed(pg, loaded):
            tables[table] = _arrow(pg.cursor(binary=True).execute(f"SELECT * FROM {table}"))
    cur = con.cursor()
    cur.execute("BEGIN TRANSACTION")
    try:
        for table, rows in tables.items():
            cur.execute(f"DELETE FROM usr.{table}")
            if rows.num_rows:
                cur.register("_store_rows", rows)
                cur.execute(f"INSERT INTO usr.{table} BY NAME SELECT * FROM _store_rows")
                cur.unregister("_store_rows")
        cur.execute("UPDATE usr.store_mirror SET version = ?", [version])
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()
    return tuple(tables)


def _changed(pg: psycopg.Connection, loaded: int) -> list[str]:
    """The mirrored tables stamped after version `loaded`, and any not stamped at all."""
    try:
        with pg.transaction():  # a savepoint: a store without the stamps stays readable
            stamps = dict(pg.execute("SELECT table_name, version FROM store_table_changes"))
    except psycopg.errors.UndefinedTable:
        stamps = {}
    return [t for t in MIRRORED if stamps.get(t, loaded + 1) > loaded]


def _arrow(result: psycopg.Cursor) -> pa.Table:
    """A result as an Arrow table (nulls kept, types taken from the Python values)."""
    names = [d.name for d in result.description]
    rows = result.fetchall()
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


# ---------------------------------------------------------------- the store


class PostgresStore:
    """The shared store behind an app cursor whose `usr` is a mirror (`attach`). Reads go to
    the mirror once it is up to date; writes go to PostgreSQL, then reload the mirror."""

    def __init__(self, con: duckdb.DuckDBPyConnection, backend: Backend):
        self._con = con
        self._backend = backend
        self._mirror = duckdb_store.DuckDBStore(con)

    def _fresh(self) -> duckdb_store.DuckDBStore:
        sync(self._con, force=True)
        return self._mirror

    @contextmanager
    def _writing(self) -> Iterator[psycopg.Connection]:
        with self._backend.writing() as pg:
            yield pg
        sync(self._con, force=True)

    def _copy(self, pg: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
        """Insert a frame's rows (the columns the table has) by COPY. The frame is read
        through DuckDB, so values arrive as the embedded store would have stored them."""
        if frame.empty:
            return
        names = [c for c in frame.columns if c in self._backend.columns(table)]
        view = f"_store_frame_{uuid.uuid4().hex}"
        self._con.register(view, frame)
        try:
            rows = self._con.execute(
                f"SELECT {', '.join(_quoted(n) for n in names)} FROM {view}"
            ).fetchall()
        finally:
            self._con.unregister(view)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with pg.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _insert(self, pg: psycopg.Connection, table: str, values: dict[str, Any]) -> None:
        statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(sql.Placeholder() * len(values)),
        )
        pg.execute(statement, list(values.values()))

    # ------------------------------------------------------------ settings

    def get_setting(self, key: str) -> str | None:
        return self._fresh().get_setting(key)

    def set_setting(self, key: str, value: str) -> None:
        with self._writing() as pg:
            pg.execute(
                "INSERT INTO user_settings VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, value],
            )

    def setdefault_setting(self, key: str, value: str) -> str:
        with self._writing() as pg:  # writers take turns: the first value stays
            pg.execute(
                "INSERT INTO user_settings VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                [key, value],
            )
            return pg.execute("SELECT value FROM user_settings WHERE key = %s", [key]).fetchone()[0]

    def change_setting(self, key: str, value: str, audit: Entry) -> bool:
        with self._writing() as pg:  # writers take turns: a change is recorded only once
            changed = pg.execute(
                "INSERT INTO user_settings VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                "SET value = EXCLUDED.value WHERE user_settings.value IS DISTINCT FROM "
                "EXCLUDED.value RETURNING key",
                [key, value],
            ).fetchone()
            if changed:
                self._insert(pg, "user_audit_log", audit.row())
        return changed is not None

    # ------------------------------------------------------------ the audit log

    def append_audit(self, entry: Entry) -> None:
        with self._backend.pool.connection() as pg, pg.transaction():
            self._insert(pg, "user_audit_log", entry.row())

    def audit_log(self) -> pd.DataFrame:
        with self._backend.pool.connection() as pg:
            result = pg.execute(
                f"SELECT {', '.join(AUDIT_COLUMNS)} FROM user_audit_log ORDER BY at_utc, entry_id"
            )
            rows = _arrow(result)
        if not rows.num_rows:
            return self._con.execute(
                f"SELECT {', '.join(AUDIT_COLUMNS)} FROM usr.user_audit_log"
            ).df()  # the mirror's empty table: the same columns and types
        return self._con.from_arrow(rows).df()

    # ------------------------------------------------------------ neighbourhood models

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
            "model_id": str(first.model_id),
            "model_name": str(first.model_name),
            "lad_code": str(first.lad_code),
            "source_file": source_file,
            "uploaded_at": datetime.now(),
            "aggregated_for_build": build,
            **owner,
        }
        values = self._model_values(membership)
        with self._writing() as pg:
            for table in duckdb_store.MODEL_TABLES:
                pg.execute(f"DELETE FROM {table} WHERE model_id = %s", [described["model_id"]])
            self._insert(pg, "user_models", described)
            self._copy(pg, "user_neighbourhood_models", membership)
            self._copy(pg, "user_indicator_values", values)
            self._insert(pg, "user_audit_log", audit.row())

    def _model_values(self, membership: pd.DataFrame) -> pd.DataFrame:
        """A model's values, from the public build's macro (run in DuckDB)."""
        view = f"_membership_{uuid.uuid4().hex}"
        self._con.register(view, membership)
        try:
            return self._con.execute(f"SELECT * FROM neighbourhood_indicator_values('{view}')").df()
        finally:
            self._con.unregister(view)

    def get_model(self, model_id: str) -> dict | None:
        return self._fresh().get_model(model_id)

    def delete_model(self, model_id: str, audit: Entry) -> None:
        with self._writing() as pg:
            for table in duckdb_store.MODEL_TABLES:
                pg.execute(f"DELETE FROM {table} WHERE model_id = %s", [model_id])
            self._insert(pg, "user_audit_log", audit.row())

    def list_models(self, lad_code: str | None = None) -> pd.DataFrame:
        return self._fresh().list_models(lad_code)

    def reaggregate_model(self, model_id: str, build: str) -> None:
        self._fresh()
        membership = self._con.execute(
            "SELECT * FROM usr.user_neighbourhood_models WHERE model_id = ?", [model_id]
        ).df()
        values = self._model_values(membership)
        with self._writing() as pg:
            pg.execute("DELETE FROM user_indicator_values WHERE model_id = %s", [model_id])
            self._copy(pg, "user_indicator_values", values)
            pg.execute(
                "UPDATE user_models SET aggregated_for_build = %s WHERE model_id = %s",
                [build, model_id],
            )

    def claim_reaggregation(self, build: str) -> bool:
        with self._backend.pool.connection() as pg, pg.transaction():
            claimed = pg.execute(
                "INSERT INTO user_reaggregation_claims VALUES (%s, now()) "
                "ON CONFLICT (build) DO UPDATE SET claimed_at = now() "
                "WHERE user_reaggregation_claims.claimed_at < now() - %s::interval "
                "RETURNING build",
                [build, CLAIM_EXPIRES],
            ).fetchone()
        return claimed is not None

    # ------------------------------------------------------------ partner datasets

    def get_dataset(self, dataset_id: str) -> dict | None:
        return self._fresh().get_dataset(dataset_id)

    def list_datasets(self, lad_code: str | None = None) -> pd.DataFrame:
        return self._fresh().list_datasets(lad_code)

    def dataset_inputs(self, dataset_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self._fresh().dataset_inputs(dataset_id)

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
        rows = rows.assign(dataset_id=dataset_id).rename(columns={"row": "row_number"})
        areas = areas.assign(dataset_id=dataset_id)
        with self._writing() as pg:
            _delete_dataset(pg, dataset_id)
            self._insert(pg, "user_datasets", meta)
            self._copy(pg, "user_dataset_rows", rows)
            self._copy(pg, "user_dataset_areas", areas)
            self._write_indicators(pg, dataset_id, catalogue, values)
            self._insert(pg, "user_audit_log", audit.row())

    def replace_dataset_values(
        self, dataset_id: str, catalogue: pd.DataFrame, values: pd.DataFrame, state: str
    ) -> None:
        with self._writing() as pg:
            _delete_indicators(pg, dataset_id)
            pg.execute("DELETE FROM user_dataset_indicators WHERE dataset_id = %s", [dataset_id])
            self._write_indicators(pg, dataset_id, catalogue, values)
            pg.execute(
                "UPDATE user_datasets SET aggregated_state = %s WHERE dataset_id = %s",
                [state, dataset_id],
            )

    def delete_dataset(self, dataset_id: str, audit: Entry) -> None:
        with self._writing() as pg:
            _delete_dataset(pg, dataset_id)
            self._insert(pg, "user_audit_log", audit.row())

    def dataset_indicators(self, dataset_id: str) -> pd.DataFrame:
        return self._fresh().dataset_indicators(dataset_id)

    def dataset_values(
        self, dataset_id: str, model_id: str | None = None, *, lsoas: bool = True
    ) -> pd.DataFrame:
        return self._fresh().dataset_values(dataset_id, model_id, lsoas=lsoas)

    def _write_indicators(
        self, pg: psycopg.Connection, dataset_id: str, catalogue: pd.DataFrame, values: pd.DataFrame
    ) -> None:
        link = pd.DataFrame(
            {"dataset_id": dataset_id, "indicator_id": catalogue["indicator_id"].astype(str)}
        )
        self._copy(pg, "user_dataset_indicators", link)
        self._copy(pg, "user_indicator_catalogue", catalogue)
        self._copy(pg, "user_indicator_values", values)


_OF_DATASET = "(SELECT indicator_id FROM user_dataset_indicators WHERE dataset_id = %s)"


def _delete_indicators(pg: psycopg.Connection, dataset_id: str) -> None:
    for table in ("user_indicator_values", "user_indicator_catalogue"):
        pg.execute(f"DELETE FROM {table} WHERE indicator_id IN {_OF_DATASET}", [dataset_id])


def _delete_dataset(pg: psycopg.Connection, dataset_id: str) -> None:
    _delete_indicators(pg, dataset_id)
    for table in duckdb_store.DATASET_TABLES:
        pg.execute(f"DELETE FROM {table} WHERE dataset_id = %s", [dataset_id])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
