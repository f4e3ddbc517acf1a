"""Database access for the app: the public build read-only, the user's own data beside it.

One in-process DuckDB instance attaches the public snapshot `data/outcomes.duckdb` points at
(read-only; a rebuild writes a new snapshot and never touches user data) and
`data/user/user_data.duckdb` (the council's own neighbourhood models and uploads). Views in the
in-memory catalog present public and user rows as the published tables
(`outcomes.uploads.duckdb_store` owns the user schema and those views). Each thread or session
must use its own `cursor()`.

The public build is read through `pub`, an in-memory catalog of views onto the snapshot
attached as `snap_<n>` (with the SQL macros the app calls, as stored in the build). When a
build publishes a new snapshot, `switch_if_new` (at most every CHECK_SECONDS) attaches it and
replaces every view and macro of `pub` in one transaction: a query sees the old snapshot or the
new one, never a mixture, and a query already running finishes on the snapshot it started with.
The snapshot before stays attached (its file stays open) until the next switch.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from outcomes.uploads import duckdb_store, postgres_store

PROJECT_DIR = Path(__file__).resolve().parent.parent
PUBLIC_DB = Path(os.environ.get("OUTCOMES_DB", PROJECT_DIR / "data" / "outcomes.duckdb"))
USER_DB = Path(
    os.environ.get("OUTCOMES_USER_DB", PROJECT_DIR / "data" / "user" / "user_data.duckdb")
)

SEARCH_PATH = "memory.main,pub.main"
CHECK_SECONDS = 5.0  # how often a process looks for a new public snapshot
ATTACHED = 2  # snapshots kept attached: the one served and the one before


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
    try:
        _attach_public(con, public_db)
    except (duckdb.Error, OSError) as exc:
        con.close()
        raise DatabaseMissing(f"{public_db} cannot be opened: {exc}") from exc
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


# ---------------------------------------------------------------- the public snapshot


@dataclass
class _Public:
    """What a base connection serves: the public path it follows and the snapshots attached."""

    link: Path
    identity: tuple[str, int, int] = ("", 0, 0)  # real path, inode, modification time
    aliases: list[str] = field(default_factory=list)  # attached snapshots, oldest first
    attached: int = 0
    checked: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_PUBLIC: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def snapshot_identity(public_db: Path) -> tuple[str, int, int]:
    """The file `public_db` points at now (a rebuild replaces a link or the file itself)."""
    real = os.path.realpath(public_db)
    stat = os.stat(real)
    return real, stat.st_ino, stat.st_mtime_ns


def _attach_public(con: duckdb.DuckDBPyConnection, public_db: Path) -> None:
    con.execute("ATTACH ':memory:' AS pub")
    public = _Public(link=public_db)
    _serve(con, public, snapshot_identity(public_db))
    public.checked = time.monotonic()
    _PUBLIC[con] = public


def served_snapshot(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file name of the public snapshot a base connection serves (None: not a base)."""
    public = _PUBLIC.get(con)
    return Path(public.identity[0]).name if public else None


def switch_if_new(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Serve the snapshot the public path points at now, if it changed since the last look
    (looked at most every CHECK_SECONDS unless `force`); return whether it switched. A
    snapshot that cannot be opened is not served: the current one stays."""
    public = _PUBLIC.get(con)
    if public is None or (not force and time.monotonic() - public.checked < CHECK_SECONDS):
        return False
    with public.lock:
        if not force and time.monotonic() - public.checked < CHECK_SECONDS:
            return False  # another session looked meanwhile
        public.checked = time.monotonic()
        try:
            identity = snapshot_identity(public.link)
            if identity == public.identity:
                return False
            _serve(con, public, identity)
        except (duckdb.Error, OSError):
            return False
        return True


def _serve(con: duckdb.DuckDBPyConnection, public: _Public, identity: tuple) -> None:
    """Attach the snapshot and point every view and macro of `pub` at it, in one transaction."""
    alias = f"snap_{public.attached + 1}"
    cur = con.cursor()
    try:
        cur.execute(f"ATTACH {_literal(Path(identity[0]))} AS {alias} (READ_ONLY)")
        public.attached += 1
        statements = _pub_statements(cur, alias)
        cur.execute("SET search_path = 'pub.main'")  # a macro's tables: the views of pub
        cur.execute("BEGIN TRANSACTION")
        try:
            for statement in statements:
                cur.execute(statement)
            cur.execute("COMMIT")
        except duckdb.Error:
            cur.execute("ROLLBACK")
            cur.execute(f"DETACH {alias}")
            raise
        public.aliases.append(alias)
        public.identity = identity
        while len(public.aliases) > ATTACHED:
            cur.execute(f"DETACH {public.aliases.pop(0)}")
    finally:
        cur.close()


def _pub_statements(cur: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    """Views of `pub` onto every table of the snapshot `alias` (dropping views of tables it no
    longer has) and its macros, in the order they were created (a macro after those it calls)."""
    tables = [
        name
        for (name,) in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'main' ORDER BY table_name",
            [alias],
        ).fetchall()
    ]
    old = cur.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = 'pub' AND NOT internal"
    ).fetchall()
    statements = [f"DROP VIEW pub.main.{_ident(v)}" for (v,) in old if v not in tables]
    statements += [
        f"CREATE OR REPLACE VIEW pub.main.{_ident(t)} AS SELECT * FROM {alias}.main.{_ident(t)}"
        for t in tables
    ]
    macros = cur.execute(
        "SELECT function_name, function_type, parameters, macro_definition "
        "FROM duckdb_functions() WHERE database_name = ? AND schema_name = 'main' "
        "AND function_type IN ('macro', 'table_macro') ORDER BY function_oid",
        [alias],
    ).fetchall()
    for name, kind, parameters, definition in _callees_first(macros):
        table = "TABLE " if kind == "table_macro" else ""
        statements.append(
            f"CREATE OR REPLACE MACRO pub.main.{_ident(name)}({', '.join(parameters)}) "
            f"AS {table}{definition}"
        )
    return statements


def _callees_first(macros: list[tuple]) -> list[tuple]:
    """Macros ordered so that each comes after the macros its definition calls."""
    pending, done, ordered = list(macros), set(), []
    while pending:
        ready = [
            m
            for m in pending
            if not any(f"{o[0]}(" in m[3] for o in pending if o[0] != m[0] and o[0] not in done)
        ] or pending[:1]  # a cycle cannot be created; keep going regardless
        ordered += ready
        done |= {m[0] for m in ready}
        pending = [m for m in pending if m[0] not in done]
    return ordered


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
