"""Benchmark the build against DuckDB ingesting every raw file the build reads.

    python -m bench.bench_build [--runs 3] [--data-dir data] [--out bench/results]

For each of N runs (default 3) it times, side by side:

(a) the ingest: every raw file declared in transforms/raw_files/*.toml (transforms/sources.py)
    loaded by DuckDB into a table of a database file, as a plain load would: CSV and CSV.gz
    with `read_csv` (types detected), GeoJSON with `read_json` (one row per feature, its
    properties and geometry), then a CHECKPOINT;
(b) the full build (`transforms.run.build`) into a temporary folder.

Each is measured as wall time and CPU time (user + system of this process, DuckDB's threads
included), with the machine's load average before each, because the machine is shared. It
prints the medians, the ratio build / ingest, the per-model timings of the last build, and the
database's size with what drives it (rows, DuckDB's estimated size and the storage blocks of
each table). Results are written as JSON to bench/results/ (gitignored). Timings are for people
to read; no test asserts them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench.results import write_result
from transforms.raw import quote_ident
from transforms.run import DEFAULT_DATA_DIR, PROJECT_DIR, build
from transforms.sources import RAW_FILES, RawFile

RESULTS_DIR = PROJECT_DIR / "bench" / "results"
TOP_TABLES = 12  # tables listed by size


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(work) -> tuple[float, float, object]:
    """Wall and CPU seconds of `work()`, and its result."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    result = work()
    return time.perf_counter() - wall, _cpu_seconds() - cpu, result


def _ingest_sql(raw: RawFile, path: Path) -> tuple[str, list]:
    table = quote_ident(raw.table)
    if raw.kind == "csv":
        return (
            f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, delim = ',', "
            "quote = '\"', escape = '\"')",
            [str(path)],
        )
    return (
        f"CREATE TABLE {table} AS SELECT unnest(f.properties), "
        "to_json(f.geometry) AS geometry FROM ("
        "SELECT unnest(features) AS f FROM read_json(?, maximum_object_size = 1000000000))",
        [str(path)],
    )


def ingest(data_dir: Path, db_path: Path) -> dict[str, int]:
    """Load every declared raw file into `db_path`; return the rows of each table."""
    counts: dict[str, int] = {}
    with duckdb.connect(str(db_path)) as con:
        for raw in RAW_FILES:
            sql, params = _ingest_sql(raw, data_dir / raw.path)
            con.execute(sql, params)
            counts[raw.table] = con.execute(
                f"SELECT count(*) FROM {quote_ident(raw.table)}"
            ).fetchall()[0][0]
        con.execute("CHECKPOINT")
    return counts


def table_sizes(db_path: Path) -> dict[str, object]:
    """The file's size and, per table, rows, DuckDB's estimate and the blocks it stores in."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchall()[0][0]
        tables = con.execute(
            "SELECT table_name, estimated_size FROM duckdb_tables() "
            "WHERE database_name = current_database() ORDER BY table_name"
        ).fetchall()
        rows = []
        for name, estimated in tables:
            count = con.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchall()[0][0]
            blocks = con.execute(
                "SELECT count(DISTINCT b) FROM (SELECT unnest(list_prepend(block_id, "
                "additional_block_ids)) AS b FROM pragma_storage_info(?) WHERE block_id >= 0)",
                [name],
            ).fetchall()[0][0]
            rows.append(
                {
                    "table": name,
                    "rows": count,
                    "estimated_bytes": estimated,
                    "stored_bytes": blocks * block_size,
                }
            )
    rows.sort(key=lambda r: r["stored_bytes"], reverse=True)
    return {"file_bytes": os.path.getsize(db_path), "tables": rows}


def _load() -> float:
    return os.getloadavg()[0]


def _run_once(data_dir: Path, tmp: Path, run: int, log: list[str]) -> dict[str, float]:
    load = _load()
    ingest_db = tmp / f"ingest-{run}.duckdb"
    ingest_wall, ingest_cpu, _ = _measure(lambda: ingest(data_dir, ingest_db))
    ingest_db.unlink()
    log.clear()
    out = tmp / f"build-{run}" / "outcomes.duckdb"
    out.parent.mkdir()
    build_wall, build_cpu, _ = _measure(lambda: build(data_dir, out, progress=log.append))
    print(
        f"run {run}: load {load:4.2f}  ingest {ingest_wall:6.2f}s wall {ingest_cpu:6.2f}s cpu"
        f"   build {build_wall:6.2f}s wall {build_cpu:6.2f}s cpu",
        flush=True,
    )
    return {
        "load_1min": load,
        "ingest_wall": ingest_wall,
        "ingest_cpu": ingest_cpu,
        "build_wall": build_wall,
        "build_cpu": build_cpu,
    }


def _print_sizes(sizes: dict[str, object]) -> None:
    total = sizes["file_bytes"]
    print(f"database file {total / 2**20:7.1f} MiB; largest tables by stored blocks:")
    for row in sizes["tables"][:TOP_TABLES]:
        print(
            f"  {row['table']:<42} {row['rows']:>10,} rows {row['stored_bytes'] / 2**20:7.1f} MiB"
            f" ({row['stored_bytes'] / total:5.1%})  est. {row['estimated_bytes'] / 2**20:7.1f} MiB"
        )


def _slowest_steps(log: list[str], count: int = 10) -> list[str]:
    timed = [line for line in log if line.rstrip().endswith("s") and "rows" in line]
    return sorted(timed, key=lambda line: float(line.split()[-1].rstrip("s")), reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON")
    parser.add_argument(
        "--keep-build", type=Path, default=None, help="copy the last build here (to compare)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    runs: list[dict[str, float]] = []
    log: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_build_") as tmp:
        for run in range(1, args.runs + 1):
            runs.append(_run_once(args.data_dir, Path(tmp), run, log))
        counts = ingest(args.data_dir, Path(tmp) / "counts.duckdb")
        last = Path(tmp) / f"build-{args.runs}" / "outcomes.duckdb"
        sizes = table_sizes(last)
        if args.keep_build:
            shutil.copyfile(last, args.keep_build)
    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    ratio = medians["build_wall"] / medians["ingest_wall"]
    print(f"median ingest   {medians['ingest_wall']:6.2f}s wall {medians['ingest_cpu']:6.2f}s cpu")
    print(f"  ({len(counts)} raw files, {sum(counts.values()):,} rows)")
    print(f"median build    {medians['build_wall']:6.2f}s wall {medians['build_cpu']:6.2f}s cpu")
    cpu_ratio = medians["build_cpu"] / medians["ingest_cpu"]
    print(f"build / ingest  {ratio:6.1f}x wall, {cpu_ratio:.1f}x cpu")
    print("slowest steps of the last build:")
    for line in _slowest_steps(log):
        print("  " + line)
    _print_sizes(sizes)

    stamp = datetime.now(UTC)
    result = {
        "benchmark": "bench_build",
        "timestamp": stamp.isoformat(timespec="seconds"),
        "runs": runs,
        "medians": medians,
        "build_to_ingest_ratio": ratio,
        "ingest_rows": counts,
        "last_build_log": log,
        "database": sizes,
        "data_dir": str(args.data_dir),
    }
    write_result("bench_build", args.out, result, stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
