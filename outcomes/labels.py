"""Names of comparators and area types: the one home of 'England', 'the borough' and 'the rest
of the borough' in words.

A comparator is 'lad' (the borough), 'england' or 'rest' (the rest of the borough: its LSOAs
outside the neighbourhood). The sidebar offers them as `COMPARATOR_CHOICES`; sentences, titles
and footers name them with `comparator_name`; rows of the rest of a borough are called
`rest_area_name`.
"""

from __future__ import annotations

import re

ENGLAND = "England"
BOROUGH = "Borough"
REST = "Rest of borough"
BOROUGH_MEDIAN = "Borough median"

#: An ONS (GSS) area code: E01 LSOA, E02 MSOA, E05 ward, E08 borough...
_GSS_CODE = re.compile(r"[EWSNK]\d{8}")

#: The comparators as the sidebar offers them (and as a comparison names a comparator that has
#: no name of its own).
COMPARATOR_CHOICES = {"lad": BOROUGH, "england": ENGLAND, "rest": REST}

#: Area types as a table labels them.
AREA_TYPES = {"neighbourhood": "Neighbourhood", "lad": BOROUGH, "england": ENGLAND, "lsoa": "LSOA"}


def comparator_name(comparator: str, lad_name: str = "") -> str:
    """What a neighbourhood is compared with, as a sentence names it: 'Trafford', 'England',
    'the rest of Trafford' ('the borough', 'the rest of the borough' without a borough name);
    '' when nothing is compared."""
    borough = lad_name or "the borough"
    return {"lad": borough, "england": ENGLAND, "rest": f"the rest of {borough}"}.get(
        comparator, ""
    )


def rest_area_name(lad_name: str) -> str:
    """The name of a row holding the rest of a borough: 'Rest of Trafford'."""
    return f"Rest of {lad_name}"


def public_code(code: object) -> str:
    """An area code as tables show it: ONS codes (E02001275) as they are; the app's own
    neighbourhood ids ('trafford-west', '<model id>:<name>' for uploaded models) mean
    nothing to a reader and are left blank (the name is beside them)."""
    text = "" if code is None else str(code)
    return text if _GSS_CODE.fullmatch(text) else ""
