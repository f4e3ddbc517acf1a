"""Page speed: server-side time of each page (AppTest), time to first chart in Chromium, and
server CPU per fresh session (a view) with the bytes it sends (bench.bench_load --views).

`python -m bench.bench_pages [--runs 5]`. Uses data/outcomes.duckdb and a throw-away user
database. Medians over several runs; results printed and written to bench/results/.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_load import CHROMIUM_ARGS
from bench.results import write_result
from outcomes.chart_element import DRAWN_SELECTOR

PROJECT_DIR = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_DIR / "bench" / "results"


def page_files() -> list[str]:
    """The pages registered in dashboard.py, in menu order."""
    text = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    return [line.split('"')[1] for line in text.splitlines() if 'st.Page("pages/' in line]


def url_paths() -> list[str]:
    text = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    return [
        line.split('url_path="')[1].split('"')[0]
        for line in text.splitlines()
        if 'st.Page("pages/' in line and 'url_path="' in line
    ]


def apptest_times(runs: int) -> dict[str, dict[str, float]]:
    """Cold (first) and warm (median of later reruns) server-side seconds per page."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    results = {}
    for page in page_files():
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=120)
        t0 = time.perf_counter()
        at.run()
        if page != page_files()[0]:
            at.switch_page(page).run()
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(runs):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        results[page] = {
            "cold_s": round(cold, 3),
            "warm_median_s": round(statistics.median(warm), 3),
            "errors": len(at.exception),
        }
    return results


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_times(runs: int) -> dict[str, float]:
    """Median seconds from navigation to the first visible chart, per page with a chart."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "OUTCOMES_USER_DB": str(Path(tempfile.mkdtemp()) / "user.duckdb")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    results: dict[str, float] = {}
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for path in ["", *url_paths()[1:]]:
                samples = []
                for _ in range(runs):
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    t0 = time.perf_counter()
                    page.goto(f"{base}/{path}")
                    try:
                        page.wait_for_selector(DRAWN_SELECTOR, timeout=60_000)
                    except Exception as exc:  # a page without a chart
                        print(f"{path}: no chart ({type(exc).__name__})", file=sys.stderr)
                        page.close()
                        break
                    samples.append(time.perf_counter() - t0)
                    page.close()
                if samples:
                    results[path] = round(statistics.median(samples), 3)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("OUTCOMES_USER_DB", str(Path(tempfile.mkdtemp()) / "user.duckdb"))
    server = apptest_times(args.runs)
    print(f"{'page':<28} {'cold s':>8} {'warm median s':>14}")
    for page, row in server.items():
        print(f"{page:<28} {row['cold_s']:>8.3f} {row['warm_median_s']:>14.3f}")
    browser = browser_times(max(3, args.runs // 2))
    print(f"\n{'page':<28} {'first chart, median s':>22}")
    for path, seconds in browser.items():
        print(f"{path:<28} {seconds:>22.3f}")
    result = {"apptest": server, "browser_first_chart": browser, "runs": args.runs}
    write_result("bench_pages", RESULTS, result, datetime.now(UTC))
    # Server CPU, bytes and script runs per fresh session, page by page (bench/bench_load.py).
    from bench import bench_load

    bench_load.main(["--views", str(args.runs), "--waves", "", "--label", "bench_pages"])


if __name__ == "__main__":
    main()
