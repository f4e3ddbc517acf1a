"""Build `data/outcomes.duckdb` from the bundled raw files: `python -m transforms.run`.

Layers run in order (raw -> staging -> intermediate -> marts); within a layer, files run in
dependency order. The build writes a temporary file and swaps it in only when every data
contract has passed, so a failed or interrupted build leaves the previous database untouched.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from transforms import catalogue, graph
from transforms.contracts import check_contracts
from transforms.raw import BuildError, load_raw_file
from transforms.sources import RAW_FILES

TRANSFORMS_DIR = graph.TRANSFORMS_DIR
PROJECT_DIR = TRANSFORMS_DIR.parent
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
SEEDS_DIR = graph.SEEDS_DIR
SEED_TABLES = graph.SEED_TABLES


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


def _run_models(con: duckdb.DuckDBPyConnection, progress: Callable[[str], None]) -> None:
    tables = {raw.table for raw in RAW_FILES} | SEED_TABLES
    try:
        ordered = graph.build_order(tables)
    except graph.GraphError as exc:
        raise BuildError(str(exc)) from exc
    installed: set[str] = set()
    for model in ordered:
        t0 = time.perf_counter()
        try:
            install_sql_functions(con, graph.macros_called(model.code), installed)
            con.execute(f"CREATE OR REPLACE TABLE {model.name} AS ({model.sql})")
        except duckdb.Error as exc:
            raise BuildError(f"{model.layer}/{model.name}.sql: {exc}") from exc
        rows = con.execute(f"SELECT count(*) FROM {model.name}").fetchall()[0][0]
        progress(
            f"{model.layer:<12} {model.name:<42} {rows:>9,} rows {time.perf_counter() - t0:5.1f}s"
        )
    install_sql_functions(con, done=installed)  # the macros only the app calls


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
) -> Path:
    """Build the database from `data_dir`/raw and swap it in atomically; return its path."""
    data_dir = Path(data_dir)
    db_path = Path(db_path) if db_path else data_dir / "outcomes.duckdb"
    tmp_path = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    remove_stale_builds(db_path, progress)
    tmp_path.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(tmp_path))
    try:
        _load_seeds(con)
        for raw in RAW_FILES:
            t0 = time.perf_counter()
            rows = load_raw_file(con, raw, data_dir)
            progress(
                f"raw          {raw.table:<42} {rows:>9,} rows {time.perf_counter() - t0:5.1f}s"
            )
        _run_models(con, progress)
        failures = check_contracts(con)
        if failures:
            raise BuildError("data contracts failed:\n  - " + "\n  - ".join(failures))
        progress("contracts    all passed")
        seconds = time.perf_counter() - started
        con.execute(
            "CREATE OR REPLACE TABLE build_info AS SELECT ? AS built_at, ? AS build_seconds, "
            "? AS duckdb_version",
            [
                datetime.now(UTC).isoformat(timespec="seconds"),
                round(seconds, 1),
                duckdb.__version__,
            ],
        )
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp_path, db_path)
        progress(f"built {db_path} in {seconds:.1f}s")
        return db_path
    except BaseException:
        con.close()
        tmp_path.unlink(missing_ok=True)
        Path(f"{tmp_path}.wal").unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--db", type=Path, default=None, help="output (default data/outcomes.duckdb)"
    )
    parser.add_argument("--if-missing", action="store_true", help="build only if no database yet")
    args = parser.parse_args(argv)
    target = args.db or args.data_dir / "outcomes.duckdb"
    if args.if_missing and target.exists():
        print(f"{target} exists; not rebuilding (run without --if-missing to rebuild)")
        return 0
    try:
        build(args.data_dir, target)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
