"""Checks across a dataset's rows, once every cell is well formed: no row given twice, every
rate's parts with their denominator (missed and attended with booked), and no part or survey
answer larger than its whole.
"""

from __future__ import annotations

import pandas as pd

from outcomes.uploads import formats
from outcomes.uploads.problems import Problem

BOOKED = formats.DENOMINATOR


def duplicates(rows: pd.DataFrame, area_column: str, kind: str) -> list[Problem]:
    """A row repeating the area, period and measure (or question) of an earlier row."""
    key = ["area_code", "period", "measure"]
    repeated = rows.duplicated(key, keep=False)
    if not repeated.any():  # the usual case, and the quick one
        return []
    dup = rows[repeated].sort_values("row")
    first = dup.groupby(key, dropna=False)["row"].transform("min")
    thing = "question" if kind == formats.SURVEY else "measure"
    return [
        Problem(
            int(r.row),
            area_column,
            f"repeats row {int(f)}: the same {formats.AREA_NAMES[area_column]}, period and "
            f"{thing} appear twice",
        )
        for r, f in zip(dup.itertuples(), first, strict=True)
        if r.row != f
    ]


def agreeing_over_respondents(rows: pd.DataFrame) -> list[Problem]:
    """Survey rows with more agreeing than respondents."""
    return [
        Problem(
            int(r.row),
            "agreeing",
            f"{r.agreeing} agreeing is more than the {r.respondents} respondents",
        )
        for r in rows[rows.agreeing > rows.respondents].itertuples()
    ]


def service_events(rows: pd.DataFrame) -> list[Problem]:
    """A rate's parts come with their denominator, area by area and period by period, and
    are never larger than it (alone or together)."""
    measures = set(rows["measure"])
    parts = {m for m in measures if formats.part(m) is not None}
    problems: list[Problem] = []
    for m in sorted(parts):
        base, suffix = formats.part(m)
        if f"{base}_{BOOKED}" not in measures:
            row = int(rows.loc[rows["measure"] == m, "row"].min())
            problems.append(
                Problem(
                    row,
                    "measure",
                    f"{m} needs {base}_{BOOKED} rows too: the rate is {suffix} / {BOOKED}",
                )
            )
    wide = rows.pivot_table(
        index=["area_code", "period"], columns="measure", values="count", aggfunc="first"
    )
    line = rows.pivot_table(
        index=["area_code", "period"], columns="measure", values="row", aggfunc="first"
    )
    bases = sorted({b for b, _ in map(formats.part, parts) if f"{b}_{BOOKED}" in measures})
    for base in bases:
        members = [f"{base}_{s}" for s in formats.PARTS if f"{base}_{s}" in measures]
        problems += _pairs(wide, line, f"{base}_{BOOKED}", members)
    return problems


def _pairs(wide: pd.DataFrame, line: pd.DataFrame, booked: str, members: list[str]):
    """Each part of `booked` (missed, attended) against it, per area and period."""
    problems: list[Problem] = []
    for m in members:
        missing = wide[m].isna() & wide[booked].notna()
        for (code, period), r in line.loc[missing, booked].items():
            problems.append(
                Problem(
                    int(r),
                    "measure",
                    f"{booked} for {code}, {period} has no {m} row (give 0 if there were none)",
                )
            )
        orphan = wide[m].notna() & wide[booked].isna()
        for (code, period), r in line.loc[orphan, m].items():
            problems.append(
                Problem(int(r), "measure", f"{m} for {code}, {period} has no {booked} row")
            )
        problems += _over(wide, line, booked, m)
    if len(members) > 1:
        total = wide[members].sum(axis=1, min_count=len(members))
        over = (total > wide[booked]).fillna(False)
        for (code, period), r in line.loc[over, booked].items():
            problems.append(
                Problem(
                    int(r),
                    "count",
                    f"{' + '.join(members)} is more than {booked} for {code}, {period}",
                )
            )
    return problems


def _over(wide: pd.DataFrame, line: pd.DataFrame, booked: str, m: str) -> list[Problem]:
    """Rows where a part is larger than its denominator."""
    over = wide[m] > wide[booked]
    return [
        Problem(
            int(r),
            "count",
            f"{m} ({int(wide.at[(code, period), m])}) is more than {booked} "
            f"({int(wide.at[(code, period), booked])}, row "
            f"{int(line.at[(code, period), booked])})",
        )
        for (code, period), r in line.loc[over.fillna(False), m].items()
    ]
