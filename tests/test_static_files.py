"""Static files answered from memory (outcomes/static_files.py, used by serve.py): the same
bytes Streamlit and the dashboard's static/ folder hold, compressed for browsers that ask,
cached a year; nothing outside those folders and no other request ever answered by it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from outcomes.static_files import (
    APP_STATIC_ROOT,
    STATIC_ROOT,
    StaticFromMemory,
    content_digest,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _behind(request) -> PlainTextResponse:
    return PlainTextResponse(f"streamlit saw {request.method} {request.url.path}")


@pytest.fixture
def client() -> TestClient:
    """The middleware in front of a stand-in for Streamlit that names what reached it."""
    app = Starlette(
        routes=[Route("/{path:path}", _behind, methods=["GET", "HEAD", "POST"])],
        middleware=[Middleware(StaticFromMemory)],
    )
    return TestClient(app)


def _a_script() -> Path:
    return next((STATIC_ROOT / "static" / "js").glob("index.*.js"))


def test_a_script_is_streamlits_own_bytes_compressed_and_cached(client) -> None:
    script = _a_script()
    url = f"/static/js/{script.name}"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.content == script.read_bytes()
    assert plain.headers["content-type"] == "application/javascript"  # runs as a module
    assert "immutable" in plain.headers["cache-control"]
    assert "content-encoding" not in plain.headers
    raw = client.get(url, headers={"Accept-Encoding": "gzip, br"}).content  # as sent
    squeezed = client.stream("GET", url, headers={"Accept-Encoding": "gzip"})
    with squeezed as response:
        assert response.headers["content-encoding"] == "gzip"
        body = b"".join(response.iter_raw())
    assert gzip.decompress(body) == script.read_bytes() == raw
    assert len(body) < len(script.read_bytes()) / 2


def test_the_charts_bundle_is_served_from_the_apps_static_folder(client) -> None:
    (bundle,) = APP_STATIC_ROOT.glob("plotly-outcomes-*.min.js")
    url = f"/app/static/{bundle.name}?v={content_digest(bundle.read_bytes())}"
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/javascript"
        assert response.headers["content-encoding"] == "gzip"
        assert "immutable" in response.headers["cache-control"]
        body = b"".join(response.iter_raw())
    assert gzip.decompress(body) == bundle.read_bytes()


def test_another_builds_address_is_left_to_streamlit(client) -> None:
    """An address naming another digest (a copy not yet upgraded, asked for a new build's
    file) is not answered with this file and a year's cache."""
    (bundle,) = APP_STATIC_ROOT.glob("plotly-outcomes-*.min.js")
    ours = content_digest(bundle.read_bytes())
    assert client.get(f"/app/static/{bundle.name}?v={ours}").content == bundle.read_bytes()
    other = client.get(f"/app/static/{bundle.name}?v=000000000000")
    assert other.text.startswith("streamlit saw GET")


def test_fonts_keep_their_type_and_head_sends_no_body(client) -> None:
    font = next((STATIC_ROOT / "static" / "media").glob("*.woff2"))
    response = client.head(f"/static/media/{font.name}")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == "font/woff2"
    assert int(response.headers["content-length"]) == font.stat().st_size


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/config.py",
        "/static/js/no-such-file.js",
        "/static/js/",
        "/app/static/",
        "/app/static/no-such-file.js",
        "/app/static/%2e%2e/serve.py",
        "/_stcore/health",
        "/trends",
    ],
)
def test_anything_else_goes_on_to_streamlit(client, path: str) -> None:
    response = client.get(path)
    assert response.text.startswith("streamlit saw GET"), path


def test_made_up_paths_are_not_remembered() -> None:
    middleware = StaticFromMemory(_behind)
    for i in range(50):
        assert middleware._file(f"/static/js/made-up-{i}.js") is None
    assert middleware._file(f"/static/js/{_a_script().name}") is not None
    assert len(middleware._files) == 1


def test_a_file_is_kept_under_its_one_plain_address() -> None:
    """Other spellings of a file's address (as uvicorn passes them on, undecoded dots and
    doubled slashes included) are not answered, so they cannot fill the memory with copies."""
    middleware = StaticFromMemory(_behind)
    name = _a_script().name
    for alias in (
        f"/static/js/./{name}",
        f"/static/js/../js/{name}",
        f"/static/js//{name}",
        f"/static//js/{name}",
        f"/static/js/{name}/.",
        "/static/js/a\x00b.js",
    ):
        assert middleware._file(alias) is None, alias
    assert middleware._files == {}


def test_other_methods_go_on_to_streamlit(client) -> None:
    response = client.post(f"/static/js/{_a_script().name}")
    assert response.text.startswith("streamlit saw POST")


def test_serve_py_is_what_make_run_and_the_browser_tests_start() -> None:
    serve = (PROJECT_DIR / "serve.py").read_text(encoding="utf-8")
    assert 'st.App(\n    "dashboard.py",\n    middleware=[\n' in serve
    assert "        Middleware(StaticFromMemory),\n" in serve
    assert "streamlit run serve.py" in (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
