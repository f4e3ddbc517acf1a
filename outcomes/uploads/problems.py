"""Why an upload was rejected: every problem, with the row and column it is in.

Nothing is stored from a rejected file; the page shows these problems as a table, so that one
upload tells the user everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from outcomes.uploads import formats


@dataclass(frozen=True)
class Problem:
    """One reason a file was rejected: where (row of the file, 1 = header; column) and why."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ModelFileError(ValueError):
    """The file was rejected; `problems` lists every reason with its line and column."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


class DataFileError(ModelFileError):
    """The file was rejected; `details` lists every problem with its row and column."""

    def __init__(self, problems: list[Problem]):
        shown = problems[: formats.MAX_PROBLEMS]
        if len(problems) > formats.MAX_PROBLEMS:
            more = len(problems) - formats.MAX_PROBLEMS
            shown.append(Problem(None, None, f"… and {more} more problems"))
        self.details = shown
        super().__init__([str(p) for p in shown])

    def table(self) -> pd.DataFrame:
        """The problems as a table for the page (Row, Column, Problem)."""
        return pd.DataFrame(
            {
                "Row": [p.row for p in self.details],
                "Column": [p.column or "" for p in self.details],
                "Problem": [p.message for p in self.details],
            }
        ).astype({"Row": "Int64"})


class StoreBusy(DataFileError):
    """Another session kept writing the same rows through every retry: nothing was changed,
    and the same action a moment later will go through. A DataFileError, so the upload forms
    show it as they show a file's problems."""

    MESSAGE = "someone else was saving at the same moment, so nothing was changed: please try again"

    def __init__(self) -> None:
        super().__init__([Problem(None, None, self.MESSAGE)])
