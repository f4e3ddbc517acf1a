"""Print an indicator's whole path: `python -m transforms.lineage <indicator_id>`.

raw files -> staging -> intermediate -> marts (published tables), then the app modules and pages
that read those tables. The path is found from the SQL itself (transforms/graph.py), starting
from the models and raw files the indicator's TOML declares. The app never names an indicator:
it shows whatever the published tables hold, so every indicator passes through the same pages.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from transforms import catalogue, graph
from transforms.sources import RAW_FILES, RawFile

PROJECT_DIR = graph.TRANSFORMS_DIR.parent
APP_DIRS = ("outcomes", "pages")


@dataclass(frozen=True)
class Lineage:
    """One indicator's path through the build and into the app."""

    definition: catalogue.IndicatorDefinition
    raw_files: tuple[RawFile, ...]
    models: tuple[graph.Model, ...]  # in build order, all layers
    macros: tuple[str, ...]
    app_files: dict[str, tuple[str, ...]]  # app file -> published tables it reads

    def layer(self, name: str) -> list[graph.Model]:
        """The path's models of one layer."""
        return [m for m in self.models if m.layer == name]


def _tables() -> set[str]:
    return {raw.table for raw in RAW_FILES} | graph.SEED_TABLES


def _ancestors(names: set[str], tables: set[str]) -> set[str]:
    found: set[str] = set()
    pending = list(names)
    while pending:
        for dep in graph.dependencies(pending.pop(), tables):
            if dep not in found:
                found.add(dep)
                if dep in graph.models():
                    pending.append(dep)
    return found


def _descendants(names: set[str], tables: set[str]) -> set[str]:
    found = set(names)
    changed = True
    while changed:
        changed = False
        for model in graph.models():
            if model not in found and found & set(graph.dependencies(model, tables)):
                found.add(model)
                changed = True
    return found


def _app_files(published: set[str]) -> dict[str, tuple[str, ...]]:
    files: dict[str, tuple[str, ...]] = {}
    for folder in APP_DIRS:
        for path in sorted((PROJECT_DIR / folder).rglob("*.py")):
            code = path.read_text(encoding="utf-8")
            names = tuple(t for t in sorted(published) if re.search(rf"\b{t}\b", code))
            if names:
                files[str(path.relative_to(PROJECT_DIR))] = names
    return files


def lineage(indicator_id: str) -> Lineage:
    """The path of one indicator (KeyError if it is not in the catalogue)."""
    definition = catalogue.definition(indicator_id)
    tables = _tables()
    declared = set(definition.models)
    by_path = {raw.path: raw for raw in RAW_FILES}
    raws = tuple(by_path[path] for path in definition.raw_files)
    raw_tables = {raw.table for raw in raws}
    # upstream: the declared models' ancestors that read one of the declared raw files
    upstream = {
        name
        for name in _ancestors(declared, tables)
        if name in graph.models() and raw_tables & _ancestors({name}, tables)
    }
    marts = {m for m, model in graph.models().items() if model.layer == "marts"}
    downstream = _descendants(declared, tables)
    published = (downstream & marts) | {"indicator_catalogue"}  # its TOML row is published
    # downstream: only the models on a path to a published table
    on_path = {n for n in downstream if n in published or _descendants({n}, tables) & published}
    names = upstream | declared | on_path | {"indicator_catalogue"}
    order = graph.build_order(tables)
    models = tuple(m for m in order if m.name in names)
    macros = tuple(dict.fromkeys(name for m in models for name in graph.macros_called(m.code)))
    return Lineage(definition, raws, models, macros, _app_files(published))


def render(found: Lineage) -> str:
    """The lineage as text, one step per line."""
    row = found.definition.row
    lines = [
        f"{row.indicator_id}: {row.name} ({row.domain})",
        f"  defined in transforms/indicators/{found.definition.domain_file}.toml",
        f"  caveats: {', '.join(found.definition.caveat_keys)} (transforms/indicators/"
        f"caveats.toml); source: {found.definition.source_key} (sources.toml)",
        "",
        "raw files (data/; declared in transforms/raw_files/)",
    ]
    for raw in found.raw_files:
        lines.append(f"  data/{raw.path}  ->  {raw.table}  ({raw.domain}.toml)")
    for layer in graph.LAYERS:
        title = "marts (published tables)" if layer == "marts" else layer
        lines += ["", title]
        for model in found.layer(layer):
            mark = (
                "  <- builds the indicator's rows" if model.name in found.definition.models else ""
            )
            path = model.path.relative_to(PROJECT_DIR)
            lines.append(f"  {model.name:<42} {path}{mark}")
    lines += ["", "macros (transforms/macros.sql, values_macros.sql; stored in the database)"]
    lines.append("  " + ", ".join(found.macros) if found.macros else "  (none)")
    lines += [
        "",
        "app (generic: pages read the published tables and never name an indicator)",
    ]
    for path, tables in found.app_files.items():
        lines.append(f"  {path:<42} reads {', '.join(tables)}")
    pages = _pages_using(found.app_files)
    lines.append(f"  pages showing it: {', '.join(pages) or '(none)'}; router dashboard.py")
    return "\n".join(lines)


def _pages_using(app_files: dict[str, tuple[str, ...]]) -> list[str]:
    """Pages that import a module reading the indicator's published tables."""
    modules = {Path(p).with_suffix("").as_posix().replace("/", ".") for p in app_files}
    modules |= {m.rsplit(".", 1)[0] for m in modules}  # a package's modules count for it
    pages = []
    for path in sorted((PROJECT_DIR / "pages").glob("*.py")):
        code = path.read_text(encoding="utf-8")
        imported = set(re.findall(r"^from (outcomes[\w.]*) import", code, re.M))
        for names in re.findall(r"^from outcomes import ([\w, ]+)", code, re.M):
            imported |= {f"outcomes.{n.strip()}" for n in names.split(",")}
        if imported & modules or str(path.relative_to(PROJECT_DIR)) in app_files:
            pages.append(str(path.relative_to(PROJECT_DIR)))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indicator_id", nargs="?", help="e.g. households_no_car_pct")
    parser.add_argument("--list", action="store_true", help="list every indicator id")
    args = parser.parse_args(argv)
    if args.list or not args.indicator_id:
        for found in catalogue.definitions():
            print(f"{found.row.indicator_id:<42} {found.row.domain}")
        return 0
    try:
        print(render(lineage(args.indicator_id)))
    except KeyError:
        print(f"{args.indicator_id} is not an indicator (see --list)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
