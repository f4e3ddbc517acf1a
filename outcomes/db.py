"""Database access for the app: the public build read-only, the user's own data beside it.

One in-process DuckDB instance attaches `data/outcomes.duckdb` (read-only; a rebuild replaces the
file and never touches user data) and `data/user/user_data.duckdb` (the council's own
neighbourhood models and uploads). Views in the in-memory catalog present public and user rows as
the published tables (`outcomes.uploads.duckdb_store` owns the user schema and those views). The
SQL macros the app calls are persisted in the public build. Each thread or session must use its
own `cursor()`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from outcomes.uploads import duckdb_store, postgres_store

PROJECT_DIR = Path(__file__).resolve().parent.parent
PUBLIC_DB = Path(os.environ.get("OUTCOMES_DB", PROJECT_DIR / "data" / "outcomes.duckdb"))
USER_DB = Path(
    os.environ.get("OUTCOMES_USER_DB", PROJECT_DIR / "data" / "user" / "user_data.duckdb")
)

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
    con = duckdb.connect()
    con.execute(f"ATTACH {_literal(public_db)} AS pub (READ_ONLY)")
    if store_url := postgres_store.configured():  # the store shared by several copies
        try:
            postgres_store.attach(con, store_url)
        except postgres_store.StoreUnavailable as exc:
            con.close()
            raise DatabaseMissing(str(exc)) from exc
        con.execute(f"SET search_path = '{SEARCH_PATH}'")
        return con
    user_db.parent.mkdir(parents=True, exist_ok=True)
    try:
        con.execute(f"ATTACH {_literal(user_db)} AS usr")
    except duckdb.IOException as exc:
        con.close()
        raise DatabaseMissing(
            f"the user database {user_db} is in use by another process (another copy of the "
            "dashboard?). Close it, or point OUTCOMES_USER_DB at another file."
        ) from exc
    duckdb_store.install(con)
    con.execute(f"SET search_path = '{SEARCH_PATH}'")
    return con


def cursor(base: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for one thread/session, resolving table names like the base connection."""
    cur = base.cursor()
    cur.execute(f"SET search_path = '{SEARCH_PATH}'")
    return cur


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
