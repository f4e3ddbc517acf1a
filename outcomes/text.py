"""Text from users made safe to show, and names made safe for ids and files: the one home.

Names of models, neighbourhoods, datasets and questions come from uploads and URLs. They are
data: never interpreted as Markdown (`escape_markdown`), never as the little HTML Plotly reads
(`escape_html`), and reduced to plain identifiers for ids and file names (`slug`).
"""

from __future__ import annotations

import re

# Every character Markdown, Streamlit's :directive[] syntax or $maths$ could read.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Control characters (not tab, newline or carriage return, which count as spaces): C0, DEL,
# C1, and the invisible marks that reorder or hide text (bidirectional overrides and
# isolates, zero-width space, byte order mark).
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def escape_markdown(text: object) -> str:
    """User text made safe for st.markdown: whitespace collapsed and every Markdown, HTML,
    directive and maths character escaped, so it displays literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def escape_html(text: object) -> str:
    """Plotly reads a little HTML in titles and labels: show user-supplied names literally."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_text(text: object) -> str:
    """Control characters removed and whitespace collapsed."""
    return " ".join(CONTROL.sub(" ", str(text)).split())


def slug(text: object, sep: str = "_", limit: int | None = None, default: str = "") -> str:
    """A lower-case identifier of letters, digits and `sep`: 'Trafford localities (2023)' ->
    'trafford_localities_2023'. Cut to `limit` characters; `default` when nothing is left."""
    value = _NOT_SLUG.sub(sep, str(text).lower()).strip(sep)
    if limit is not None:
        value = value[:limit].strip(sep)
    return value or default
