"""Load waves without browsers: fresh sessions that speak Streamlit's websocket protocol.

    python -m bench.bench_ws                          # own server: trends, compare, / (Briefing)
    python -m bench.bench_ws --pages trends --waves 1,5,10,20 --assets
    python -m bench.bench_ws --url http://127.0.0.1:8080 --pid 123 --pid 456
    python -m bench.bench_ws --replicas 1,2 --pages trends --waves 10,20   # through nginx

A headless browser per session costs more CPU than the server it measures, so 20 of them on a
2-core machine measure mostly themselves. Each session here does what a new browser does on a
fresh visit, without rendering: GET the page's HTML (keeping the cookies it gets, such as the
proxy's sticky-session cookie; `--assets` also fetches the scripts and styles it names), the
health and host-config checks, then opens the websocket at /_stcore/stream (subprotocols
"streamlit" and the XSRF token, as the frontend sends them) and sends the `rerun_script`
BackMsg the frontend sends once connected: the page's url path, no query string, no widget
state, no cached messages (so the server sends every message whole: it only sends a
reference to a message whose hash the client says it holds) and the browser's context.

Per session: seconds from the GET to the first plotly chart element, to the page's title (the
main area's first h1) and to `script_finished` (complete), websocket bytes received and script
runs (`new_session` messages). A session fails if it times out, the server reports an error
(an exception element, an error alert, a page not found) or its run does not finish.
A browser's first visit also fetches about 130 static files (9 MB) that the frontend loads;
`--assets` fetches the 60 or so index.html names, which costs this client as much CPU as the
server (`client_cpu_s` in the results): read its server CPU, not its times under load.

Waves open 1, 5, 10, 20 sessions at once (`--waves`, at most MAX_SESSIONS, each at most
`--timeout` seconds) on each page of `--pages`, after one warm-up session per page; per wave
the median and p95 of each time, views per second, the server's CPU seconds and peak RSS
(bench.bench_load's /proc sampling, summed over the server processes) and the load average.
Without `--url` the tool starts its own server on `--port`; with `--url` it measures the
`--pid`s given. `--replicas 1,2` starts a deploy.replicas deployment (nginx + N copies +
PostgreSQL) for each N side by side (nginx on `--proxy-port`, its copies on the next ports,
then the next deployment), warms every copy, and runs the same waves through each proxy in
turns, `--rounds` times (order alternating), so that the machine's other work weighs on both
alike; CPU and memory are summed over a deployment's copies, and the medians over rounds of
views per second and p95 are printed. Everything is on loopback. Results: printed and written
to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import os
import re
import ssl
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.bench_load import (
    MAX_SESSIONS,
    QUIET_S,
    MemorySampler,
    _median,
    _p95,
    cpu_seconds,
    memory_mb,
    start_server,
    wait_healthy,
)
from bench.results import write_result
from outcomes.chart_element import COMPONENT_NAME

PROJECT_DIR = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_DIR / "bench" / "results"
STREAM = "/_stcore/stream"
CHECKS = ("/_stcore/health", "/_stcore/host-config")  # what the frontend asks before connecting
XSRF_COOKIE = "_streamlit_xsrf"
NO_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends when it has no XSRF cookie
ASSET = re.compile(r'(?:src|href)="\.?/?(static/[^"]+)"')
MAIN, TITLE_TAG = 0, "h1"  # delta paths start with the root container: 0 is the main area
TIMEZONE = "Europe/London"
FINISHED = ForwardMsg.ScriptFinishedStatus
ERROR_ALERT = Alert.Format.Value("ERROR")  # st.error


# ---------------------------------------------------------------- what the client sends


def rerun_message(base: str, path: str, query_string: str = "") -> BackMsg:
    """The BackMsg the Streamlit frontend sends once connected to a fresh page at `path`."""
    message = BackMsg()
    state = message.rerun_script
    state.query_string = query_string
    state.page_script_hash = ""  # not known yet: the server finds the page by its name
    state.page_name = path
    state.widget_states.SetInParent()
    offset = datetime.now(ZoneInfo(TIMEZONE)).utcoffset()
    context = state.context_info
    context.timezone = TIMEZONE
    context.timezone_offset = -int(offset.total_seconds() // 60) if offset else 0
    context.locale = "en-GB"
    context.url = f"{base}/{path}"
    context.is_embedded = False
    context.color_scheme = "light"
    return message


# ---------------------------------------------------------------- what one session receives


@dataclass
class Session:
    """What one fresh session measured (seconds from its first request)."""

    first_chart_s: float | None = None
    title_s: float | None = None
    complete_s: float | None = None
    ws_bytes: int = 0
    messages: int = 0
    script_runs: int = 0
    charts: int = 0
    title: str = ""
    error: str = ""
    cache: dict[str, ForwardMsg] = field(default_factory=dict, repr=False)

    def receive(self, payload: bytes, elapsed: float) -> bool:
        """Account one ForwardMsg; True when the page's script run has ended."""
        self.ws_bytes += len(payload)
        self.messages += 1
        message = self._resolve(ForwardMsg.FromString(payload))
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.script_runs += 1
        elif kind == "delta":
            self._delta(message, elapsed)
        elif kind == "page_not_found":
            self._fail("page not found (the server ran the default page)")
        elif kind == "script_finished":
            return self._finished(message.script_finished, elapsed)
        return False

    def _resolve(self, message: ForwardMsg) -> ForwardMsg:
        """A reference to a cached message, as the frontend resolves it; keep cacheable ones."""
        if message.WhichOneof("type") == "ref_hash":
            cached = self.cache.get(message.ref_hash)
            if cached is None:
                self._fail("a reference to a message this client never received")
                return message
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(message.metadata)
            return resolved
        if message.metadata.cacheable:
            self.cache[message.hash] = message
        return message

    def _delta(self, message: ForwardMsg, elapsed: float) -> None:
        if message.delta.WhichOneof("type") != "new_element":
            return
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "plotly_chart" or (
            kind == "bidi_component" and element.bidi_component.component_name == COMPONENT_NAME
        ):
            self.charts += 1
            if self.first_chart_s is None:
                self.first_chart_s = elapsed
        elif kind == "heading" and element.heading.tag == TITLE_TAG and not self.title:
            if list(message.metadata.delta_path[:1]) == [MAIN]:
                self.title, self.title_s = element.heading.body, elapsed
        elif kind == "exception":
            self._fail(f"exception shown: {element.exception.message[:80]}")
        elif kind == "alert" and element.alert.format == ERROR_ALERT:
            self._fail(f"error shown: {element.alert.body[:80]}")

    def _finished(self, status: int, elapsed: float) -> bool:
        if status == FINISHED.Value("FINISHED_EARLY_FOR_RERUN"):
            return False  # st.rerun or st.switch_page: the next run follows
        if status == FINISHED.Value("FINISHED_WITH_COMPILE_ERROR"):
            self._fail("the script did not compile")
        self.complete_s = elapsed
        return True

    def _fail(self, reason: str) -> None:
        self.error = self.error or reason

    @property
    def ok(self) -> bool:
        return self.complete_s is not None and not self.error


async def _visit(http: httpx.AsyncClient, path: str, assets: bool) -> None:
    """The HTTP requests of a fresh visit: the page (and its assets), then the server checks."""
    page = await http.get(f"/{path}")
    page.raise_for_status()
    if assets:
        urls = dict.fromkeys(ASSET.findall(page.text))
        for response in await asyncio.gather(*(http.get(f"/{url}") for url in urls)):
            response.raise_for_status()
    for check in CHECKS:
        (await http.get(check)).raise_for_status()


async def _stream(session: Session, base: str, path: str, cookies: dict, t0: float) -> None:
    """Open the websocket, ask for the page's run and read until it has finished and gone quiet."""
    headers = {"Origin": base}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    subprotocols = ["streamlit", cookies.get(XSRF_COOKIE, NO_TOKEN)]
    url = "ws" + base.removeprefix("http") + STREAM
    async with websockets.connect(
        url, subprotocols=subprotocols, additional_headers=headers, max_size=None
    ) as socket:
        await socket.send(rerun_message(base, path).SerializeToString())
        async for payload in socket:
            if session.receive(payload, time.monotonic() - t0):
                break
        while True:  # messages sent after the run ended (bytes only)
            try:
                payload = await asyncio.wait_for(socket.recv(), QUIET_S)
            except (TimeoutError, websockets.ConnectionClosed):
                return
            session.receive(payload, time.monotonic() - t0)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every session (making one per client costs more than a view)."""
    return ssl.create_default_context()


async def open_session(base: str, path: str, timeout_s: float, assets: bool = False) -> Session:
    """One fresh session on the page at `path`; failures are recorded, never raised."""
    session = Session()
    t0 = time.monotonic()
    try:
        async with asyncio.timeout(timeout_s):
            async with httpx.AsyncClient(base_url=base, verify=_tls()) as http:
                await _visit(http, path, assets)
                cookies = dict(http.cookies.items())
            await _stream(session, base, path, cookies, t0)
    except TimeoutError:
        session._fail(f"no finished run within {timeout_s:.0f} s")
    except Exception as exc:  # refused, closed, an HTTP error: recorded as a failure
        session._fail(f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:120]}")
    if session.complete_s is None:
        session._fail("the run did not finish")
    return session


# ---------------------------------------------------------------- waves


def _stats(name: str, values: list[float]) -> dict:
    return {f"{name}_median": _median(values), f"{name}_p95": _p95(values)}


def summarise(sessions: list[Session], wall_s: float) -> dict:
    """Medians and p95s over the sessions that finished without an error."""
    done = [s for s in sessions if s.ok]
    titles = statistics.multimode([s.title for s in done]) if done else []
    last = max((s.complete_s for s in done), default=0.0)
    return {
        "sessions": len(sessions),
        "failed": len(sessions) - len(done),
        "errors": sorted({s.error for s in sessions if s.error})[:5],
        **_stats("first_chart_s", [s.first_chart_s for s in done if s.first_chart_s is not None]),
        **_stats("title_s", [s.title_s for s in done if s.title_s is not None]),
        **_stats("complete_s", [s.complete_s for s in done]),
        "with_chart": sum(1 for s in done if s.charts),
        "title": titles[0] if titles else "",
        "ws_bytes_median": int(statistics.median([s.ws_bytes for s in done])) if done else None,
        "script_runs_median": _median([s.script_runs for s in done]),
        "wall_s": round(wall_s, 2),  # to the last session closed (after QUIET_S of silence)
        "views_per_s": round(len(done) / last, 2) if last else None,  # to the last finished run
    }


async def wave(base: str, path: str, pids: list[int], count: int, args) -> dict:
    """`count` fresh sessions at once on one page; times, throughput, server CPU and memory."""
    count = min(count, MAX_SESSIONS)
    load_before, own_before = os.getloadavg(), time.process_time()
    cpu_before = [cpu_seconds([pid]) for pid in pids]
    t0 = time.monotonic()
    with MemorySampler(pids) as memory:
        sessions = await asyncio.gather(
            *(open_session(base, path, args.timeout, args.assets) for _ in range(count))
        )
    row = summarise(list(sessions), time.monotonic() - t0)
    by_process = [cpu_seconds([pid]) - before for pid, before in zip(pids, cpu_before, strict=True)]
    cpu = sum(by_process)
    row |= {
        "server_cpu_s": round(cpu, 2) if pids else None,
        "server_cpu_s_by_process": [round(c, 2) for c in by_process],  # replicas: the spread
        "server_cpu_s_per_view": round(cpu / count, 3) if pids else None,
        "server_peak_rss_mb": round(memory.peak_mb) if pids else None,
        "client_cpu_s": round(time.process_time() - own_before, 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    return row


def _wave_line(path: str, row: dict) -> str:
    return (
        f"{path:<9}{row['sessions']:>3} at once: first chart median {row['first_chart_s_median']}"
        f" p95 {row['first_chart_s_p95']} s, complete median {row['complete_s_median']}"
        f" p95 {row['complete_s_p95']} s, {row['views_per_s']} views/s, cpu {row['server_cpu_s']}"
        f" s ({row['server_cpu_s_per_view']}/view; by process {row['server_cpu_s_by_process']}),"
        f" peak RSS {row['server_peak_rss_mb']} MB, failed {row['failed']},"
        f" load {row['load_average_before'][0]}"
    )


def page_paths(pages: str) -> list[str]:
    """Url paths from "trends,compare,/": "/" (or "") is the default page, served at the root."""
    return [page.strip().strip("/") for page in pages.split(",")] if pages.strip() else []


async def measure(base: str, pids: list[int], args) -> dict:
    """Per page: one warm-up session, then each wave."""
    results: dict = {}
    for path in page_paths(args.pages):
        warm = await open_session(base, path, args.timeout, args.assets)
        print(f"{path or '/':<9}warm-up: title {warm.title!r}, charts {warm.charts}, "
              f"{warm.ws_bytes} B, error {warm.error or 'none'}", flush=True)  # fmt: skip
        rows = []
        for count in args.counts:
            rows.append(await wave(base, path, pids, count, args))
            print(_wave_line(path or "/", rows[-1]), flush=True)
        results[path or "/"] = {"warm_up": summarise([warm], 1.0), "waves": rows}
    return results


# ---------------------------------------------------------------- one server, or replicas


def measure_server(args) -> dict:
    """On `--url` (measuring `--pid`s), or on a server started here."""
    server = None if args.url else start_server(args.port)
    base = args.url.rstrip("/") if args.url else f"http://127.0.0.1:{args.port}"
    pids = args.pid if args.url else [server.pid]
    try:
        wait_healthy(base)
        result = {"url": base, "pages": asyncio.run(measure(base, pids, args))}
        if pids:
            result["server_rss_high_water_mb"] = round(memory_mb(pids, "VmHWM"))
        return result
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def start_deployments(args, counts: list[int]) -> list:
    """One deploy.replicas Deployment per count, side by side on consecutive ports, all warm."""
    from deploy.replicas import Deployment

    deployments, port = [], args.proxy_port
    logs = Path(tempfile.mkdtemp(prefix="bench-ws-replicas-"))
    try:
        for count in counts:
            deployments.append(Deployment(replicas=count, port=port, log_dir=logs).start())
            port += count + 1  # nginx, then its copies
        copies = [d.replica_url(i) for d in deployments for i in range(d.replicas)]
        for url, path in itertools.product(copies, page_paths(args.pages)):
            asyncio.run(open_session(url, path, args.timeout))  # warm: caches filled
    except BaseException:
        stop_deployments(deployments)
        raise
    return deployments


def stop_deployments(deployments: list) -> None:
    for deployment in reversed(deployments):
        deployment.stop()


async def interleave(deployments: list, args) -> list[dict]:
    """Each round, page and wave size on every deployment in turn (order alternating by round),
    so that 1 and 2 copies are compared under the same load from the machine's other work."""
    results = [{"replicas": d.replicas, "url": d.url, "pages": {}} for d in deployments]
    pids = [[p.pid for p in d.processes if p is not None] for d in deployments]
    turns = list(zip(deployments, pids, results, strict=True))
    for round_ in range(args.rounds):
        for path, count in itertools.product(page_paths(args.pages), args.counts):
            for deployment, its_pids, result in turns[:: 1 if round_ % 2 == 0 else -1]:
                row = await wave(deployment.url, path, its_pids, count, args) | {"round": round_}
                result["pages"].setdefault(path or "/", {"waves": []})["waves"].append(row)
                print(f"{deployment.replicas} copies: {_wave_line(path or '/', row)}", flush=True)
    for result, its_pids in zip(results, pids, strict=True):
        result["server_rss_high_water_mb"] = round(memory_mb(its_pids, "VmHWM"))
    return results


def over_rounds(results: list[dict]) -> list[dict]:
    """Per deployment, page and wave size: medians over the rounds."""
    rows = []
    for result in results:
        for path, page in result["pages"].items():
            for count in dict.fromkeys(w["sessions"] for w in page["waves"]):
                waves = [w for w in page["waves"] if w["sessions"] == count]
                row = {"replicas": result["replicas"], "page": path, "sessions": count}
                for key in ("views_per_s", "first_chart_s_p95", "complete_s_p95"):
                    row[key] = _median([w[key] for w in waves if w[key] is not None])
                row["failed"] = sum(w["failed"] for w in waves)
                row["load"] = [w["load_average_before"][0] for w in waves]
                rows.append(row)
                print(f"median of {len(waves)} rounds: {row}", flush=True)
    return rows


def measure_replicas(args, counts: list[int]) -> dict:
    """nginx + N copies + PostgreSQL (deploy.replicas) for each N, measured in turns."""
    deployments = start_deployments(args, counts)
    try:
        print(", ".join(f"{d.replicas} copies behind {d.url}" for d in deployments), flush=True)
        results = asyncio.run(interleave(deployments, args))
    finally:
        stop_deployments(deployments)
    return {"replicas": results, "over_rounds": over_rounds(results)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    server = parser.add_argument_group("one server")
    server.add_argument("--url", help="a running server or proxy (default: start one)")
    server.add_argument("--pid", type=int, action="append", default=[], help="its processes")
    server.add_argument("--port", type=int, default=8720, help="for the server started here")
    replicas = parser.add_argument_group("replicas behind nginx (deploy.replicas)")
    replicas.add_argument("--replicas", default="", help="copies in each deployment: e.g. 1,2")
    replicas.add_argument("--proxy-port", type=int, default=8740, help="nginx; copies next")
    replicas.add_argument("--rounds", type=int, default=3, help="waves on each, in turns")
    waves = parser.add_argument_group("sessions")
    waves.add_argument("--pages", default="trends,compare,/", help="url paths; / is the Briefing")
    waves.add_argument("--waves", default="1,5,10,20", help="sessions at once, comma separated")
    waves.add_argument("--timeout", type=float, default=120, help="seconds per session at most")
    waves.add_argument("--assets", action="store_true", help="also fetch the page's JS and CSS")
    waves.add_argument("--label", default="", help="a word for the result file's contents")
    args = parser.parse_args(argv)
    args.counts = [int(c) for c in args.waves.split(",") if c.strip()]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"load average before: {os.getloadavg()}", flush=True)
    result: dict = {"label": args.label, "assets": args.assets, "load_average": os.getloadavg()}
    if args.replicas:
        counts = [int(c) for c in args.replicas.split(",") if c.strip()]
        result |= measure_replicas(args, counts)
    else:
        result |= measure_server(args)
    result["load_average_after"] = os.getloadavg()
    write_result("bench_ws", RESULTS, result, datetime.now(UTC))


if __name__ == "__main__":
    main()
