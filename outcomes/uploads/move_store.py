"""Move a council's user store from its embedded DuckDB file into PostgreSQL, for when the
dashboard outgrows one machine (README, "Running several copies"):

    python -m outcomes.uploads.move_store --from data/user/user_data.duckdb \\
        --to postgresql://outcomes@db.example:5432/outcomes

Every user table (models, partner datasets and their rows, values and catalogue, owners,
settings, the audit log, re-aggregation claims) is copied in one PostgreSQL transaction, with
an audit entry saying who moved the store and from which file, and the row count of every
table checked before it commits: a failure anywhere leaves the target as it was. The file must
be at the schema version this code writes (the app upgrades a file when it opens it), and is
opened read-only, so a dashboard still running on it stops the move rather than racing it.

A target that already holds user data is refused unless `--replace-target` says to replace
it; even then its audit log is kept (the log is only ever appended to). The store has no
sequences: models and datasets are keyed by ids made from their names and checked against the
stored ones, audit entries by random ids, so rows added after the move cannot collide with
moved ones. The move bumps the store's change counter, so copies already running on the target
reload their mirror.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from outcomes import db
from outcomes.identity import User
from outcomes.uploads import audit, duckdb_store, postgres_store

# Every user table at the latest schema version (`duckdb_store.MIGRATIONS`).
TABLES = (*postgres_store.MIRRORED, "user_audit_log", "user_reaggregation_claims")
LATEST = max(version for version, _, _ in duckdb_store.MIGRATIONS)
OPERATOR_ROLE = "operator"  # a label in the audit log: someone running this command
CONNECT_SECONDS = 10


class MoveRefused(Exception):
    """Why the store was not moved, in words for the person running the command."""


@dataclass
class Table:
    """One user table as read from the DuckDB file."""

    columns: list[str]
    rows: list[tuple]


@dataclass
class Moved:
    """What a move did: rows per table copied and found in PostgreSQL afterwards."""

    source: Path
    target: str
    copied: dict[str, int]
    found: dict[str, int]
    replaced: dict[str, int] = field(default_factory=dict)  # rows the target held before
    entry: audit.Entry | None = None


# ---------------------------------------------------------------- the DuckDB file


def read_source(path: Path) -> dict[str, Table]:
    """Every user table of a DuckDB user store at the latest schema version."""
    if not path.is_file():
        raise MoveRefused(f"there is no file {path}")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise MoveRefused(
                f"{path} is in use by another process (a dashboard still running on it?): "
                "stop it first, so nothing changes while the store moves"
            ) from exc
        raise MoveRefused(
            f"{path} cannot be opened as a DuckDB database: {_first_line(exc)}"
        ) from exc
    except duckdb.Error as exc:
        raise MoveRefused(
            f"{path} cannot be opened as a DuckDB database: {_first_line(exc)}"
        ) from exc
    try:
        _check_version(con, path)
        return {table: _read_table(con, table) for table in TABLES}
    finally:
        con.close()


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        found = {r[0] for r in con.execute("SELECT version FROM user_schema_version").fetchall()}
    except duckdb.CatalogException as exc:
        raise MoveRefused(f"{path} is not a user store of this dashboard") from exc
    version = max(found, default=0)
    if version > LATEST:
        raise MoveRefused(
            f"{path} is at schema version {version}, newer than this version of the dashboard "
            f"knows ({LATEST}): move it with the version that wrote it"
        )
    if found != set(range(1, LATEST + 1)):
        raise MoveRefused(
            f"{path} is at schema version {version}, this version of the dashboard writes "
            f"{LATEST}: open it once with the dashboard (OUTCOMES_USER_DB={path} make run), "
            "which upgrades it, then move it"
        )


def _read_table(con: duckdb.DuckDBPyConnection, table: str) -> Table:
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    return Table(columns, con.execute(f"SELECT * FROM {table}").fetchall())


def file_sha256(path: Path) -> str:
    """Which file was moved (recorded in the audit entry)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- PostgreSQL


def describe_target(url: str) -> str:
    """A PostgreSQL URL without its password, to print."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise MoveRefused("the target must be a postgresql:// URL")
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise MoveRefused(f"the target URL cannot be read: {_first_line(exc)}") from exc
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def connect_target(url: str, where: str) -> psycopg.Connection:
    """A connection to the target with its schema at the latest version."""
    try:
        pg = psycopg.connect(url, connect_timeout=CONNECT_SECONDS, autocommit=True)
    except psycopg.Error as exc:
        raise MoveRefused(f"cannot connect to PostgreSQL at {where}: {_first_line(exc)}") from exc
    try:
        postgres_store.migrate_connection(pg)
        found = pg.execute("SELECT max(version) FROM user_schema_version").fetchone()[0]
    except psycopg.Error as exc:
        pg.close()
        raise MoveRefused(
            f"the store's tables cannot be created at {where} (may this user create tables?): "
            f"{_first_line(exc)}"
        ) from exc
    if found != LATEST:
        pg.close()
        raise MoveRefused(
            f"the store at {where} is at schema version {found}, this version of the dashboard "
            f"writes {LATEST}: move it with the version that wrote it"
        )
    return pg


def _counts(pg: psycopg.Connection) -> dict[str, int]:
    query = sql.SQL("SELECT count(*) FROM {}")
    return {t: pg.execute(query.format(sql.Identifier(t))).fetchone()[0] for t in TABLES}


def _copy(pg: psycopg.Connection, name: str, table: Table) -> None:
    """Rows by COPY (values bound, never inside SQL), by column name."""
    have = {
        r[0]
        for r in pg.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [name],
        ).fetchall()
    }
    if missing := [c for c in table.columns if c not in have]:
        raise MoveRefused(f"{name} in PostgreSQL has no column {', '.join(missing)}")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, table.columns))
    )
    with pg.cursor().copy(statement) as copy:
        for row in table.rows:
            copy.write_row(row)


def _new_entries(pg: psycopg.Connection, table: Table) -> Table:
    """Audit entries the target does not hold already (a target replaced keeps its log)."""
    held = {r[0] for r in pg.execute("SELECT entry_id FROM user_audit_log").fetchall()}
    at = table.columns.index("entry_id")
    return Table(table.columns, [r for r in table.rows if r[at] not in held])


def _empty_target(pg: psycopg.Connection, before: dict[str, int], replace: bool) -> None:
    held = {t: n for t, n in before.items() if n}
    if not held:
        return
    if not replace:
        listed = ", ".join(f"{t} {n}" for t, n in held.items())
        raise MoveRefused(
            f"the target already holds user data ({listed} rows): nothing was copied. "
            "Pass --replace-target to replace it (its audit log is kept)"
        )
    for table in TABLES:
        if table != "user_audit_log":
            pg.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))


def _copy_all(pg: psycopg.Connection, tables: dict[str, Table]) -> dict[str, int]:
    """Copy every table; return the rows each should hold afterwards (before the entry)."""
    expected = {}
    for name, table in tables.items():
        if name == "user_audit_log":
            kept = pg.execute("SELECT count(*) FROM user_audit_log").fetchone()[0]
            table = _new_entries(pg, table)
            expected[name] = kept + len(table.rows)
        else:
            expected[name] = len(table.rows)
        _copy(pg, name, table)
    return expected


def move(source: Path, url: str, *, by: str, replace_target: bool = False) -> Moved:
    """Copy the DuckDB user store `source` into the PostgreSQL store at `url`, in one
    transaction with its audit entry; MoveRefused (nothing written) when it cannot."""
    where = describe_target(url)
    tables = read_source(source)
    digest = file_sha256(source)
    with connect_target(url, where) as pg, pg.transaction():
        # the writers' turn-taking row: copies of the app running on the target wait for us
        pg.execute("UPDATE store_changes SET version = version + 1 WHERE id = 1")
        before = _counts(pg)
        _empty_target(pg, before, replace_target)
        expected = _copy_all(pg, tables)
        entry = _entry(source, digest, where, by, tables, before)
        pg.execute(*_insert_entry(entry))
        expected["user_audit_log"] += 1
        found = _counts(pg)
        if found != expected:
            wrong = ", ".join(
                f"{t} {found[t]}, not {n}" for t, n in expected.items() if found[t] != n
            )
            raise MoveRefused(f"the rows in PostgreSQL do not add up ({wrong}): rolled back")
    copied = {t: len(table.rows) for t, table in tables.items()}
    replaced = {t: n for t, n in before.items() if n}
    return Moved(source, where, copied, found, replaced, entry)


def _entry(
    source: Path,
    digest: str,
    where: str,
    by: str,
    tables: dict[str, Table],
    before: dict[str, int],
) -> audit.Entry:
    operator = User(email=by, name=by, organisation="", role=OPERATOR_ROLE)
    detail = f"from the DuckDB file {source.resolve()} to {where}"
    if any(before.values()):
        detail += "; replaced " + ", ".join(f"{t} {n}" for t, n in before.items() if n)
    return audit.entry(
        operator,
        audit.STORE_MOVE,
        audit.STORE,
        "user store",
        source.name,
        sha256=digest,
        row_count=sum(len(t.rows) for t in tables.values()),
        detail=detail,
    )


def _insert_entry(entry: audit.Entry) -> tuple[sql.Composed, list]:
    row = entry.row()
    statement = sql.SQL("INSERT INTO user_audit_log ({}) VALUES ({})").format(
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(sql.Placeholder() * len(row)),
    )
    return statement, list(row.values())


# ---------------------------------------------------------------- the command


def summary(moved: Moved) -> str:
    """What was moved, table by table, for the person running the command."""
    lines = [
        f"Moved the user store {moved.source} (schema version {LATEST})",
        f"into PostgreSQL {moved.target}, in one transaction.",
        "",
        f"  {'table':<28}{'copied':>10}{'in PostgreSQL':>15}",
    ]
    for table, copied in moved.copied.items():
        lines.append(f"  {table:<28}{copied:>10}{moved.found[table]:>15}")
    lines.append("")
    if moved.replaced:
        lines.append(
            "Replaced what the target held before (its audit log kept): "
            + ", ".join(f"{t} {n}" for t, n in moved.replaced.items())
        )
    entry = moved.entry
    lines += [
        "Every table's row count checked. The audit log records the move (one entry more):",
        f"{audit.STORE_MOVE} by {entry.actor_email}, entry {entry.entry_id}.",
        f"Point every copy of the dashboard at it: {postgres_store.ENV_VAR}=<the --to URL>.",
        f"The file {moved.source} is unchanged: keep it as a backup.",
    ]
    return "\n".join(lines)


def operator_name() -> str:
    """The operating-system user running the command (who moved the store)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown operator"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m outcomes.uploads.move_store",
        description="Move the user store from its DuckDB file into PostgreSQL "
        "(one transaction; the file is left unchanged).",
    )
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=db.USER_DB,
        help="the DuckDB user file (default: %(default)s, the file the app opens)",
    )
    parser.add_argument(
        "--to",
        dest="target",
        default=postgres_store.configured(),
        help=f"a postgresql:// URL (default: ${postgres_store.ENV_VAR})",
    )
    parser.add_argument(
        "--by",
        default=operator_name(),
        help="who moves it, for the audit log (default: %(default)s)",
    )
    parser.add_argument(
        "--replace-target",
        action="store_true",
        help="replace user data the target holds already (its audit log is kept)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the move; 0 when moved, 1 (with a plain message) when not."""
    args = parse(argv)
    if not args.target:
        where = f"--to postgresql://... (or set {postgres_store.ENV_VAR})"
        print(f"move_store: say where to move the store: {where}", file=sys.stderr)
        return 1
    try:
        moved = move(args.source, args.target, by=args.by, replace_target=args.replace_target)
    except MoveRefused as exc:
        print(f"move_store: not moved: {exc}", file=sys.stderr)
        return 1
    except (psycopg.Error, duckdb.Error, OSError) as exc:
        print(f"move_store: not moved, nothing was written: {_first_line(exc)}", file=sys.stderr)
        return 1
    print(summary(moved))
    return 0


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


if __name__ == "__main__":
    sys.exit(main())
