"""Build `data/outcomes.duckdb` from the bundled raw files: `python -m transforms.run`.

Layers run in order (raw -> staging -> intermediate -> marts); within a layer, files run in
dependency order. Only the marts (with the seeds, the macros and build_info) are written to the
database file; the other layers are TEMP tables unless `--keep-intermediate` asks for them.
The build writes a temporary file; only when every data contract has passed does it become a
versioned snapshot, `data/snapshots/outcomes-<UTC time>-<input id>.duckdb`, and
`data/outcomes.duckdb` a symbolic link to it, replaced in one atomic rename. A failed or
interrupted build leaves the current snapshot untouched; running apps notice the new link and
switch to it (`outcomes.db`).

Old snapshots are pruned by one rule (`prune_snapshots`): the newest `KEEP_SNAPSHOTS` and the
current one are always kept; an older one is deleted only when no process on this machine has
it open (an app keeps the snapshot it serves and the one before attached).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from transforms import catalogue, graph, storage
from transforms.contracts import CONTRACTS, check_contracts
from transforms.raw import BuildError, load_raw_file
from transforms.sources import RAW_FILES

TRANSFORMS_DIR = graph.TRANSFORMS_DIR
PROJECT_DIR = TRANSFORMS_DIR.parent
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
SEEDS_DIR = graph.SEEDS_DIR
SEED_TABLES = graph.SEED_TABLES
SNAPSHOTS = "snapshots"  # folder beside the database link
KEEP_SNAPSHOTS = 3  # the newest snapshots always kept (the current one is kept too)


def _load_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """The indicator catalogue and the reference tables, before the macros that read them."""
    try:
        rows = catalogue.catalogue_rows()
    except catalogue.CatalogueError as exc:
        raise BuildError(str(exc)) from exc
    frame = pd.DataFrame(rows, columns=catalogue.CATALOGUE_COLUMNS)
    con.register("_catalogue", frame)
    con.execute("CREATE OR REPLACE TABLE seed_indicator_catalogue AS SELECT * FROM _catalogue")
    con.unregister("_catalogue")
    # Exact Poisson limits for counts below 10 (DuckDB has no chi-square quantile); a test
    # checks the file against outcomes.stats.
    con.execute(
        "CREATE OR REPLACE TABLE ref_exact_poisson_limits AS SELECT CAST(count AS INTEGER) AS "
        "count, CAST(confidence AS DOUBLE) AS confidence, CAST(lower AS DOUBLE) AS lower, "
        "CAST(upper AS DOUBLE) AS upper FROM read_csv(?, header = true, all_varchar = true)",
        [str(SEEDS_DIR / "exact_poisson_limits.csv")],
    )


def install_sql_functions(
    con: duckdb.DuckDBPyConnection, names: list[str] | None = None, done: set[str] | None = None
) -> None:
    """Create macros (default: all of macros.sql and values_macros.sql, in file order) on a
    connection that holds the tables they read. DuckDB binds a macro's tables when it is
    created, so the build creates each one just before the first model that calls it.
    They are stored in the database, so the app uses them as built."""
    done = set() if done is None else done
    statements = graph.macro_statements()
    wanted = set(statements if names is None else names)
    for name in statements:  # file order: a macro after the macros it calls
        if name in wanted and name not in done:
            con.execute(statements[name])
            done.add(name)


def _run_models(
    con: duckdb.DuckDBPyConnection, progress: Callable[[str], None], keep_intermediate: bool
) -> None:
    tables = {raw.table for raw in RAW_FILES} | SEED_TABLES
    try:
        ordered = graph.build_order(tables)
    except graph.GraphError as exc:
        raise BuildError(str(exc)) from exc
    installed: set[str] = set()
    plan = storage.plan(ordered, tables, [sql for _, sql in CONTRACTS], keep_intermediate)
    # A model's rows need no particular order unless its SQL says ORDER BY (the published
    # marts do, and keep it); not preserving the order of the others lets DuckDB write them
    # in parallel with less memory.
    con.execute("SET preserve_insertion_order = false")
    for model in ordered:
        t0, cpu0 = time.perf_counter(), _cpu_seconds()
        try:
            install_sql_functions(con, graph.macros_called(model.code), installed)
            kind = plan.kind(model.name)
            con.execute(f"CREATE OR REPLACE {kind} {model.name} AS ({model.sql})")
            for statement in plan.drop_statements(model.name):
                con.execute(statement)
        except duckdb.Error as exc:
            raise BuildError(f"{model.layer}/{model.name}.sql: {exc}") from exc
        if kind == storage.TEMP_VIEW:  # computed by the model that reads it
            progress(f"{model.layer:<12} {model.name:<42} {'view':>9}      {_timing(t0, cpu0)}")
            continue
        rows = con.execute(f"SELECT count(*) FROM {model.name}").fetchall()[0][0]
        progress(f"{model.layer:<12} {model.name:<42} {rows:>9,} rows {_timing(t0, cpu0)}")
    con.execute("SET preserve_insertion_order = true")
    install_sql_functions(con, done=installed)  # the macros only the app calls


def _cpu_seconds() -> float:
    """CPU time of this process so far (DuckDB's threads included); 0 where unknown."""
    try:
        import resource  # POSIX only
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timing(wall0: float, cpu0: float) -> str:
    """'<cpu>s cpu <wall>s' since the given start: the CPU time shows the work done even
    when the machine is busy with other things (the wall time then grows)."""
    return f"{_cpu_seconds() - cpu0:5.1f}s cpu {time.perf_counter() - wall0:5.1f}s"


def remove_stale_builds(db_path: Path, progress: Callable[[str], None] = print) -> list[Path]:
    """Delete what killed builds left beside `db_path` (`<name>.tmp-<pid>` and its .wal,
    some 180 MB each): files of builds whose process no longer exists. A running build's
    file is kept. Returns the files removed."""
    removed = []
    pattern = re.compile(re.escape(db_path.name) + r"\.tmp-(\d+)(\.wal)?")
    for path in sorted(db_path.parent.glob(f"{db_path.name}.tmp-*")):
        match = pattern.fullmatch(path.name)
        if match and not _process_exists(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
            progress(f"removed {path.name}, left by a build that was stopped")
    return removed


def _process_exists(pid: int) -> bool:
    """Whether a process with this id may be running (signal 0 checks without sending; on
    Windows, where it would not, every file is kept)."""
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or an id the system cannot check: keep it
    return True


def build(
    data_dir: Path = DEFAULT_DATA_DIR,
    db_path: Path | None = None,
    progress: Callable[[str], None] = print,
    keep_intermediate: bool = False,
) -> Path:
    """Build the database from `data_dir`/raw into a new snapshot, point `db_path` at it
    atomically and prune old snapshots; return `db_path`. With `keep_intermediate` the
    snapshot also holds the raw_, stg_ and int_ tables (for inspection and tests)."""
    data_dir = Path(data_dir)
    db_path = Path(db_path) if db_path else data_dir / "outcomes.duckdb"
    tmp_path = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    remove_stale_builds(db_path, progress)
    tmp_path.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(tmp_path))
    try:
        built_at = _build_into(con, data_dir, progress, started, keep_intermediate)
        con.close()
        snapshot = _snapshot_path(db_path, built_at, input_id(data_dir))
        os.replace(tmp_path, snapshot)
    except BaseException:
        con.close()
        tmp_path.unlink(missing_ok=True)
        Path(f"{tmp_path}.wal").unlink(missing_ok=True)
        raise
    publish(db_path, snapshot)
    progress(f"built {db_path} in {time.perf_counter() - started:.1f}s (snapshot {snapshot.name})")
    prune_snapshots(db_path, progress=progress)
    return db_path


def _build_into(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    progress: Callable[[str], None],
    started: float,
    keep_intermediate: bool = False,
) -> datetime:
    """Every layer, the contracts and build_info into `con`; return the build time."""
    _load_seeds(con)
    for raw in RAW_FILES:
        t0, cpu0 = time.perf_counter(), _cpu_seconds()
        rows = load_raw_file(con, raw, data_dir, temporary=not keep_intermediate)
        progress(f"raw          {raw.table:<42} {rows:>9,} rows {_timing(t0, cpu0)}")
    _run_models(con, progress, keep_intermediate)
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    failures = check_contracts(con)
    if failures:
        raise BuildError("data contracts failed:\n  - " + "\n  - ".join(failures))
    progress(f"contracts    all passed {_timing(t0, cpu0)}")
    built_at = datetime.now(UTC).replace(microsecond=0)
    con.execute(
        "CREATE OR REPLACE TABLE build_info AS SELECT ? AS built_at, ? AS build_seconds, "
        "? AS duckdb_version",
        [
            built_at.isoformat(timespec="seconds"),
            round(time.perf_counter() - started, 1),
            duckdb.__version__,
        ],
    )
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    con.execute("CHECKPOINT")
    progress(f"checkpoint   {_timing(t0, cpu0)}")
    return built_at


# ------------------------------------------------------------------ snapshots


def input_id(data_dir: Path) -> str:
    """A short id of everything the build reads (each declared raw file and the transforms'
    SQL, TOML and seeds): two snapshots with the same id were built from the same inputs."""
    digest = hashlib.sha256()
    files = [(raw.path, data_dir / raw.path) for raw in RAW_FILES]
    files += [
        (str(p.relative_to(TRANSFORMS_DIR)), p)
        for p in sorted(TRANSFORMS_DIR.rglob("*"))
        if p.suffix in (".sql", ".toml", ".csv", ".py") and "__pycache__" not in p.parts
    ]
    for name, path in files:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def snapshots_of(db_path: Path) -> list[Path]:
    """The snapshots `db_path` may point at, oldest first (names sort by build time)."""
    return sorted((db_path.parent / SNAPSHOTS).glob(f"{db_path.stem}-*.duckdb"))


def _snapshot_path(db_path: Path, built_at: datetime, content: str) -> Path:
    folder = db_path.parent / SNAPSHOTS
    folder.mkdir(exist_ok=True)
    stem = f"{db_path.stem}-{built_at:%Y%m%dT%H%M%SZ}-{content}"
    path, copy = folder / f"{stem}.duckdb", 1
    while path.exists():  # two builds of the same inputs in the same second
        copy += 1
        path = folder / f"{stem}-{copy}.duckdb"
    return path


def publish(db_path: Path, snapshot: Path) -> None:
    """Make `db_path` a symbolic link to `snapshot` in one atomic rename: a reader sees the
    old snapshot or the new one, never a missing or half-written file. Where symbolic links
    cannot be made (Windows without the privilege), the snapshot file replaces `db_path`."""
    link = db_path.with_name(f".{db_path.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    try:
        os.symlink(os.path.relpath(snapshot, db_path.parent), link)
    except OSError:
        os.replace(snapshot, db_path)
        return
    os.replace(link, db_path)


def prune_snapshots(
    db_path: Path, keep: int = KEEP_SNAPSHOTS, progress: Callable[[str], None] = print
) -> list[Path]:
    """Delete old snapshots by the rule: the newest `keep` and the one `db_path` points at
    are kept; an older one is deleted only if no process on this machine has it open (an app
    keeps the snapshot it serves and the one before attached). Returns the files deleted."""
    current = os.path.realpath(db_path)
    older = [p for p in snapshots_of(db_path)[: -max(keep, 1)] if os.path.realpath(p) != current]
    if not older:
        return []
    in_use = open_files()
    removed = []
    for path in older:
        if os.path.realpath(path) in in_use:
            progress(f"kept {path.name}: a process still has it open")
            continue
        try:
            path.unlink()
        except OSError:  # e.g. Windows refuses to delete a file that is open
            continue
        Path(f"{path}.wal").unlink(missing_ok=True)
        removed.append(path)
        progress(f"removed {path.name}, an old snapshot")
    return removed


def open_files() -> set[str]:
    """The files that processes of this machine visible to this user have open (from
    Linux's /proc; empty elsewhere, where the `keep` newest snapshots are the safeguard)."""
    found: set[str] = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            entries = list(fd_dir.iterdir())
        except OSError:  # the process ended, or belongs to another user
            continue
        for entry in entries:
            try:
                found.add(os.readlink(entry))
            except OSError:
                continue
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--db", type=Path, default=None, help="output (default data/outcomes.duckdb)"
    )
    parser.add_argument("--if-missing", action="store_true", help="build only if no database yet")
    parser.add_argument(
        "--keep-intermediate",
        action="store_true",
        help="keep the raw_, stg_ and int_ tables in the database (to inspect each step)",
    )
    args = parser.parse_args(argv)
    target = args.db or args.data_dir / "outcomes.duckdb"
    if args.if_missing and target.exists():
        print(f"{target} exists; not rebuilding (run without --if-missing to rebuild)")
        return 0
    try:
        build(args.data_dir, target, keep_intermediate=args.keep_intermediate)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
