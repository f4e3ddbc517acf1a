"""bench/bench_ws.py's protocol client: against a real server on the fixture build, a fresh
session runs the page it names (its title and chart arrive, the run finishes), an unknown page
is a failure, and references to cached messages resolve as the frontend resolves them.
Functional only: speed is measured by the tool, never asserted here.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.bench_load import start_server, wait_healthy
from bench.bench_ws import Session, open_session, page_paths, rerun_message

WAIT_S = 120  # a busy machine: generous, never a measure of speed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(fixture_db: Path) -> Iterator[str]:
    port = _free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OUTCOMES_DB", str(fixture_db))
        server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, seconds=WAIT_S)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_trends_session_receives_its_title_and_chart(server_url: str) -> None:
    session = asyncio.run(open_session(server_url, "trends", WAIT_S))
    assert session.error == ""
    assert session.ok
    assert session.title.endswith("over time")
    assert "Trafford" in session.title
    assert session.charts >= 1
    assert session.first_chart_s is not None
    assert session.script_runs >= 1
    assert session.ws_bytes > 10_000  # the chart's figure is in the stream, not fetched later


def test_default_page_at_the_root_is_the_briefing(server_url: str) -> None:
    session = asyncio.run(open_session(server_url, "", WAIT_S))
    assert session.error == ""
    assert session.title.endswith("outcomes briefing")


def test_unknown_page_is_a_failure(server_url: str) -> None:
    session = asyncio.run(open_session(server_url, "no-such-page", WAIT_S))
    assert not session.ok
    assert session.error == "page not found (the server ran the default page)"
    assert session.title.endswith("outcomes briefing")


def _chart_message(delta_path: list[int]) -> ForwardMsg:
    message = ForwardMsg()
    message.hash = "abc123"
    message.metadata.cacheable = True
    message.metadata.delta_path[:] = delta_path
    message.delta.new_element.plotly_chart.spec = '{"data": []}'
    return message


def test_reference_to_a_received_message_counts_as_that_message() -> None:
    session = Session()
    session.receive(_chart_message([0, 3]).SerializeToString(), 0.5)
    reference = ForwardMsg(ref_hash="abc123")
    reference.metadata.delta_path[:] = [0, 7]
    session.receive(reference.SerializeToString(), 0.9)
    assert session.charts == 2
    assert session.first_chart_s == 0.5
    assert session.error == ""


def test_reference_to_a_message_never_received_is_a_failure() -> None:
    session = Session()
    session.receive(ForwardMsg(ref_hash="not-sent").SerializeToString(), 0.1)
    assert session.charts == 0
    assert session.error == "a reference to a message this client never received"


def test_run_request_names_the_page_and_holds_no_cache() -> None:
    state = rerun_message("http://127.0.0.1:1", "compare").rerun_script
    assert state.page_name == "compare"
    assert list(state.cached_message_hashes) == []
    assert state.context_info.url == "http://127.0.0.1:1/compare"
    assert page_paths("trends, /,compare") == ["trends", "", "compare"]
