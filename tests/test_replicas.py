"""Two copies of the dashboard behind nginx sharing a PostgreSQL store, in headless Chromium:
a model uploaded through one copy appears through the other (its cached results dropped), and
killing a copy loses nothing that was saved. Everything runs on loopback: Debian's nginx and
PostgreSQL (`make services`), the fixture build. The model file names real Trafford LSOAs; its
neighbourhoods are made up.
"""

from __future__ import annotations

import gzip
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from deploy.replicas import Deployment

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
WAIT_MS = 240_000  # a busy machine: generous, never a measure of speed
MODEL_NAME = "Three zones"


@pytest.fixture(scope="module")
def deployment(postgres_cluster, fixture_db: Path, tmp_path_factory) -> Iterator[Deployment]:
    store = postgres_cluster.create_database("replicas")
    logs = tmp_path_factory.mktemp("replica_logs")
    started = Deployment(replicas=2, public_db=fixture_db, store_url=store, log_dir=logs)
    started.start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def model_csv(fixture_db: Path, tmp_path_factory) -> Path:
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        codes = con.execute(
            "SELECT lsoa21_code FROM lsoa_geography WHERE lad_code = 'E08000009' ORDER BY 1"
        ).fetchall()
    path = tmp_path_factory.mktemp("model") / "three_zones.csv"
    rows = "".join(f"{code},Zone {i % 3}\n" for i, (code,) in enumerate(codes))
    path.write_text("lsoa_code,neighbourhood\n" + rows, encoding="utf-8")
    return path


def _open(browser, url: str):
    """A page in a browser context of its own (its own cookies: a new visitor)."""
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    _settle(page)
    return page


def _settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=WAIT_MS)
    page.wait_for_selector("h1", timeout=WAIT_MS)


def _upload(page, csv_path: Path) -> str:
    """Upload a model on the Neighbourhoods page; return its id (from the page's link)."""
    form = page.locator('[data-testid="stForm"]').filter(has_text="Check and save the model")
    form.get_by_label("Model name").fill(MODEL_NAME)
    page.locator('input[type="file"]').set_input_files(str(csv_path))
    page.wait_for_selector(f"text={csv_path.name}", timeout=WAIT_MS)  # uploaded
    form.get_by_role("button", name="Check and save the model").click()
    page.wait_for_selector(f"text=Saved '{MODEL_NAME}'", timeout=WAIT_MS)
    _settle(page)
    return page.url.split("model=")[1].split("&")[0]


def _shows_model(browser, url: str, model_id: str) -> bool:
    """Whether a fresh visit to `url` with the model in its link selects that model (an
    unknown model falls back to the borough's first model with a note). The page: one without
    a map."""
    page = _open(browser, f"{url}/data?lad=E08000009&model={model_id}")
    try:
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        return all(f"Zone {i}" in sidebar for i in range(3))  # its neighbourhoods are listed
    finally:
        page.context.close()


def _wait_until_shown(browser, url: str, model_id: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not _shows_model(browser, url, model_id):
        assert time.monotonic() < deadline, f"the model never showed through {url}"


def test_the_proxy_keeps_a_browser_on_one_copy(deployment) -> None:
    with urllib.request.urlopen(deployment.url + "/") as response:
        cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("outcomes_route=") and "HttpOnly" in cookie
    request = urllib.request.Request(deployment.url + "/", headers={"Cookie": cookie.split(";")[0]})
    with urllib.request.urlopen(request) as response:  # a known browser gets no new cookie
        assert response.headers["Set-Cookie"] is None


def test_the_proxy_serves_streamlits_static_files_itself(deployment) -> None:
    """Scripts come from nginx (its `expires` header; a copy's response has none), compressed
    for browsers that accept it, byte for byte Streamlit's own file."""
    from deploy.replicas import STATIC

    script = next((STATIC / "static" / "js").glob("index.*.js"))
    url = f"{deployment.url}/static/js/{script.name}"
    with urllib.request.urlopen(url) as response:
        assert response.headers["Expires"]
        assert response.headers["Content-Type"] == "application/javascript"
        assert "immutable" in ", ".join(response.headers.get_all("Cache-Control"))
        assert response.read() == script.read_bytes()
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.read()) == script.read_bytes()


def test_an_upload_through_one_copy_appears_through_the_other(
    deployment, browser, model_csv, capsys
) -> None:
    first, second = deployment.replica_url(0), deployment.replica_url(1)
    warm = _open(browser, f"{second}/data")  # the other copy has cached the borough's models
    assert "Zone 0" not in warm.locator('[data-testid="stSidebar"]').inner_text()
    uploader = _open(browser, f"{first}/neighbourhoods")
    model_id = _upload(uploader, model_csv)
    saved = time.monotonic()
    _wait_until_shown(browser, second, model_id)
    with capsys.disabled():
        seconds = time.monotonic() - saved
        print(f"\nmodel shown through the other copy {seconds:.1f} s after saving (a page load)")
    # killing the copy that saved it loses nothing: the proxy sends visitors to the other
    deployment.kill_replica(0)
    _wait_until_shown(browser, deployment.url, model_id)
    warm.reload()
    _settle(warm)
    assert warm.locator('[data-testid="stException"]').count() == 0
    uploader.context.close()
    warm.context.close()
