"""Hostile text in the real app, in headless Debian Chromium: a model, its neighbourhoods, a
partner dataset and its owner with names that are Markdown and HTML attacks (stored through the
upload functions the pages call), and hostile values in every link parameter the app reads.
Every page is visited; charts are hovered. Nothing may become a link or an image, and the
browser may ask no host but the app itself for anything: every injected address points at
127.0.0.1:9 (a closed port), so a request to it is caught here and nothing leaves the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from outcomes.chart_element import CHART_SELECTOR
from outcomes.text import WORD_JOINER
from tests.test_browser import CHROMIUM, IDLE, LAUNCH_ARGS, _free_port, _url_paths
from tests.test_text_safety import (
    HOST,
    NEIGHBOURHOODS,
    TRAFFORD,
    URL_PARAMETERS,
    copy_of,
    hostile_database,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
INJECTED = "127.0.0.1:9"
# Every link and image on the page, HTML and SVG (Plotly draws its text as SVG).
LINKS_AND_MEDIA = """() => {
  const xlink = 'http://www.w3.org/1999/xlink';
  const target = (e) => e.getAttribute('href') || e.getAttributeNS(xlink, 'href')
    || e.getAttribute('src') || e.getAttribute('srcset') || e.getAttribute('data') || '';
  return {
    links: [...document.querySelectorAll('a')].map(target),
    media: [...document.querySelectorAll(
      'img, image, picture source, video, audio, iframe, object, embed')].map(target),
  };
}"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian chromium is not installed (make browser installs it)",
    ),
]


@dataclass
class Visit:
    """What one page visit showed and asked for."""

    url: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    text: str = ""
    hover: str = ""
    errors: int = 0


@pytest.fixture(scope="module")
def hostile_app(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The dashboard served on a free local port over a user database holding the hostile
    model and dataset: {'url', 'model_id', 'indicator_id', 'neighbourhoods'}."""
    folder = tmp_path_factory.mktemp("hostile_browser")
    hostile = hostile_database(Path(real_db), folder / "template.duckdb")
    user_db = copy_of(hostile, folder / "app")
    port = _free_port()
    env = {**os.environ, "OUTCOMES_DB": str(real_db), "OUTCOMES_USER_DB": str(user_db)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url)
        yield {
            "url": url,
            "model_id": hostile.model_id,
            "indicator_id": hostile.indicator_id,
            "neighbourhoods": list(hostile.neighbourhoods),
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail("the Streamlit server did not start within 60 s")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield instance
        instance.close()


def visit(browser, app_url: str, path: str, params: dict[str, str]) -> Visit:
    """Open a page with these link parameters, wait for it to finish, hover over the first
    points of each chart, and record what the page holds and what the browser asked for."""
    seen = Visit(f"{app_url}/{path}?{urllib.parse.urlencode(params)}")
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(seen.url)
        _settle(page)
        seen.hover = _hover_charts(page)
        found = page.evaluate(LINKS_AND_MEDIA)
        seen.links, seen.media = found["links"], found["media"]
        seen.text = page.inner_text("body").replace(WORD_JOINER, "")  # invisible: see text.py
        seen.errors = page.locator('[data-testid="stException"]').count()
    finally:
        page.close()
    return seen


def _settle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_function(
        "document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=90_000
    )
    page.wait_for_timeout(800)


def _hover_charts(page, per_chart: int = 3) -> str:
    """Hover over the first few points or bars of each chart; the hover labels' text."""
    shown = []
    for chart in page.locator(CHART_SELECTOR).all()[:4]:
        chart.scroll_into_view_if_needed()
        points = chart.locator(".points path, .point path")
        for i in range(min(points.count(), per_chart)):
            try:
                points.nth(i).hover(timeout=2_000, force=True)
            except Exception:  # a point hidden under another: the next one will do
                continue
            page.wait_for_timeout(150)
            shown.append(chart.locator(".hoverlayer").text_content() or "")
    return "\n".join(shown)


def outside(requests: list[str], app_url: str) -> list[str]:
    """Requests to anything but the app itself (same host and port, or the page's own data)."""
    own = (f"{app_url}/", app_url.replace("http", "ws", 1) + "/", "data:", "blob:", "about:")
    return [u for u in requests if not (u.startswith(own) or u == app_url)]


def assert_inert(seen: Visit, app_url: str) -> None:
    assert seen.errors == 0, seen.url
    assert [u for u in seen.links if INJECTED in u] == [], seen.url
    assert [u for u in seen.media if u and not u.startswith(("data:", "blob:"))] == [], seen.url
    assert outside(seen.requests, app_url) == [], seen.url
    assert seen.dialogs == [], seen.url


def test_hostile_names_on_every_page_make_no_link_image_or_request(browser, hostile_app):
    app_url = hostile_app["url"]
    named = {
        "lad": TRAFFORD,
        "model": hostile_app["model_id"],
        "nb": ",".join(hostile_app["neighbourhoods"]),
        "ind": hostile_app["indicator_id"],
        "base": "2023",
        "cmp": "lad",
        "map_level": "neighbourhood",
    }
    hovered = []
    for path in _url_paths():
        seen = visit(browser, app_url, path, named)
        assert_inert(seen, app_url)
        if path not in ("data", "audit"):  # the names are there, as text
            assert any(name in seen.text for name in NEIGHBOURHOODS) or HOST in seen.text, path
        hovered.append(seen.hover)
    seen = visit(browser, app_url, "map", {**named, "map_view": "change"})
    assert_inert(seen, app_url)
    hover = "\n".join([*hovered, seen.hover])
    assert INJECTED in hover  # hover labels showed the names, as text
    assert any(name in hover for name in NEIGHBOURHOODS)


def test_hostile_link_parameters_on_every_page_make_no_link_image_or_request(browser, hostile_app):
    app_url = hostile_app["url"]
    bad = {
        p: f'![{p}]({HOST}/{p}.png) <a href="{HOST}/{p}">{p}</a> <img src={HOST}/{p}i.png> '
        f"[{p}]({HOST}/{p}l) {HOST}/{p}b :red[{p}] ${p}$"
        for p in URL_PARAMETERS
    }
    for path in _url_paths():
        seen = visit(browser, app_url, path, bad)
        assert_inert(seen, app_url)
        assert f"The link's borough '![lad]({HOST}/lad.png)" in seen.text, path  # literally
