"""Small responses are sent at once (outcomes/nodelay.py): connections accepted on a listening
socket bound as Streamlit binds it (no protocol named) get TCP_NODELAY once serve.py has run,
so a small body never waits for the browser's delayed acknowledgement."""

from __future__ import annotations

import importlib
import socket
import sys
from pathlib import Path

import pytest

from outcomes.nodelay import listen_without_nagle

PROJECT_DIR = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="Linux only")


def _listening_like_streamlit() -> socket.socket:
    listener = socket.socket(family=socket.AF_INET)  # as Streamlit's _bind_socket: proto 0
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    return listener


def _accepted_nodelay(listener: socket.socket) -> int:
    with socket.create_connection(listener.getsockname()):
        accepted, _ = listener.accept()
        with accepted:
            return accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_without_it_accepted_connections_keep_nagle() -> None:
    with _listening_like_streamlit() as listener:
        assert _accepted_nodelay(listener) == 0  # the delay this module exists to remove


def test_listening_sockets_pass_nodelay_to_their_connections() -> None:
    with _listening_like_streamlit() as listener, socket.socket() as idle:
        idle.bind(("127.0.0.1", 0))  # bound, not listening: left alone
        assert listen_without_nagle() >= 1
        assert _accepted_nodelay(listener) == 1
        assert idle.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0


def test_serve_py_sets_it_for_the_server_it_runs_in() -> None:
    with _listening_like_streamlit() as listener:
        sys.path.insert(0, str(PROJECT_DIR))
        try:
            sys.modules.pop("serve", None)
            importlib.import_module("serve")
        finally:
            sys.path.remove(str(PROJECT_DIR))
        assert _accepted_nodelay(listener) == 1


def test_nothing_happens_without_proc(tmp_path) -> None:
    assert listen_without_nagle(tmp_path / "no-such-dir") == 0
