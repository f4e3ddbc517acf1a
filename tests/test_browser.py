"""The real app in headless Debian Chromium: pages load, real numbers show, nothing leaves
the machine. Screenshots go to screenshots/ (git-ignored) for a person to look at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from outcomes.chart_element import CHART_SELECTOR, DRAWN_SELECTOR

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PROJECT_DIR = Path(__file__).resolve().parents[1]
SCREENSHOTS = PROJECT_DIR / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian chromium is not installed (make browser installs it)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served by a real Streamlit server on a free local port."""
    port = _free_port()
    env = {
        **os.environ,
        "OUTCOMES_DB": str(real_db),
        "OUTCOMES_USER_DB": str(tmp_path_factory.mktemp("browser_user") / "user.duckdb"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the Streamlit server did not start within 60 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield instance
        instance.close()


def _url_paths() -> list[str]:
    """The url_path of every page registered in dashboard.py ('' for the default page)."""
    text = (PROJECT_DIR / "dashboard.py").read_text(encoding="utf-8")
    paths = []
    for line in text.splitlines():
        if 'st.Page("pages/' in line:
            paths.append(
                "" if "default=True" in line else line.split('url_path="')[1].split('"')[0]
            )
    return paths


def _open(browser, url: str, chart: bool = True):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    _settle(page)
    if chart:
        page.wait_for_selector(DRAWN_SELECTOR, timeout=60_000)
    return page, requests


def _settle(page) -> None:
    """Wait until the script has finished and stale elements are gone."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_function(
        "document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=60_000
    )
    page.wait_for_timeout(500)


def _external(requests: list[str]) -> list[str]:
    local = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
    return [u for u in requests if not u.startswith(local)]


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox by typing it, as a keyboard user would."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=label
    )
    box.locator("input").click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    _settle(page)


@pytest.mark.parametrize("path", _url_paths())
def test_every_page_loads_without_errors_or_outside_requests(chromium_browser, app_url, path):
    page, requests = _open(chromium_browser, f"{app_url}/{path}", chart=False)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("h1").count() >= 1
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"page_{path or 'home'}.png", full_page=True)
    assert _external(requests) == []
    page.close()


def test_the_charts_script_is_fetched_once_and_only_where_charts_are(chromium_browser, app_url):
    """The page's head starts the charts' bundle on a page with charts and the charts use that
    same load; a page without charts leaves it until a chart asks (outcomes/page_head.py)."""
    page, requests = _open(chromium_browser, f"{app_url}/audit", chart=False)
    page.wait_for_timeout(1000)
    assert not [u for u in requests if "plotly" in u.lower()]
    page.close()
    page, requests = _open(chromium_browser, f"{app_url}/compare")  # several charts
    assert len(page.locator(CHART_SELECTOR).all()) >= 2
    fetched = [u for u in requests if "plotly" in u.lower()]
    assert len(fetched) == 1 and "/app/static/plotly-outcomes-" in fetched[0], fetched
    assert page.locator('[data-testid="outcomesChart"][role="figure"]').first.get_attribute(
        "aria-label"
    ), "a chart without a name for screen readers"
    page.close()


def test_a_chart_follows_the_pages_width(chromium_browser, app_url):
    page, _ = _open(chromium_browser, f"{app_url}/trends?ind=imd_score")
    svg = page.locator(DRAWN_SELECTOR).first
    wide = svg.bounding_box()["width"]
    page.set_viewport_size({"width": 1000, "height": 2200})
    page.wait_for_function(
        f"document.querySelector('{DRAWN_SELECTOR}').getBoundingClientRect().width < {wide - 200}",
        timeout=10_000,
    )
    box = page.locator(CHART_SELECTOR).first.bounding_box()
    assert svg.bounding_box()["width"] <= box["width"] + 1  # drawn within its place
    page.close()


def test_trends_chart_shows_trafford_neighbourhoods(chromium_browser, app_url):
    page, requests = _open(chromium_browser, f"{app_url}/trends?ind=imd_score")
    chart = page.locator(CHART_SELECTOR).first
    assert "IMD average score, Trafford" in chart.locator(".gtitle").text_content()
    legend = chart.locator(".legend").text_content()
    for name in ("Central", "North", "South", "West", "Trafford (borough)", "England"):
        assert name in legend
    assert _external(requests) == []
    page.close()


def test_changing_borough_and_baseline_updates_chart_and_text(chromium_browser, app_url):
    # the share in the most deprived 10% is comparable 2015 to 2025 (the IMD score is not)
    url = f"{app_url}/trends?ind=imd_pop_most_deprived_10_pct"
    page, requests = _open(chromium_browser, url)
    _choose(page, "Borough", "Wigan")
    heading = "Population in England's most deprived 10%: Wigan neighbourhoods over time"
    assert page.get_by_role("heading", name=heading).is_visible()
    chart_title = page.locator(f"{CHART_SELECTOR} .gtitle").first.text_content()
    assert "Wigan" in chart_title
    assert "lad=E08000010" in page.url
    _choose(page, "Baseline year", "2015")
    assert page.get_by_role("heading", name="Change since 2015").is_visible()
    assert "base=2015" in page.url
    page.screenshot(path=SCREENSHOTS / "trends_wigan_baseline_2015.png", full_page=True)
    assert _external(requests) == []
    page.close()


def test_briefing_link_opens_the_linked_view(chromium_browser, app_url):
    url = f"{app_url}/?lad=E08000010&model=E08000010_wards24&base=2015"
    page, requests = _open(chromium_browser, url, chart=False)
    assert page.get_by_text("Wigan · Wards (2024, best fit)").first.is_visible()
    assert page.get_by_text("since 2015").first.is_visible()
    page.screenshot(path=SCREENSHOTS / "briefing_wigan.png", full_page=True)
    assert _external(requests) == []
    page.close()


def test_an_old_briefing_link_opens_the_briefing_at_the_root(chromium_browser, app_url):
    url = f"{app_url}/briefing?lad=E08000010&model=E08000010_wards24&base=2015"
    page, requests = _open(chromium_browser, url, chart=False)
    assert page.url.startswith(f"{app_url}/?") and "lad=E08000010" in page.url
    assert page.get_by_text("Wigan · Wards (2024, best fit)").first.is_visible()
    assert _external(requests) == []
    page.close()


def test_searching_partington_moves_the_view_and_names_it_on_the_map(chromium_browser, app_url):
    page, requests = _open(chromium_browser, f"{app_url}/?lad=E08000010", chart=False)
    box = page.get_by_role("textbox", name="Find a place")
    box.fill("Partington")
    box.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Partington (MSOA name, Trafford)").click()
    page.wait_for_function("location.search.includes('nb=E02001275')", timeout=60_000)
    _settle(page)
    assert "lad=E08000009" in page.url and "model=E08000009_msoa21" in page.url
    assert "nb=E02001275" in page.url
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Partington (MSOA name) lies in:" in sidebar.text_content()
    assert "Trafford localities (2023): West" in sidebar.text_content()
    assert page.get_by_text("Focus: Partington, the place you searched for.").is_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "place_search_partington.png", full_page=True)
    page.goto(page.url.replace(f"{app_url}/?", f"{app_url}/neighbourhoods?"))
    _settle(page)
    page.wait_for_selector(DRAWN_SELECTOR, timeout=60_000)
    names_on_map = """() => [...document.querySelector('CHART')
        .querySelectorAll('.geolayer text, .frontplot text, text')].map(t => t.textContent)
        """.replace("CHART", CHART_SELECTOR)
    page.wait_for_function(f"({names_on_map})().includes('Partington')", timeout=60_000)
    assert "Old Trafford" in page.evaluate(names_on_map)  # every MSOA is named
    page.screenshot(path=SCREENSHOTS / "neighbourhoods_map_labels.png", full_page=True)
    assert _external(requests) == []
    page.close()
