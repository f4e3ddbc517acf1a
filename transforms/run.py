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

from transforms.contracts import check_contracts
from transforms.raw import BuildError, load_raw_file
from transforms.registry import RAW_FILES, catalogue_rows

TRANSFORMS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TRANSFORMS_DIR.parent
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
LAYERS = ("staging", "intermediate", "marts")
# Tables a SQL file may reach through a {{ token }}; the app substitutes a user's own model.
DEFAULT_TOKENS = {
    "neighbourhood_models": "int_neighbourhood_models",
    "area_sums": "int_area_sums",
}
_TOKEN = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_COMMENT = re.compile(r"--[^\n]*")


def render(sql: str, tokens: dict[str, str] | None = None) -> str:
    """Replace `{{ name }}` tokens with table names (defaults: the shipped tables)."""
    table_for = {**DEFAULT_TOKENS, **(tokens or {})}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in table_for:
            raise BuildError(f"unknown template token {{{{ {name} }}}}")
        return table_for[name]

    return _TOKEN.sub(replace, sql)


def sql_file(layer: str, name: str) -> str:
    """The text of one transform file, e.g. sql_file('marts', 'indicator_values')."""
    return (TRANSFORMS_DIR / layer / f"{name}.sql").read_text(encoding="utf-8")


def ordered_models(layer: str) -> list[tuple[str, str]]:
    """(table name, rendered SQL) of a layer, each after the tables of that layer it reads."""
    models = {
        p.stem: render(p.read_text(encoding="utf-8"))
        for p in sorted((TRANSFORMS_DIR / layer).glob("*.sql"))
    }
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise BuildError(f"{layer}/{name}.sql: circular reference between transforms")
        visiting.add(name)
        code = _COMMENT.sub("", models[name])  # a table named in a comment is no dependency
        for other in models:
            if other != name and re.search(rf"\b{other}\b", code):
                visit(other)
        visiting.discard(name)
        ordered.append(name)

    for name in models:
        visit(name)
    return [(name, models[name]) for name in ordered]


def install_sql_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Create the CI macros (and the exact Poisson table they read) on a connection."""
    from outcomes.stats import exact_poisson_limits_table

    limits = pd.DataFrame(
        exact_poisson_limits_table(), columns=["count", "confidence", "lower", "upper"]
    )
    con.register("_limits", limits)
    con.execute(
        "CREATE OR REPLACE TABLE ref_exact_poisson_limits AS "
        "SELECT CAST(count AS INTEGER) AS count, CAST(confidence AS DOUBLE) AS confidence, "
        "CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper FROM _limits"
    )
    con.unregister("_limits")
    for name in ("macros.sql", "values_macros.sql"):
        con.execute((TRANSFORMS_DIR / name).read_text(encoding="utf-8"))


def _load_seeds(con: duckdb.DuckDBPyConnection) -> None:
    catalogue = pd.DataFrame(catalogue_rows())
    con.register("_catalogue", catalogue)
    con.execute("CREATE OR REPLACE TABLE seed_indicator_catalogue AS SELECT * FROM _catalogue")
    con.unregister("_catalogue")


def build(
    data_dir: Path = DEFAULT_DATA_DIR,
    db_path: Path | None = None,
    progress: Callable[[str], None] = print,
) -> Path:
    """Build the database from `data_dir`/raw and swap it in atomically; return its path."""
    data_dir = Path(data_dir)
    db_path = Path(db_path) if db_path else data_dir / "outcomes.duckdb"
    tmp_path = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    tmp_path.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(tmp_path))
    try:
        install_sql_functions(con)
        _load_seeds(con)
        for raw in RAW_FILES:
            t0 = time.perf_counter()
            rows = load_raw_file(con, raw, data_dir)
            progress(
                f"raw          {raw.table:<42} {rows:>9,} rows {time.perf_counter() - t0:5.1f}s"
            )
        for layer in LAYERS:
            for name, sql in ordered_models(layer):
                t0 = time.perf_counter()
                try:
                    con.execute(f"CREATE OR REPLACE TABLE {name} AS ({sql})")
                except duckdb.Error as exc:
                    raise BuildError(f"{layer}/{name}.sql: {exc}") from exc
                rows = con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
                progress(f"{layer:<12} {name:<42} {rows:>9,} rows {time.perf_counter() - t0:5.1f}s")
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
