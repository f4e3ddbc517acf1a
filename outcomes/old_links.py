"""Old addresses of pages forwarded by HTTP (ASGI middleware for `serve.py`).

The Briefing is served at the app's root, but links to /briefing (its name) are in use. The
router forwards them too (`dashboard.py`), but only once Streamlit has started, run the script
for /briefing and switched page: a second script run for every such visit. Here a browser is
sent to the root, query kept, before any of that.
"""

from __future__ import annotations

from urllib.parse import quote

# What a query may hold as it is; anything else (bytes a client sent raw) is percent-encoded.
QUERY_SAFE = "=&;%+/?:@,-._~!$'()*"


class ForwardOldLinks:
    """ASGI middleware: GET or HEAD of /<name> for a name in `names` answered with a redirect
    to the app's root (the same query), everything else to `app`."""

    def __init__(self, app, names: tuple[str, ...]) -> None:
        self.app, self.names = app, frozenset(names)

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        name = path.rsplit("/", 1)[-1]
        if name not in self.names or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        query = quote(scope.get("query_string", b""), safe=QUERY_SAFE).encode()
        # Relative: the page's name taken off, so a base path or a proxy's prefix holds.
        location = b"./" + (b"?" + query if query else b"")
        headers = [(b"location", location), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 307, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
