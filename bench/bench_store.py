"""Benchmark the shared store's mirror: how long a copy of the app takes to catch up after a
change made through another copy (README, "Running several copies").

    python -m bench.bench_store [--runs 7] [--db data/outcomes.duckdb] [--port 8762]

A throw-away PostgreSQL cluster (Debian's package) holds a store with 8 models (two for each
of four boroughs, their real LSOAs in halves and thirds) and 4 partner datasets (synthetic
counts: a made-up booked/missed appointments file per borough, two months). Two app
connections share it, as two copies of the app do. Medians over N runs of the time the second
takes to bring its mirror up to date (`postgres_store.sync`) after the first (a) changes a
setting, (b) replaces a model (which re-aggregates the borough's dataset onto it), (c) replaces
a dataset; and (d) a reload of every mirrored table: wall time, and the CPU time of the app's
process (PostgreSQL's own is not counted). Prints a table and writes JSON to
bench/results/ (git-ignored). Timings are for people to read; no test asserts them.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.results import write_result
from deploy.replicas import PostgresCluster
from outcomes import db, identity
from outcomes.uploads import datasets, models, postgres_store, storage

PROJECT_DIR = Path(__file__).resolve().parents[1]
BOROUGHS = ("E08000009", "E08000010", "E08000034", "E07000093")
USER = identity.User("bench@council.example", "Bench", "Council", "analyst")


def _lsoas(cur, lad_code: str) -> list[str]:
    found = cur.execute(
        "SELECT lsoa21_code FROM lsoa_geography WHERE lad_code = ? ORDER BY 1", [lad_code]
    ).fetchall()
    return [r[0] for r in found]


def _model(cur, lad_code: str, parts: int, name: str) -> str:
    rows = "".join(f"{c},Part {i % parts}\n" for i, c in enumerate(_lsoas(cur, lad_code)))
    data = ("lsoa_code,neighbourhood\n" + rows).encode()
    return models.save_model(
        cur, models.validate_model(cur, data, lad_code), name, "m.csv", user=USER
    )


def _dataset(cur, lad_code: str, seed: int, replace: bool = False) -> str:
    """synthetic: made-up appointment counts for every LSOA of a borough, two months."""
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["lsoa_code", "period", "measure", "count"])
    for month in ("2025-01", "2025-02"):
        for code in _lsoas(cur, lad_code):
            booked = int(rng.integers(20, 260))
            writer.writerow([code, month, "appointments_booked", booked])
            writer.writerow([code, month, "appointments_missed", int(rng.binomial(booked, 0.05))])
    dataset = datasets.validate_dataset(cur, out.getvalue().encode(), lad_code)
    return datasets.save_dataset(
        cur, dataset, "Clinic (synthetic)", user=USER, source_file="c.csv", replace=replace
    )


def _fill(cur) -> None:
    for lad_code in BOROUGHS:
        _model(cur, lad_code, 2, "Halves")
        _model(cur, lad_code, 3, "Thirds")
        _dataset(cur, lad_code, seed=1)


def _timed(step: Callable[[], object]) -> tuple[float, float]:
    """Wall time and this process's CPU time (DuckDB's threads included) of one step."""
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - wall, time.process_time() - cpu


def _catch_up(there, change: Callable[[], None], runs: int) -> list[tuple[float, float]]:
    times = []
    for _ in range(runs):
        change()
        times.append(_timed(lambda: postgres_store.sync(there, force=True)))
    return times


def _full_reload(there, runs: int) -> list[tuple[float, float]]:
    backend = postgres_store.mirror_of(there)[0]
    return [_timed(lambda: postgres_store._reload(there, backend)) for _ in range(runs)]


def measure(public_db: Path, url: str, runs: int) -> dict[str, list[tuple[float, float]]]:
    os.environ[postgres_store.ENV_VAR] = url
    folder = Path(tempfile.mkdtemp(prefix="bench-store-"))
    here = db.cursor(db.open_database(public_db, folder / "a.duckdb"))
    there = db.cursor(db.open_database(public_db, folder / "b.duckdb"))
    _fill(here)
    postgres_store.sync(there, force=True)
    counter = iter(range(10**6))
    store = storage.store_for(here)
    return {
        "setting changed": _catch_up(
            there, lambda: store.set_setting("bench", str(next(counter))), runs
        ),
        "model replaced": _catch_up(there, lambda: _model(here, BOROUGHS[0], 2, "Halves"), runs),
        "dataset replaced": _catch_up(
            there, lambda: _dataset(here, BOROUGHS[1], next(counter), replace=True), runs
        ),
        "every table reloaded": _full_reload(there, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, default=PROJECT_DIR / "data" / "outcomes.duckdb")
    parser.add_argument("--port", type=int, default=0, help="the throw-away cluster's port")
    args = parser.parse_args()
    cluster = PostgresCluster(durable=False, port=args.port).start()
    try:
        times = measure(args.db, cluster.create_database("bench_store"), args.runs)
        backend = next(iter(postgres_store._BACKENDS.values()))
        with backend.pool.connection() as pg:
            sizes = {
                t: pg.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in postgres_store.MIRRORED
            }
        postgres_store.close_all()
    finally:
        cluster.stop()
    medians = {
        name: {
            "wall": statistics.median(w for w, _ in t),
            "cpu": statistics.median(c for _, c in t),
        }
        for name, t in times.items()
    }
    print(f"mirror rows: {sizes}; load average {os.getloadavg()[0]:.1f}")
    for name, value in medians.items():
        print(
            f"{name:<22} median {value['wall'] * 1000:7.1f} ms wall, "
            f"{value['cpu'] * 1000:7.1f} ms CPU over {args.runs} runs"
        )
    result = {"runs": args.runs, "rows": sizes, "seconds": times, "median_seconds": medians}
    write_result("store", PROJECT_DIR / "bench" / "results", result, datetime.now(UTC))


if __name__ == "__main__":
    main()
