"""How the build stores each model, and when it lets go of it.

Only the published layer (the marts, with the seeds, macros and build_info) is written to the
database file: nothing published reads the raw, staging or intermediate tables, and writing
them cost most of the build's time and over half of the file. So, unless the build is asked to
keep them for inspection (`--keep-intermediate`, which the tests use), a model that is not
published is

* a TEMP view when its name appears once in one later model and in no contract: that model
  computes it inside its own query, instead of writing millions of rows and reading them back;
* otherwise a TEMP table, in the build's memory only;

and each temporary table or view is dropped as soon as no later model and no contract reads
it, so the build holds only what it still needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from transforms import graph

PUBLISHED_LAYERS = ("marts",)
TABLE, TEMP_TABLE, TEMP_VIEW = "TABLE", "TEMP TABLE", "TEMP VIEW"


@dataclass(frozen=True)
class Plan:
    """What each model becomes, and which temporary tables and views to drop after it ran."""

    kinds: dict[str, str]
    drops: dict[str, list[str]] = field(default_factory=dict)

    def kind(self, name: str) -> str:
        """TABLE, TEMP TABLE or TEMP VIEW (raw tables are temporary unless all are kept)."""
        return self.kinds.get(name, TEMP_TABLE)

    def drop_statements(self, model: str) -> list[str]:
        """The statements that drop what no model after `model`, and no contract, reads."""
        return [
            f"DROP {'VIEW' if self.kind(name) == TEMP_VIEW else 'TABLE'} {name}"
            for name in self.drops.get(model, [])
        ]


def plan(
    ordered: list[graph.Model],
    tables: set[str],
    contracts: Iterable[str],
    keep_intermediate: bool = False,
) -> Plan:
    """The plan for models in build order, reading `tables` (raw and seed tables) and
    checked by the `contracts` SQL."""
    if keep_intermediate:
        return Plan({m.name: TABLE for m in ordered})
    known = tables | {m.name for m in ordered}
    kept = {n for n in tables if n in graph.SEED_TABLES}
    kept |= {m.name for m in ordered if m.layer in PUBLISHED_LAYERS}
    checked = set().union(*(graph.references(sql, known) for sql in contracts))
    mentions: Counter[str] = Counter()
    for model in ordered:
        mentions.update(_mentions(model, known))
    kinds = {
        m.name: TABLE
        if m.name in kept
        else TEMP_VIEW
        if mentions[m.name] == 1 and m.name not in checked
        else TEMP_TABLE
        for m in ordered
    }
    return Plan(kinds, _drops(ordered, known, kinds, kept | checked))


def _mentions(model: graph.Model, known: set[str]) -> Counter[str]:
    """How often the model names each table; a table read through a macro counts twice (the
    macro may read it more than once)."""
    found = Counter({w: n for w, n in graph.mentions(model.code).items() if w in known})
    for macro in graph.macros_called(model.code):
        for name in graph.words(graph.macro_bodies()[macro]) & known:
            found[name] += 2
    found.pop(model.name, None)
    return found


def _drops(
    ordered: list[graph.Model], known: set[str], kinds: dict[str, str], kept: set[str]
) -> dict[str, list[str]]:
    """After which model each temporary table or view is read for the last time. A view is
    computed by the model that reads it, so what the view reads is read then too."""
    reads: dict[str, set[str]] = {}
    last_reader: dict[str, str] = {}
    for model in ordered:
        names = graph.references(model.code, known) - {model.name}
        for view in [n for n in names if kinds.get(n) == TEMP_VIEW]:
            names |= reads[view]
        reads[model.name] = names
        for name in names:
            last_reader[name] = model.name
    drops: dict[str, list[str]] = {}
    for name, reader in sorted(last_reader.items()):
        if name not in kept:
            drops.setdefault(reader, []).append(name)
    return drops
