"""Old page addresses forwarded by HTTP (outcomes/old_links.py, used by serve.py): /briefing to
the app's root with its query, relative so a base path holds; nothing else touched."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from outcomes.old_links import ForwardOldLinks


def _behind(request) -> PlainTextResponse:
    return PlainTextResponse(f"streamlit saw {request.method} {request.url.path}")


@pytest.fixture
def client() -> TestClient:
    app = Starlette(
        routes=[Route("/{path:path}", _behind, methods=["GET", "HEAD", "POST"])],
        middleware=[Middleware(ForwardOldLinks, names=("briefing",))],
    )
    return TestClient(app, follow_redirects=False)


def test_briefing_goes_to_the_root_with_its_query(client) -> None:
    response = client.get("/briefing?lad=E08000009&model=E08000009_localities2023&base=2019")
    assert response.status_code == 307
    assert response.headers["location"] == (
        "./?lad=E08000009&model=E08000009_localities2023&base=2019"
    )
    assert client.get("/briefing").headers["location"] == "./"
    assert client.get("/outcomes/briefing?x=1").headers["location"] == "./?x=1"  # a base path


def test_a_query_cannot_break_the_header(client) -> None:
    location = client.get("/briefing?q=<b>\u00e9 x").headers["location"]
    assert location.startswith("./?q=") and all(c.isascii() and c not in " <>" for c in location)


@pytest.mark.parametrize("path", ["/", "/trends", "/briefing/", "/briefings", "/static/x.js"])
def test_other_addresses_go_on(client, path: str) -> None:
    assert client.get(path).text == f"streamlit saw GET {path}"


def test_other_methods_go_on(client) -> None:
    assert client.post("/briefing").text == "streamlit saw POST /briefing"
