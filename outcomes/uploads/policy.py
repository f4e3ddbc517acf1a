"""Where the disclosure policy is configured: never in the app, only by whoever runs it.

A visitor must not be able to weaken disclosure control, so the policy has no widget. It is
read from the `[disclosure]` table of Streamlit's secrets file (the same file that holds
sign-in and roles), e.g.

    [disclosure]
    suppress_below = 10     # counts below this are protected (default 5)

and the environment variable `OUTCOMES_SUPPRESS_BELOW` overrides `suppress_below` (see
`disclosure.threshold`). Other keys of the table (e.g. a method's parameters) are part of the
policy too: any change of them re-aggregates the stored values once and is recorded in the
audit log (`refresh.apply_policy`). Files are read on every call (they are small), so an edit
takes effect without a restart.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
SECTION = "disclosure"
# Streamlit's own places for secrets, in its order: a later file's keys win.
SECRETS_FILES: tuple[Path, ...] = (
    Path.home() / ".streamlit" / "secrets.toml",
    PROJECT_DIR / ".streamlit" / "secrets.toml",
)


def _section(path: Path) -> tuple[dict[str, object], str | None]:
    """The `[disclosure]` table of one file ({} if the file or table is missing), and a
    problem to report if the file cannot be read."""
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle).get(SECTION, {})
    except FileNotFoundError:
        return {}, None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return {}, f"{path.name} could not be read ({exc}); its [{SECTION}] settings are ignored"
    if not isinstance(table, dict):
        return {}, f"[{SECTION}] in {path.name} is not a table; it is ignored"
    return table, None


def settings() -> tuple[dict[str, object], list[str]]:
    """The configured `[disclosure]` table (later files overriding earlier ones) and any
    problems reading it."""
    merged: dict[str, object] = {}
    problems: list[str] = []
    for path in SECRETS_FILES:
        table, problem = _section(path)
        merged.update(table)
        if problem:
            problems.append(problem)
    return merged, problems
