"""User text as other pages, charts and spreadsheets will show it.

Names and questions from uploads end up in indicator names and caveats, which pages render as
Markdown, Plotly reads as a little HTML and Excel reads as formulae. `display_text` makes them
harmless there (unlike `outcomes.text.escape_markdown`, which escapes for one st.markdown);
`for_download` does the same for the cells of a downloaded table.
"""

from __future__ import annotations

import pandas as pd

from outcomes.text import CONTROL

_LOOK_ALIKES = str.maketrans({"<": "‹", ">": "›", "[": "(", "]": ")", "`": "'"})
_FORMULA = ("=", "+", "-", "@")


def display_text(text: str) -> str:
    """User text as it appears in indicator names and caveats, which other pages render as
    Markdown, chart titles (Plotly reads a little HTML) or CSV cells (Excel reads formulae):
    look-alikes replace < > [ ] ` $, and a leading = + - @ is dropped."""
    text = " ".join(CONTROL.sub(" ", str(text)).split())
    text = text.translate(_LOOK_ALIKES).replace("$", "＄")
    return text.lstrip("=+-@ \t") or "(unnamed)"


def for_download(frame: pd.DataFrame) -> pd.DataFrame:
    """A protected values frame made safe for spreadsheets: text cells that Excel would read
    as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in _FORMULA else v
            )
    return out
