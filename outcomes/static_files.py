"""Static files answered from memory (ASGI middleware for `serve.py`).

A first visit fetches about 9 MB of scripts, styles and fonts in 136 requests; Streamlit serves
each from disk through its whole request stack, which cost a fresh browser's view more server
CPU than running the page. Streamlit's files (/static/) carry a hash of their content in their
names, and the dashboard's own (/app/static/: the charts' plotly.js bundle) are asked for with
one (`chart_element.bundle_url`); none changes while the server runs. So each is read once,
gzipped once, and answered with a year's cache header. Anything else (and any method but GET
or HEAD) goes on to Streamlit untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

STATIC_ROOT = Path(importlib.util.find_spec("streamlit").origin).resolve().parent / "static"
APP_STATIC_ROOT = Path(__file__).resolve().parents[1] / "static"
# URL prefix -> folder
ROOTS = {"/static/": STATIC_ROOT / "static", "/app/static/": APP_STATIC_ROOT}
CACHE_CONTROL = b"public, max-age=31536000, immutable"
COMPRESSIBLE = ("application/javascript", "text/", "application/json", "image/svg+xml")
TYPES = {".js": "application/javascript", ".mjs": "application/javascript", ".css": "text/css"}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    content_type: str
    digest: str  # `content_digest` of the body


def content_digest(body: bytes) -> str:
    """The short digest a URL of the dashboard's own static files carries (`?v=`)."""
    return hashlib.sha256(body).hexdigest()[:12]


class StaticFromMemory:
    """ASGI middleware: GET/HEAD of a file under one of `roots` from memory, everything else
    to `app`."""

    def __init__(self, app, roots: dict[str, Path] | None = None) -> None:
        self.app = app
        self.roots = {prefix: root.resolve() for prefix, root in (roots or ROOTS).items()}
        self._files: dict[str, StaticFile] = {}  # one dict assignment per file: no lock needed

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        found = None
        if scope.get("method") in ("GET", "HEAD"):
            found = self._file(path)
        if found is not None and not _asked_for(found, scope):
            found = None  # another build's address: Streamlit answers, without the year's cache
        if found is None:
            await self.app(scope, receive, send)
            return
        await _answer(found, scope, send)

    def _file(self, path: str) -> StaticFile | None:
        """The file for `path`, read once. Only a file's one plain address is answered (no
        '.', '..' or empty segments), and misses are not remembered, so the static folders
        bound what is kept: a stranger's made-up paths cannot fill the memory."""
        found = self._files.get(path)
        if found is None:
            prefix = next((p for p in self.roots if path.startswith(p)), None)
            relative = path[len(prefix) :] if prefix else ""
            if not _plain(relative):
                return None
            found = _load(self.roots[prefix], relative)
            if found is not None:
                self._files[path] = found
        return found


def _plain(relative: str) -> bool:
    """A relative URL path of named segments only."""
    parts = relative.split("/")
    return (
        bool(relative) and "\x00" not in relative and all(p not in ("", ".", "..") for p in parts)
    )


def _asked_for(found: StaticFile, scope) -> bool:
    """Whether the digest the URL names, if any, is this file's."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("v", [found.digest])[-1] == found.digest


def _load(root: Path, relative: str) -> StaticFile | None:
    """The file under `root` at a relative URL path, None when it is not a plain file there."""
    candidate = (root / relative).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    body = candidate.read_bytes()
    kind = TYPES.get(candidate.suffix) or mimetypes.guess_type(candidate.name)[0]
    kind = kind or "application/octet-stream"
    gzipped = gzip.compress(body, 6) if kind.startswith(COMPRESSIBLE) else None
    smaller = gzipped if gzipped and len(gzipped) < len(body) else None
    return StaticFile(body, smaller, kind, content_digest(body))


async def _answer(found: StaticFile, scope, send) -> None:
    accepts = b"gzip" in dict(scope.get("headers", [])).get(b"accept-encoding", b"")
    body = found.gzipped if accepts and found.gzipped else found.body
    headers = [
        (b"content-type", found.content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", CACHE_CONTROL),
        (b"vary", b"accept-encoding"),
    ]
    if body is found.gzipped:
        headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
