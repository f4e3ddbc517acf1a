"""Accessibility gate: axe-core (bundled in the axe-playwright-python package, so it runs offline)
checks every page of the real app in headless Chromium against WCAG 2.2 AA, with a focus borough
chosen and its charts drawn; and keyboard focus is visible and unlike the current page.

axe-core finds about half of WCAG failures by machine; the rest (reading order, sense of the
words, charts' text alternatives) is looked at by people, as the README says."""

from __future__ import annotations

import re

import pytest

from outcomes.chart_element import CHART_SELECTOR
from tests import test_browser as browser

pytestmark = browser.pytestmark

app_url = browser.app_url  # the real Streamlit server on the full real build
chromium_browser = browser.chromium_browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TRAFFORD = "lad=E08000009&model=E08000009_localities2023"
SETTLED = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]')"""
CHART_DRAWN = """() => [...document.querySelectorAll('CHART')]
    .every(chart => chart.querySelector('.main-svg'))""".replace("CHART", CHART_SELECTOR)


def _violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def _report(violations: list[dict]) -> str:
    """One line per failing element: rule, impact, the element and axe's reason."""
    lines = []
    for rule in violations:
        for node in rule["nodes"]:
            reason = (node.get("any") or node.get("all") or node.get("none") or [{}])[0]
            html = " ".join(node["html"].split())[:120]
            lines.append(f"{rule['id']} ({rule['impact']}): {html} :: {reason.get('message')}")
    return "\n".join(lines)


def _open_drawn(chromium, url: str):
    """The page once its script has finished and every chart on it is drawn (patient: the
    machine may be busy)."""
    page = chromium.new_page(viewport={"width": 1400, "height": 2200})
    page.set_default_timeout(120_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, timeout=120_000)
    page.locator("h1").first.wait_for(timeout=180_000)  # every page has one, once it has run
    page.wait_for_function(SETTLED, timeout=180_000)
    page.wait_for_function(CHART_DRAWN, timeout=120_000)
    page.wait_for_timeout(500)
    return page, requests


@pytest.mark.parametrize("path", [*browser._url_paths(), "?present=1"])
def test_every_page_passes_axe_at_wcag_22_aa(chromium_browser, app_url, path) -> None:
    query = f"&{TRAFFORD}" if path.startswith("?") else f"?{TRAFFORD}"
    page, requests = _open_drawn(chromium_browser, f"{app_url}/{path}{query}")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Something went wrong on this page").count() == 0
    assert page.locator("h1").count() >= 1
    text = " ".join(
        [page.locator("body").inner_text(), *page.locator("svg text").all_text_contents()]
    )
    assert not re.search(r"\bengland\b", text)  # a proper name, capitalised everywhere
    violations = _violations(page)
    assert violations == [], _report(violations)
    assert browser._external(requests) == []  # axe-core ran from the package, offline
    page.close()


def _style(link) -> dict[str, str]:
    return link.evaluate(
        """e => { const s = getComputedStyle(e);
        return {background: s.backgroundColor, shadow: s.boxShadow, outline: s.outlineStyle}; }"""
    )


def test_keyboard_focus_is_visible_and_unlike_the_current_page(chromium_browser, app_url) -> None:
    page, _ = _open_drawn(chromium_browser, f"{app_url}/data?{TRAFFORD}")
    links = page.locator('[data-testid="stSidebarNavLink"]')
    current = links.filter(has_text="Data & sources")
    assert current.get_attribute("aria-current") == "page"
    trends = links.filter(has_text="Trends")
    unfocused = _style(trends)
    for _ in range(8):  # the skip link, then the navigation
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Trends":
            break
    assert page.evaluate("document.activeElement.textContent") == "Trends"
    focused = _style(trends)
    assert focused["background"] == "rgb(255, 221, 0)"  # focus: yellow with a black edge
    assert "rgb(11, 12, 12)" in focused["shadow"]
    assert focused["background"] not in (unfocused["background"], _style(current)["background"])
    assert "inset" in _style(current)["shadow"]  # current: a bar on its left edge, and bold
    browser.SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=browser.SCREENSHOTS / "focus_navigation.png", full_page=False)
    page.close()


def test_briefing_path_opens_the_briefing(chromium_browser, app_url) -> None:
    page, _ = _open_drawn(chromium_browser, f"{app_url}/briefing?{TRAFFORD}")
    assert page.get_by_text("Page not found").count() == 0
    assert page.url.startswith(f"{app_url}/?") and "lad=E08000009" in page.url  # kept
    assert "briefing" in page.locator("h1").first.inner_text().lower()
    current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    assert current.inner_text() == "Briefing"
    page.close()


def _box(locator) -> dict[str, float]:
    return locator.bounding_box()


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_monthly_trend_labels_stay_clear_of_titles_and_legend(chromium_browser, app_url) -> None:
    """31 months of missed GP appointments: period labels level, legible and clear of the axis
    title; the baseline's label clear of the legend."""
    url = f"{app_url}/trends?{TRAFFORD}&ind=gp_missed_appointments_pct&base=2023"
    page, _ = _open_drawn(chromium_browser, url)
    chart = page.locator(CHART_SELECTOR).first
    ticks = chart.locator(".xtick text")
    ticks.first.wait_for()
    assert 2 <= ticks.count() <= 12
    fills = [ticks.first, chart.locator(".ytick text").first, chart.locator(".xtitle")]
    for text in fills:  # Streamlit's own grey is 3.7:1; ours (outcomes/style.css) 7:1
        assert text.evaluate("e => getComputedStyle(e).fill") == "rgb(80, 90, 95)"
    title = _box(chart.locator(".xtitle"))
    assert all(not _overlap(_box(ticks.nth(i)), title) for i in range(ticks.count()))
    assert all("rotate" not in (ticks.nth(i).get_attribute("transform") or "") for i in range(2))
    baseline = chart.locator(".annotation").filter(has_text="Baseline")
    legend = chart.locator(".legend .traces")
    if baseline.count():
        assert all(not _overlap(_box(baseline), _box(legend.nth(i))) for i in range(legend.count()))
    browser.SCREENSHOTS.mkdir(exist_ok=True)
    chart.screenshot(path=browser.SCREENSHOTS / "trends_monthly.png")
    page.close()
