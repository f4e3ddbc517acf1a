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
# GitHub-flavoured Markdown links web and e-mail addresses it finds in the text once escapes
# are read, so escaping cannot stop it: an invisible word joiner after 'http', 'www' and '@'
# breaks the pattern it looks for ('http://', 'www.', 'name@host.tld').
_AUTOLINK = re.compile(r"(?i)https?(?=:)|www(?=\.)|@")
WORD_JOINER = "\u2060"


def escape_markdown(text: object) -> str:
    """User text made safe for st.markdown: whitespace collapsed, every Markdown, HTML,
    directive and maths character escaped, and addresses kept from becoming links, so it
    displays literally."""
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, " ".join(str(text).split()))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def escape_html(text: object) -> str:
    """Plotly reads a little HTML (and, were MathJax ever loaded, $maths$) in titles, labels,
    legends and hover text: show user-supplied names literally. Plotly decodes the entities."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("$", "&#36;")


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
