"""Load and per-view cost: fresh browser sessions against one server, or a proxy in front of many.

    python -m bench.bench_load                      # per-view cost of every page, then load waves
    python -m bench.bench_load --views 5 --waves ""  # per-view cost only
    python -m bench.bench_load --url http://127.0.0.1:8080 --pid 123 --pid 456 --waves 1,5,10,20

Every session is a new browser context (no cookies, no cache, a new Streamlit session) in
headless Chromium on loopback. For each session: seconds from navigation to the first chart
(the page title, for a page without one), the bytes of websocket frames the server sent until
the page went quiet. For the server: CPU seconds (utime + stime from /proc) and memory (peak
RSS sampled every 0.1 s, plus the kernel's high-water mark VmHWM).

Per-view cost runs the sessions one after another, so each one's CPU is its own: server CPU
per view is robust on a shared machine (other work does not inflate it), wall time is not.
Load waves open 1, 5, 10, 20 sessions at once on one page (`--page`, default trends).
Without `--url` the tool starts its own server on `--port` with a throw-away user database;
with `--url` it measures CPU and memory of the `--pid`s given (none: times and bytes only).
Bounded: at most MAX_SESSIONS at once, each at most --timeout seconds. Results: printed and
written to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.results import write_result
from outcomes.chart_element import DRAWN_SELECTOR

PROJECT_DIR = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_DIR / "bench" / "results"
MAX_SESSIONS = 40
CHART = DRAWN_SELECTOR
TITLE = '[data-testid="stMain"] h1'
NOT_RUNNING = '[data-test-script-state="notRunning"]'
QUIET_S = 0.6  # no websocket frame for this long after the run ended: the page is complete
# After the page went quiet a chart still takes a second or two to draw (the browser runs
# Plotly's 4.7 MB script first): a page has no chart only if none shows within this.
CHART_GRACE_S = 8
# The browser's own clock: milliseconds from navigation start to the first chart drawn.
DRAWN_CLOCK = """
new MutationObserver((changes, observer) => {
  if (document.querySelector('SELECTOR')) {
    window.__firstChartMs = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true});
""".replace("SELECTOR", DRAWN_SELECTOR)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# ---------------------------------------------------------------- the server, seen from /proc


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def memory_mb(pids: list[int], key: str = "VmRSS") -> float:
    """Resident memory (VmRSS) or its high-water mark (VmHWM) of these processes, MB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                total += int(line.split()[1])
    return total / 1024


class MemorySampler:
    """Peak RSS of the server processes while a block runs (sampled every 0.1 s)."""

    def __init__(self, pids: list[int]):
        self.pids, self.peak_mb, self._stop = pids, 0.0, threading.Event()

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, memory_mb(self.pids))
            self._stop.wait(0.1)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def start_server(port: int) -> subprocess.Popen:
    """`streamlit run dashboard.py` on loopback with a throw-away user database."""
    env = {**os.environ, "OUTCOMES_USER_DB": str(Path(tempfile.mkdtemp()) / "user.duckdb")}
    command = [sys.executable, "-m", "streamlit", "run", "serve.py"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--server.headless", "true"]
    return subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_healthy(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no healthy server at {base}")


def url_paths() -> list[str]:
    """The url_path of every page registered in dashboard.py, in menu order ('' for the
    default page: Streamlit serves it at / only, and its url_path answers "page not found")."""
    text = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    return [
        "" if "default=True" in line else line.split('url_path="')[1].split('"')[0]
        for line in text.splitlines()
        if "st.Page(" in line and 'url_path="' in line
    ]


# ---------------------------------------------------------------- one fresh browser session


@dataclass
class View:
    """What one session measured."""

    first_chart_s: float | None = None  # None: timed out or failed
    drawn_s: float | None = None  # the browser's clock: navigation start to the chart drawn
    complete_s: float | None = None
    ws_bytes: int = 0
    frames: int = 0
    script_runs: int = 0  # new_session messages: one per script run the server started
    has_chart: bool = False
    error: str = ""
    _last_frame: float = field(default=0.0, repr=False)

    def frame(self, payload) -> None:
        self.ws_bytes += len(payload)
        self.frames += 1
        self._last_frame = time.monotonic()
        if isinstance(payload, bytes) and _is_new_session(payload):
            self.script_runs += 1


def _is_new_session(payload: bytes) -> bool:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    try:
        message.ParseFromString(payload)
    except Exception:  # not a ForwardMsg: counted in bytes only
        return False
    return message.WhichOneof("type") == "new_session"


async def _wait_quiet(view: View, page, timeout_s: float) -> None:
    """Until the script run has ended and no frame has come for QUIET_S seconds."""
    await page.wait_for_selector(NOT_RUNNING, state="attached", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() - view._last_frame < QUIET_S and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def one_view(
    browser, url: str, timeout_s: float, chart: bool = True, context=None, probe: bool = False
) -> View:
    """Open `url` in a new context (or a new tab of `context`, a returning browser whose cache
    holds Streamlit's scripts): time to the first chart (or title), bytes until quiet; with
    `probe`, also whether the page draws a chart (waiting CHART_GRACE_S for it)."""
    view = View()
    own_context = context is None
    if own_context:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.add_init_script(DRAWN_CLOCK)
    page.on("websocket", lambda ws: ws.on("framereceived", view.frame))
    t0 = time.monotonic()
    try:
        await page.goto(url, timeout=timeout_s * 1000)
        if chart:
            await page.wait_for_selector(CHART, timeout=timeout_s * 1000)
        else:
            await page.wait_for_selector(TITLE, timeout=timeout_s * 1000)
        view.first_chart_s = time.monotonic() - t0
        await _wait_quiet(view, page, timeout_s)
        view.complete_s = view._last_frame - t0
        view.has_chart = chart or (probe and await _shows(page, CHART, CHART_GRACE_S))
        if view.has_chart:
            drawn_ms = await page.evaluate("window.__firstChartMs")
            view.drawn_s = drawn_ms / 1000 if drawn_ms is not None else None
    except Exception as exc:  # a timeout or a closed page: recorded, never raised
        view.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    finally:
        await (context.close() if own_context else page.close())
    return view


async def _shows(page, selector: str, grace_s: float) -> bool:
    """Whether `selector` is on the page now or within `grace_s` seconds."""
    if await page.locator(selector).count() > 0:
        return True
    try:
        await page.wait_for_selector(selector, timeout=grace_s * 1000)
    except Exception:  # Playwright's timeout: it never showed
        return False
    return True


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 3)


# ---------------------------------------------------------------- per-view cost, page by page


async def page_costs(
    browser,
    base: str,
    pids: list[int],
    views: int,
    timeout_s: float,
    pages: list[str],
    returning: bool = False,
) -> dict:
    """Per page: a warm-up view, then `views` fresh sessions one after another: each in a new
    browser (nothing cached), or with `returning` in new tabs of the warm-up's browser (its
    cache holds the scripts and fonts, as a leader's browser does on a second visit)."""
    results = {}
    for path in pages:
        context = None
        if returning:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        warm = await one_view(
            browser, f"{base}/{path}", timeout_s, chart=False, context=context, probe=True
        )
        chart = warm.has_chart
        cpu, samples = [], []
        for _ in range(views):
            before = cpu_seconds(pids) if pids else 0.0
            view = await one_view(
                browser, f"{base}/{path}", timeout_s, chart=chart, context=context
            )
            if pids:
                cpu.append(cpu_seconds(pids) - before)
            samples.append(view)
        if context is not None:
            await context.close()
        results[path] = _summarise_views(samples, cpu, chart)
        print(_cost_line(path, results[path]), flush=True)
    return results


def _summarise_views(samples: list[View], cpu: list[float], chart: bool) -> dict:
    ok = [v for v in samples if not v.error]
    return {
        "waits_for": "chart" if chart else "title",
        "views": len(samples),
        "errors": [v.error for v in samples if v.error],
        "server_cpu_s_median": _median(cpu),
        "first_chart_s_median": _median([v.first_chart_s for v in ok]),
        "chart_drawn_browser_clock_s_median": _median(
            [v.drawn_s for v in ok if v.drawn_s is not None]
        ),
        "complete_s_median": _median([v.complete_s for v in ok]),
        "ws_bytes_median": int(statistics.median([v.ws_bytes for v in ok])) if ok else None,
        "script_runs_median": _median([v.script_runs for v in ok]),
    }


def _cost_line(path: str, row: dict) -> str:
    cpu = row["server_cpu_s_median"]
    return (
        f"{path or '/':<16} cpu/view {cpu if cpu is not None else '-':>7} s  "
        f"first {row['first_chart_s_median']} s ({row['waits_for']}; browser clock "
        f"{row['chart_drawn_browser_clock_s_median']} s)  complete {row['complete_s_median']} s  "
        f"ws {row['ws_bytes_median']} B  runs {row['script_runs_median']}  "
        f"errors {len(row['errors'])}"
    )


# ---------------------------------------------------------------- concurrent waves


async def wave(browser, url: str, pids: list[int], sessions: int, timeout_s: float) -> dict:
    """`sessions` fresh sessions opened at once; times, server CPU and memory."""
    before = cpu_seconds(pids) if pids else 0.0
    t0 = time.monotonic()
    with MemorySampler(pids) as memory:
        views = await asyncio.gather(*(one_view(browser, url, timeout_s) for _ in range(sessions)))
    wall = time.monotonic() - t0
    ok = [v.first_chart_s for v in views if v.first_chart_s is not None]
    return {
        "sessions": sessions,
        "failed": sessions - len(ok),
        "errors": sorted({v.error for v in views if v.error}),
        "first_chart_s_median": _median(ok),
        "first_chart_s_p95": _p95(ok),
        "wall_s": round(wall, 2),
        "views_per_s": round(len(ok) / wall, 2) if wall else None,
        "server_cpu_s": round(cpu_seconds(pids) - before, 2) if pids else None,
        "server_peak_rss_mb": round(memory.peak_mb) if pids else None,
    }


async def waves(browser, url: str, pids: list[int], counts: list[int], timeout_s: float) -> list:
    await one_view(browser, url, timeout_s)  # warm the caches for this page
    rows = []
    for count in counts:
        row = await wave(browser, url, pids, min(count, MAX_SESSIONS), timeout_s)
        print(
            f"{row['sessions']:>3} at once: median {row['first_chart_s_median']} s, "
            f"p95 {row['first_chart_s_p95']} s, {row['views_per_s']} views/s, "
            f"cpu {row['server_cpu_s']} s, peak RSS {row['server_peak_rss_mb']} MB, "
            f"failed {row['failed']}",
            flush=True,
        )
        rows.append(row)
    return rows


# ---------------------------------------------------------------- main


async def run(args: argparse.Namespace, base: str, pids: list[int]) -> dict:
    from playwright.async_api import async_playwright

    result: dict = {"url": base, "load_average": os.getloadavg()}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=args.chromium, args=CHROMIUM_ARGS
        )
        if args.views:
            pages = [p.strip("/") for p in args.pages.split(",") if p] or url_paths()
            result["per_view"] = await page_costs(
                browser, base, pids, args.views, args.timeout, pages, args.returning
            )
            result["browser_cache"] = "returning" if args.returning else "empty"
        counts = [int(c) for c in args.waves.split(",") if c.strip()]
        if counts:
            url = f"{base}/{args.page}"
            result["waves"] = await waves(browser, url, pids, counts, args.timeout)
        await browser.close()
    if pids:
        result["server_rss_high_water_mb"] = round(memory_mb(pids, "VmHWM"))
    result["load_average_after"] = os.getloadavg()
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server or proxy (default: start one)")
    parser.add_argument("--pid", type=int, action="append", default=[], help="server process")
    parser.add_argument("--port", type=int, default=8613, help="for the server started here")
    parser.add_argument("--views", type=int, default=5, help="fresh sessions per page (0: none)")
    parser.add_argument("--waves", default="1,5,10,20", help="sessions at once, comma separated")
    parser.add_argument(
        "--pages", default="", help="url paths for --views, / for the default (default: all)"
    )
    parser.add_argument(
        "--returning",
        action="store_true",
        help="per-view sessions in tabs of one browser with a warm cache (default: new browsers)",
    )
    parser.add_argument("--page", default="trends", help="url path the waves open")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per session at most")
    parser.add_argument("--label", default="", help="a word for the result file's contents")
    parser.add_argument("--chromium", default=os.environ.get("BROWSER_PATH", "/usr/bin/chromium"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    server = None
    if args.url:
        base, pids = args.url.rstrip("/"), args.pid
    else:
        server = start_server(args.port)
        base, pids = f"http://127.0.0.1:{args.port}", [server.pid]
    try:
        wait_healthy(base)
        print(f"load average before: {os.getloadavg()}", flush=True)
        result = asyncio.run(run(args, base, pids))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    result["label"] = args.label
    write_result("bench_load", RESULTS, result, datetime.now(UTC))


if __name__ == "__main__":
    main()
