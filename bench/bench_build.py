"""Benchmark the build against a plain DuckDB scan of the same raw files.

    python -m bench.bench_build [--runs 3] [--data-dir data] [--out bench/results]

For each of N runs (default 3) it times (a) the full build (`transforms.run.build`) into a
temporary file and (b) a raw scan: `SELECT count(*) FROM read_csv(...)` of every raw CSV the
build declares (transforms/sources.py), each on a fresh in-memory connection. It prints the
medians and their ratio (build / scan) and writes them as JSON to bench/results/ (gitignored).
Timings are for people to read; no test asserts them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench.results import write_result
from transforms.run import DEFAULT_DATA_DIR, PROJECT_DIR, build
from transforms.sources import RAW_FILES

RESULTS_DIR = PROJECT_DIR / "bench" / "results"


def time_build(data_dir: Path) -> float:
    """Seconds for one full build into a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="bench_build_") as tmp:
        started = time.perf_counter()
        build(data_dir, Path(tmp) / "outcomes.duckdb", progress=lambda _: None)
        return time.perf_counter() - started


def time_scan(data_dir: Path) -> tuple[float, dict[str, int]]:
    """Seconds to count the rows of every declared raw CSV with DuckDB, and the counts."""
    counts: dict[str, int] = {}
    started = time.perf_counter()
    for raw in RAW_FILES:
        if raw.kind != "csv":
            continue
        with duckdb.connect() as con:
            rows = con.execute(
                "SELECT count(*) FROM read_csv(?, header = true, all_varchar = true, "
                "delim = ',', quote = '\"', escape = '\"')",
                [str(data_dir / raw.path)],
            ).fetchall()
        counts[raw.path] = rows[0][0]
    return time.perf_counter() - started, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    build_times, scan_times = [], []
    counts: dict[str, int] = {}
    for run in range(1, args.runs + 1):
        build_times.append(time_build(args.data_dir))
        scan_seconds, counts = time_scan(args.data_dir)
        scan_times.append(scan_seconds)
        print(f"run {run}: build {build_times[-1]:6.2f}s   raw scan {scan_seconds:6.3f}s")
    build_median = statistics.median(build_times)
    scan_median = statistics.median(scan_times)
    ratio = build_median / scan_median
    print(f"median build    {build_median:6.2f}s")
    rows = sum(counts.values())
    print(f"median raw scan {scan_median:6.3f}s ({len(counts)} CSV files, {rows:,} rows)")
    print(f"build / scan    {ratio:6.1f}x")

    stamp = datetime.now(UTC)
    result = {
        "benchmark": "bench_build",
        "timestamp": stamp.isoformat(timespec="seconds"),
        "runs": args.runs,
        "build_seconds": build_times,
        "scan_seconds": scan_times,
        "build_median_seconds": build_median,
        "scan_median_seconds": scan_median,
        "build_to_scan_ratio": ratio,
        "scan_rows": counts,
        "data_dir": str(args.data_dir),
    }
    write_result("bench_build", args.out, result, stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
