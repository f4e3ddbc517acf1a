"""Streamlit's page with the dashboard's lines in its head (outcomes/page_head.py, used by
serve.py): added to HTML pages only, gzipped or not, before Streamlit's own script, with the
length corrected; everything else passes through byte for byte."""

from __future__ import annotations

import gzip

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from outcomes.page_head import PageHead, head_lines

# synthetic: the shape of Streamlit's page, cut short
PAGE = (
    b"<!DOCTYPE html><html><head><script>window.prerenderReady = false</script>"
    b'<script type="module" crossorigin src="./static/js/index.js"></script></head>'
    b'<body><div id="root"></div></body></html>'
)
BUNDLE = "./app/static/plotly-outcomes-4.1.1.min.js?v=abc"
LINES = head_lines(BUNDLE, ("trends", "audit"), ("audit",))
OTHER = b"<html><head></head><body>not Streamlit's page</body></html>"


def _page(request) -> Response:
    if request.url.path == "/gzipped":
        body = gzip.compress(PAGE)
        return Response(body, media_type="text/html", headers={"content-encoding": "gzip"})
    if request.url.path == "/text":
        return PlainTextResponse("<head>not a page</head>")
    if request.url.path == "/missing":
        return HTMLResponse(PAGE, status_code=404)
    if request.url.path == "/other":
        return HTMLResponse(OTHER)
    if request.url.path == "/in-parts":
        return StreamingResponse(
            iter([PAGE[:50], PAGE[50:120], PAGE[120:]]), media_type="text/html"
        )
    return HTMLResponse(PAGE, headers={"etag": '"streamlit"'})


@pytest.fixture
def client() -> TestClient:
    app = Starlette(
        routes=[Route("/{path:path}", _page, methods=["GET", "HEAD"])],
        middleware=[Middleware(PageHead, lines=lambda: LINES)],
    )
    return TestClient(app)


def test_the_lines_come_before_streamlits_script(client) -> None:
    response = client.get("/trends", headers={"Accept-Encoding": "identity"})
    body = response.content
    assert LINES in body and body.index(LINES) < body.index(b'<script type="module"')
    assert body.replace(LINES, b"") == PAGE
    assert int(response.headers["content-length"]) == len(body)
    assert "etag" not in response.headers  # the page differs from the one Streamlit tagged


def test_a_gzipped_page_is_changed_and_stays_gzipped(client) -> None:
    with client.stream("GET", "/gzipped", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
        assert int(response.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw).replace(LINES, b"") == PAGE
    assert LINES in gzip.decompress(raw)


def test_a_page_sent_in_parts_gets_the_lines_once(client) -> None:
    body = client.get("/in-parts", headers={"Accept-Encoding": "identity"}).content
    assert body.count(LINES) == 1 and body.replace(LINES, b"") == PAGE


@pytest.mark.parametrize(
    ("path", "sent"),
    [("/text", b"<head>not a page</head>"), ("/missing", PAGE), ("/other", OTHER)],
)
def test_other_answers_pass_through(client, path: str, sent: bytes) -> None:
    assert client.get(path).content == sent


def test_head_asks_are_answered_by_streamlit_as_they_were(client) -> None:
    response = client.head("/trends")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["etag"] == '"streamlit"'


def test_the_lines_name_the_pages_and_the_bundle_as_json_strings() -> None:
    lines = head_lines('./app/static/b.js?v="</script>', ("trends",), ("audit",)).decode()
    assert "PAGES" not in lines and '["trends"].includes(page)' in lines
    assert '["audit"].includes(page)' in lines
    assert lines.count("<script>") == 1 and lines.count("</script>") == 1  # none from a value
    assert '"./app/static/b.js?v=\\"<\\/script>"' in lines
