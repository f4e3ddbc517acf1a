"""The build's SQL models and how they depend on each other, read from the SQL itself.

A model is one `.sql` file under staging/, intermediate/ or marts/, and becomes the table of the
same name. A model depends on every table or model whose name appears in its code (comments
aside), and on the tables named inside any macro it calls (macros.sql, values_macros.sql), so
`grep <name> transforms/` finds every step, and `python -m transforms.lineage` follows them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TRANSFORMS_DIR = Path(__file__).resolve().parent
LAYERS = ("staging", "intermediate", "marts")
MACRO_FILES = ("macros.sql", "values_macros.sql")
SEEDS_DIR = TRANSFORMS_DIR / "seeds"
# Tables the build makes before any model: the catalogue from transforms/indicators/ and the
# CSV seeds in transforms/seeds/ (ref_<name>).
SEED_TABLES = frozenset(
    {"seed_indicator_catalogue"} | {f"ref_{p.stem}" for p in SEEDS_DIR.glob("*.csv")}
)
_COMMENT = re.compile(r"--[^\n]*")
_MACRO = re.compile(r"create\s+or\s+replace\s+macro\s+(\w+)", re.IGNORECASE)
_WORD = re.compile(r"\b[a-z_][a-z0-9_]*\b")


class GraphError(RuntimeError):
    """The models cannot be ordered (e.g. two models read each other)."""


@dataclass(frozen=True)
class Model:
    """One SQL model: its layer, file and code."""

    name: str
    layer: str
    path: Path
    sql: str

    @property
    def code(self) -> str:
        """The SQL without comments: a table named only in a comment is no dependency."""
        return _COMMENT.sub("", self.sql)


@cache
def models() -> dict[str, Model]:
    """Every model of every layer, by name."""
    found: dict[str, Model] = {}
    for layer in LAYERS:
        for path in sorted((TRANSFORMS_DIR / layer).glob("*.sql")):
            found[path.stem] = Model(path.stem, layer, path, path.read_text(encoding="utf-8"))
    return found


@cache
def macro_statements() -> dict[str, str]:
    """Each macro's `create or replace macro` statement (without comments), by macro name,
    from the macro files in order."""
    statements: dict[str, str] = {}
    for name in MACRO_FILES:
        code = _COMMENT.sub("", (TRANSFORMS_DIR / name).read_text(encoding="utf-8"))
        starts = list(_MACRO.finditer(code))
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(code)
            statements[match.group(1)] = code[match.start() : end].strip()
    return statements


def macro_bodies() -> dict[str, str]:
    """Each macro's SQL after its name, by macro name."""
    return {
        name: _MACRO.sub("", statement, count=1) for name, statement in macro_statements().items()
    }


def words(code: str) -> set[str]:
    """Every identifier-like word in a piece of SQL (quoted table names included)."""
    return set(_WORD.findall(code.lower()))


def mentions(code: str) -> Counter[str]:
    """How often each identifier-like word appears in a piece of SQL."""
    return Counter(_WORD.findall(code.lower()))


def macros_called(code: str) -> list[str]:
    """The macros a piece of SQL calls, directly or through another macro, in a stable order."""
    bodies = macro_bodies()
    called: list[str] = []
    pending = sorted(words(code) & bodies.keys())
    while pending:
        name = pending.pop(0)
        if name in called:
            continue
        called.append(name)
        pending.extend(sorted(words(bodies[name]) & bodies.keys()))
    return called


def references(code: str, tables: set[str]) -> set[str]:
    """Which of `tables` a piece of SQL reads, itself or through the macros it calls."""
    seen = words(code)
    for macro in macros_called(code):
        seen |= words(macro_bodies()[macro])
    return seen & tables


def dependencies(name: str, tables: set[str]) -> list[str]:
    """The models and tables (of `tables`, plus every model) that model `name` reads."""
    known = tables | models().keys()
    return sorted(references(models()[name].code, known) - {name})


def build_order(tables: set[str]) -> list[Model]:
    """Every model after the models it reads (layers in order: staging, intermediate, marts)."""
    ordered: list[str] = []
    visiting: set[str] = set()
    every = models()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise GraphError(f"{every[name].layer}/{name}.sql: circular reference between models")
        visiting.add(name)
        for other in dependencies(name, tables):
            if other in every:
                visit(other)
        visiting.discard(name)
        ordered.append(name)

    for layer in LAYERS:
        for model in every.values():
            if model.layer == layer:
                visit(model.name)
    return [every[name] for name in ordered]
