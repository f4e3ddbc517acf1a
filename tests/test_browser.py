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

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PROJECT_DIR = Path(__file__).resolve().parents[1]
SCREENSHOTS = PROJECT_DIR / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed "
                       "(make browser installs it)"),
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
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=60_000)
    page.wait_for_timeout(1500)
    return page, requests


def _external(requests: list[str]) -> list[str]:
    local = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
    return [u for u in requests if not u.startswith(local)]


def test_deprivation_page_shows_real_trafford_numbers_offline(chromium_browser, app_url):
    page, requests = _open(chromium_browser, f"{app_url}/")
    assert page.get_by_role("heading", name="Trafford: deprivation by neighbourhood").is_visible()
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    assert "IMD average score, Trafford neighbourhoods" in chart.locator(".gtitle").text_content()
    legend = chart.locator(".legend").text_content()
    for name in ("Central", "North", "South", "West", "Trafford (borough)", "England"):
        assert name in legend
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "deprivation_trafford.png", full_page=True)
    assert _external(requests) == []
    page.close()


def test_link_with_wigan_opens_wigan(chromium_browser, app_url):
    page, requests = _open(chromium_browser, f"{app_url}/?lad=E08000010&model=E08000010_wards24")
    assert page.get_by_role("heading", name="Wigan: deprivation by neighbourhood").is_visible()
    page.screenshot(path=SCREENSHOTS / "deprivation_wigan_wards.png", full_page=True)
    assert _external(requests) == []
    page.close()


@pytest.mark.parametrize("path", ["neighbourhoods", "data"])
def test_other_pages_load_without_errors(chromium_browser, app_url, path):
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1800})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/{path}")
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_timeout(1000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("h1").count() >= 1
    page.screenshot(path=SCREENSHOTS / f"{path}.png", full_page=True)
    assert _external(requests) == []
    page.close()
