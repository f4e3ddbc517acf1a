"""Benchmark custom neighbourhood models and the main page.

    python -m bench.bench_models [--runs 5] [--db data/outcomes.duckdb] [--out bench/results]

Medians over N runs (default 5) of:
  (a) validating and saving a council's model for Trafford (its 139 LSOAs in the 4 real
      localities; each run replaces the previous one, as a re-upload does);
  (b) re-aggregating every indicator for a model covering all of England (each of the 33,755
      LSOAs grouped by its MSOA) with the public build's neighbourhood_indicator_values macro on a
      registered membership frame, materialised into a temporary table;
  (c) the server-side time of the main page (dashboard.py's default page, in AppTest): cold
      (empty Streamlit caches, fresh connection), warm in a new session (caches filled), and a
      warm rerun in the same session.
Uses the built public database read-only and a throw-away user database. Prints a table and
writes JSON to bench/results/ (gitignored). Timings are for people to read; no test asserts them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from bench.results import write_result
from outcomes import db, identity
from outcomes.uploads import models

PROJECT_DIR = Path(__file__).resolve().parents[1]
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
LOCALITIES_CSV = (
    PROJECT_DIR / "data/raw/geography/trafford_localities/trafford_lsoa21_to_locality.csv"
)
TRAFFORD = "E08000009"


def _median(times: list[float]) -> float:
    return statistics.median(times)


def _runs(n: int, once: Callable[[], float]) -> list[float]:
    return [once() for _ in range(n)]


def bench_save(con: duckdb.DuckDBPyConnection, runs: int) -> dict:
    """(a) validate + save Trafford's localities as a user model."""
    frame = pd.read_csv(LOCALITIES_CSV, dtype=str)
    data = (
        frame.rename(columns={"lsoa21cd": "lsoa_code", "locality_2023": "neighbourhood"})[
            ["lsoa_code", "neighbourhood"]
        ]
        .to_csv(index=False)
        .encode("utf-8")
    )

    def once() -> float:
        started = time.perf_counter()
        model = models.validate_model(con, data, TRAFFORD)
        models.save_model(
            con, model, "Bench Trafford localities", "bench.csv", user=identity.local_user()
        )
        return time.perf_counter() - started

    times = _runs(runs, once)
    rows = con.execute("SELECT count(*) FROM usr.user_indicator_values").fetchall()[0][0]
    return {"seconds": times, "median": _median(times), "lsoas": len(frame), "value_rows": rows}


def bench_england(con: duckdb.DuckDBPyConnection, runs: int) -> dict:
    """(b) every indicator for a model of all England's LSOAs, grouped by MSOA."""
    membership = con.execute(
        "SELECT 'bench_england_msoa' AS model_id, 'England by MSOA' AS model_name, lad_code, "
        "msoa21_code AS neighbourhood_code, msoa21_name AS neighbourhood_name, lsoa21_code "
        "FROM lsoa_geography"
    ).df()
    con.register("_bench_membership", membership)
    sql = "SELECT * FROM neighbourhood_indicator_values('_bench_membership')"

    def once() -> float:
        started = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE _bench_values AS {sql}")
        return time.perf_counter() - started

    try:
        times = _runs(runs, once)
        rows = con.execute("SELECT count(*) FROM _bench_values").fetchall()[0][0]
        con.execute("DROP TABLE _bench_values")
    finally:
        con.unregister("_bench_membership")
    return {
        "seconds": times,
        "median": _median(times),
        "lsoas": len(membership),
        "neighbourhoods": membership.neighbourhood_code.nunique(),
        "value_rows": rows,
    }


def bench_page(runs: int) -> dict:
    """(c) the main page in AppTest: cold, warm new session, warm rerun."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    app = str(PROJECT_DIR / "dashboard.py")
    cold, warm_session, warm_rerun = [], [], []
    title = None
    for _ in range(runs):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(app, default_timeout=120)
        started = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"the page raised: {[e.value for e in at.exception]}")
        title = at.title[0].value if at.title else None
        started = time.perf_counter()
        at.run()
        warm_rerun.append(time.perf_counter() - started)
        other = AppTest.from_file(app, default_timeout=120)
        started = time.perf_counter()
        other.run()
        warm_session.append(time.perf_counter() - started)
    st.cache_data.clear()
    st.cache_resource.clear()
    return {
        "page_title": title,
        "cold_seconds": cold,
        "warm_new_session_seconds": warm_session,
        "warm_rerun_seconds": warm_rerun,
        "cold_median": _median(cold),
        "warm_new_session_median": _median(warm_session),
        "warm_rerun_median": _median(warm_rerun),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--db", type=Path, default=db.PUBLIC_DB, help="the built public DB")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON")
    parser.add_argument("--skip-page", action="store_true", help="skip the AppTest timing")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not args.db.is_file():
        print(f"{args.db} does not exist: build it with `python -m transforms.run`")
        return 1

    with tempfile.TemporaryDirectory(prefix="bench_models_") as tmp:
        user_db = Path(tmp) / "user_data.duckdb"
        # the app (in AppTest) opens the same files through outcomes.db's module defaults
        db.PUBLIC_DB, db.USER_DB = args.db, Path(tmp) / "app_user.duckdb"
        base = db.open_database(args.db, user_db)
        try:
            con = db.cursor(base)
            save = bench_save(con, args.runs)
            england = bench_england(con, args.runs)
        finally:
            base.close()
        page = None if args.skip_page else bench_page(args.runs)

    print(f"\nmedians over {args.runs} runs (seconds)")
    print(f"{'what':<76} {'median':>8} {'min':>8} {'max':>8}")
    rows = [
        (f"(a) validate + save Trafford model ({save['lsoas']} LSOAs)", save["seconds"]),
        (
            f"(b) aggregate all indicators, England by MSOA ({england['lsoas']:,} LSOAs, "
            f"{england['neighbourhoods']:,} nbhds)",
            england["seconds"],
        ),
    ]
    if page:
        rows += [
            ("(c) main page, cold (empty caches, new connection)", page["cold_seconds"]),
            ("(c) main page, warm, new session", page["warm_new_session_seconds"]),
            ("(c) main page, warm rerun, same session", page["warm_rerun_seconds"]),
        ]
    for label, times in rows:
        print(f"{label:<76} {_median(times):8.3f} {min(times):8.3f} {max(times):8.3f}")
    if page:
        print(f"(c) main page = dashboard.py's default page, titled {page['page_title']!r}")
    print(f"(b) wrote {england['value_rows']:,} indicator rows per run")

    stamp = datetime.now(UTC)
    result = {
        "benchmark": "bench_models",
        "timestamp": stamp.isoformat(timespec="seconds"),
        "runs": args.runs,
        "save_trafford": save,
        "aggregate_england_by_msoa": england,
        "main_page": page,
        "public_db": str(args.db),
    }
    write_result("bench_models", args.out, result, stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
