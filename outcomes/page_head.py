"""Streamlit's page with two lines added to its head (ASGI middleware for `serve.py`).

Every address of the app answers with Streamlit's one HTML page, whose script then finds the
server. Two things in that page cost a new visitor time, and both are settled in the head:

* Where the server is. On a page's own address (/trends), Streamlit's script first asks for
  /trends/_stcore/health, is refused, and tries / about 0.13 s later. On a page's address the
  head tells it the app's: the address with the page's name taken off (so it holds behind a
  proxy that serves the app under a path of its own), in `window.__streamlit.BACKEND_BASE_URL`,
  Streamlit's setting for this. Elsewhere Streamlit finds it as before.
* The charts' plotly.js bundle (`chart_element`). A chart asks for it only once the page has
  drawn everything else; the head starts it while the page waits for the server, in the same
  promise the charts then use (not on the pages that draw no chart).

Only Streamlit's page is changed (a successful HTML answer to GET holding its script, gzipped
or not); its length is corrected and its validators dropped (the page changes with the
bundle). Everything else passes through untouched.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

SCRIPT_MARK = b'<script type="module"'


HEAD_LINES = """<script>(() => {
  const path = location.pathname.split("/");
  const page = path.at(-1);
  if (PAGES.includes(page)) {
    window.__streamlit = {BACKEND_BASE_URL: location.origin + path.slice(0, -1).join("/") + "/"};
  }
  if (CHARTLESS.includes(page)) return;
  const loads = (window.__outcomesPlotly ??= new Map());
  const script = document.createElement("script");
  script.src = BUNDLE;
  loads.set(BUNDLE, new Promise((resolve, reject) => {
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => { loads.delete(BUNDLE); reject(new Error("no chart script")); };
  }));
  document.head.appendChild(script);
})();</script>
"""


def head_lines(bundle_url: str, pages: tuple[str, ...], chartless: tuple[str, ...] = ()) -> bytes:
    """The lines for the head: `bundle_url` is the charts' bundle as `chart_element.bundle_url`
    gives it (the charts look their load up by that same string), `pages` the url paths of the
    app's pages (not the default page's: it has none), `chartless` those of pages that draw no
    chart (opened there, the bundle waits until a chart asks for it)."""
    text = HEAD_LINES.replace("CHARTLESS", _js_string(list(chartless)))
    text = text.replace("PAGES", _js_string(list(pages)))
    return text.replace("BUNDLE", _js_string(bundle_url)).encode()


def _js_string(value: str | list[str]) -> str:
    """`value` as a JavaScript string (or array of them) inside a <script> element."""
    return json.dumps(value).replace("</", "<\\/")


class PageHead:
    """ASGI middleware: adds `lines()` (made on the first page asked for, when Streamlit's
    settings are read) to the head of every HTML page `app` answers with."""

    def __init__(self, app, lines: Callable[[], bytes]) -> None:
        self.app, self._make_lines = app, lines
        self._lines: bytes | None = None
        self._last: tuple[bytes, bytes] | None = None  # Streamlit's page, ours

    @property
    def lines(self) -> bytes:
        if self._lines is None:
            self._lines = self._make_lines()
        return self._lines

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        started: dict = {}
        parts: list[bytes] = []

        async def send_with_head(message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_page = message["status"] == 200 and headers.get(b"content-type", b"").startswith(
                    b"text/html"
                )
                if not is_page:
                    await send(message)
                    return
                started.update(message)
                return
            if not started:
                await send(message)
                return
            if message["type"] != "http.response.body":  # e.g. a file sent by path: as it was
                await send(started)
                started.clear()
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = self._page(b"".join(parts), b"gzip" in _encoding(started))
            await send({**started, "headers": _page_headers(started["headers"], len(body))})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_with_head)

    def _page(self, page: bytes, gzipped: bool) -> bytes:
        """`page` with the lines (Streamlit gzips its page for browsers that accept it). The
        same page comes for every address, so the last one made is kept."""
        kept = self._last
        if kept is not None and kept[0] == page:
            return kept[1]
        plain = gzip.decompress(page) if gzipped else page
        made = _with_lines(plain, self.lines)
        made = gzip.compress(made, 6, mtime=0) if gzipped else made
        self._last = (page, made)
        return made


def _encoding(started: dict) -> bytes:
    return dict(started["headers"]).get(b"content-encoding", b"").lower()


def _with_lines(page: bytes, lines: bytes) -> bytes:
    """`lines` before Streamlit's module script (so they run first); a page without it is not
    Streamlit's, and is left alone."""
    at = page.find(SCRIPT_MARK)
    return page if at < 0 else page[:at] + lines + page[at:]


def _page_headers(headers: list, length: int) -> list:
    dropped = {b"content-length", b"etag", b"last-modified", b"accept-ranges"}
    kept = [(k, v) for k, v in headers if k.lower() not in dropped]
    return [*kept, (b"content-length", str(length).encode())]
